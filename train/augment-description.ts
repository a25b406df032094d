/** The augmentation settings a card describes (the same names as augmentBatch's extras, train/augment.ts). */
export interface AugmentSummary {
  minCrop: number;
  maxZoomOut: number;
  blurRate: number;
  lesionCropRate?: number;
}

/** The colour and noise changes augmentBatch makes to every view, whatever its framing. */
export const PHOTOMETRIC =
  'horizontal flip, gain ×0.65–1.35, contrast ×0.6–1.3, gamma ×0.70–1.42, multiplicative speckle (σ ≤ 0.2), ' +
  'bright caliper/text-like marks on half the images';

/** How augmentBatch frames a view with these settings (crop, zoom-out, lesion crops, blur), in a card's words. */
export function describeFraming(a: AugmentSummary): string {
  return `random view from a ${
    Math.round(100 * a.minCrop)
  }% area crop to a ${a.maxZoomOut}× zoom-out (black border), aspect ±20%` +
    ((a.lesionCropRate ?? 0) > 0
      ? `, or for ${
        Math.round(100 * a.lesionCropRate!)
      }% of images a crop around the lesion (mask box ×1.3–3)`
      : '') +
    (a.blurRate > 0
      ? `, down/up-sampling blur (1.5–2.5×) on ${Math.round(100 * a.blurRate)}% of images`
      : '');
}

/**
 * What train/augment.ts augmentBatch does with these settings, in a model card's words. Kept apart from it so
 * commands can describe a run without loading tfjs-node.
 */
export function describeAugmentation(a: AugmentSummary): string {
  return `${describeFraming(a)}, ${PHOTOMETRIC}`;
}
