import { describeAugmentation, describeFraming, PHOTOMETRIC } from '../augment-description.ts';

/** Framing of the cached augmented whole-image views (MobileNetV2 trunk) and of the edge CNN's on-the-fly views. */
export const WHOLE_VIEWS = { minCrop: 0.3, maxZoomOut: 1.35, blurRate: 0.3 };
/** Framing of the augmented jittered lesion-box views: lighter, the box already frames the lesion. */
export const BOX_VIEWS = { minCrop: 0.7, maxZoomOut: 1.1, blurRate: 0.3 };
/** The edge CNN from scratch trains at this rate whatever --learning-rate says (the flag is the trunk's). */
export const EDGE_LEARNING_RATE = 0.002;

/** The optimiser and augmentation settings a two-site card states. */
export interface Recipe {
  seed: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  augmentation: string;
}

/**
 * The recipe a two-site run used, from the flags its card records (`training.flags`, defaults included), so
 * cards written before the card stated it say it too.
 */
export function recipeOf(flags: Record<string, unknown>): Recipe {
  const edge = flags.arch === 'edge';
  return {
    seed: Number(flags.seed),
    batchSize: Number(flags['batch-size']),
    learningRate: edge ? EDGE_LEARNING_RATE : Number(flags['learning-rate']),
    patience: Number(flags.patience),
    augmentation: edge
      ? `${
        describeAugmentation(WHOLE_VIEWS)
      }, on the fly; lesion boxes (the expert box and jittered ones) as extra views`
      : `${flags.augs} augmented view${
        Number(flags.augs) === 1 ? '' : 's'
      } per image, computed once and cached (${describeFraming(WHOLE_VIEWS)}), ` +
        `and jittered lesion-box views (${describeFraming(BOX_VIEWS)}); each view: ${PHOTOMETRIC}`,
  };
}
