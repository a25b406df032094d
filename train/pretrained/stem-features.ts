import * as tf from '@tensorflow/tfjs-node';
import { augmentBatch } from '../augment.ts';
import { lesionTargets, stack } from '../fit.ts';

/** Augmentation settings for cached views (see train/augment.ts). */
export interface ViewAugment {
  minCrop: number;
  maxZoomOut: number;
  blurRate: number;
}

/** Lesion masks of the inputs (model resolution, [0, 1]) and the grid of the head they become targets on. */
export interface MaskTargets {
  masks: Float32Array[];
  /** The `cam_features` grid [rows, columns]; each target cell is the mask's cover of that cell. */
  grid: [number, number];
}

/** Stem outputs, one flat array per input, and with `MaskTargets` the lesion cover per grid cell of each view. */
export interface StemOutputs {
  features: Float32Array[];
  targets?: Float32Array[];
}

/**
 * Runs the frozen stem on inputs in batches. With `augment`, each input first gets one augmented copy
 * (train/augment.ts: framing, gain, contrast, gamma, speckle, caliper-like marks) from the seeded `random`; a mask
 * goes through the same framing, so its target stays on the lesion. The mask does not change the random draws, so
 * the features are the same with and without masks.
 */
export function stemFeatures(
  stem: tf.LayersModel,
  inputs: Float32Array[],
  augment?: { random: () => number; settings: ViewAugment },
  lesion?: MaskTargets,
  batchSize = 32,
): StemOutputs {
  const shape = stem.inputs[0].shape.slice(1) as [number, number, number];
  const features: Float32Array[] = [];
  const targets: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i += batchSize) {
    const raw = stack(inputs.slice(i, i + batchSize), shape);
    const rawMasks = lesion && stack(lesion.masks.slice(i, i + batchSize), [shape[0], shape[1], 1]);
    const out = augment ? augmentBatch(raw, augment.random, { ...augment.settings, masks: rawMasks }) : { images: raw, masks: rawMasks };
    const result = stem.predict(out.images) as tf.Tensor;
    const data = result.dataSync() as Float32Array;
    const size = data.length / raw.shape[0];
    for (let k = 0; k < raw.shape[0]; k++) features.push(data.slice(k * size, (k + 1) * size));
    if (lesion && out.masks) {
      const [rows, columns] = lesion.grid;
      const cover = lesionTargets(out.masks, lesion.grid);
      const cells = cover.dataSync() as Float32Array;
      for (let k = 0; k < raw.shape[0]; k++) targets.push(cells.slice(k * rows * columns, (k + 1) * rows * columns));
      cover.dispose();
    }
    tf.dispose([raw, out.images, result, ...(rawMasks ? [rawMasks] : []), ...(out.masks ? [out.masks] : [])]);
  }
  return lesion ? { features, targets } : { features };
}
