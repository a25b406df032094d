import * as tf from '@tensorflow/tfjs-node';
import { augmentBatch } from '../augment.ts';
import { stack } from '../fit.ts';

/** Augmentation settings for cached views (see train/augment.ts). */
export interface ViewAugment {
  minCrop: number;
  maxZoomOut: number;
  blurRate: number;
}

/**
 * Runs the frozen stem on inputs in batches and returns one flat feature array per input. With `augment`, each input
 * first gets one augmented copy (train/augment.ts: framing, gain, contrast, gamma, speckle, caliper-like marks) from
 * the seeded `random`.
 */
export function stemFeatures(
  stem: tf.LayersModel,
  inputs: Float32Array[],
  augment?: { random: () => number; settings: ViewAugment },
  batchSize = 32,
): Float32Array[] {
  const shape = stem.inputs[0].shape.slice(1) as [number, number, number];
  const out: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i += batchSize) {
    const raw = stack(inputs.slice(i, i + batchSize), shape);
    const images = augment ? augmentBatch(raw, augment.random, augment.settings).images : raw;
    const features = stem.predict(images) as tf.Tensor;
    const data = features.dataSync() as Float32Array;
    const size = data.length / raw.shape[0];
    for (let k = 0; k < raw.shape[0]; k++) out.push(data.slice(k * size, (k + 1) * size));
    tf.dispose([raw, images, features]);
  }
  return out;
}
