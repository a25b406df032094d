import type * as tf from '@tensorflow/tfjs-node';
import type { Views } from '../data/views.ts';
import { stemFeatures, type ViewAugment } from './stem-features.ts';

/** Stem outputs of every image, computed once and reused by every training run and epoch. */
export interface FeatureCache {
  /** The whole image as served (no augmentation). */
  whole: Float32Array[];
  /** The expert lesion box as served (box + ROI_MARGIN), where the image has a box. */
  box: (Float32Array | undefined)[];
  /** Training views: `augs` augmented whole images, then augmented jittered-box views. */
  alt: Float32Array[][];
  /** With `lesionGrid`: the lesion cover per head-grid cell of `whole[i]` and of each `alt[i][k]`. */
  targets?: { whole: Float32Array[]; alt: Float32Array[][] };
}

/** How many views of each kind the cache holds, and how they are augmented. */
export interface CacheOptions {
  augs: number;
  random: () => number;
  whole: ViewAugment;
  box: ViewAugment;
  /** The head's grid: when given, every view's lesion mask is kept as a target on it (every view needs a mask). */
  lesionGrid?: [number, number];
  log?: (message: string) => void;
}

/**
 * Runs the frozen stem over plain and augmented views of every image. Box views use the jittered boxes of
 * `Views.crops` (index ≥ 1; index 0 is the expert box itself), with a lighter framing change.
 */
export function buildFeatureCache(stem: tf.LayersModel, views: Views[], options: CacheOptions): FeatureCache {
  const { random, log = () => {}, lesionGrid: grid } = options;
  if (grid && views.some((v) => !v.masks)) throw new Error('lesion-mask training needs a mask for every training image');
  const lesion = (masks: Float32Array[]) => (grid ? { masks, grid } : undefined);
  const wholeMasks = lesion(views.map((v) => v.masks?.whole!));
  const plain = stemFeatures(stem, views.map((v) => v.whole), undefined, wholeMasks);
  const boxed = views.map((_, i) => i).filter((i) => views[i].crops.length > 0);
  const box: (Float32Array | undefined)[] = views.map(() => undefined);
  stemFeatures(stem, boxed.map((i) => views[i].crops[0])).features.forEach((f, k) => (box[boxed[k]] = f));
  log('stem features of the plain views');
  const alt: Float32Array[][] = views.map(() => []);
  const altTargets: Float32Array[][] = views.map(() => []);
  const keep = (out: ReturnType<typeof stemFeatures>, owners: number[]) => {
    out.features.forEach((f, k) => alt[owners[k]].push(f));
    out.targets?.forEach((t, k) => altTargets[owners[k]].push(t));
  };
  const everyone = views.map((_, i) => i);
  for (let a = 0; a < options.augs; a++) {
    keep(stemFeatures(stem, views.map((v) => v.whole), { random, settings: options.whole }, wholeMasks), everyone);
    log(`stem features of augmented views ${a + 1}/${options.augs}`);
  }
  const jittered = Math.max(0, ...views.map((v) => v.crops.length - 1));
  for (let c = 1; c <= jittered; c++) {
    const have = boxed.filter((i) => views[i].crops.length > c);
    keep(stemFeatures(stem, have.map((i) => views[i].crops[c]), { random, settings: options.box }, lesion(have.map((i) => views[i].masks?.crops[c]!))), have);
  }
  log('stem features of the box views');
  return { whole: plain.features, box, alt, targets: grid ? { whole: plain.targets!, alt: altTargets } : undefined };
}
