import type { LesionMask } from '../data/masks.ts';
import type { Classifier } from '../../src/model/classifier.ts';
import { scoreHeatmap } from './heatmap.ts';

/**
 * How well heatmaps point at lesions, each rate beside what a map that knows nothing would score. The
 * pointing game is `scoreHeatmap`'s (train/eval/heatmap.ts), the one definition the heatmap evaluation uses too.
 */
export interface CamCheck {
  n: number;
  /** Share of images whose strongest cell's centre lies on the lesion (pointing game). */
  pointingHit: number;
  /** Share of images whose strongest cell overlaps the lesion at all (lenient pointing game). */
  pointingTouch: number;
  /** Mean share of cells that overlap the lesion: the lenient game's chance level. */
  touchChance: number;
  /** Mean share of the input the lesion covers: the pointing game's and `massInMask`'s chance level. */
  maskShare: number;
  /** Mean share of positive heatmap mass on lesion pixels (an all-zero map counts as 0). */
  massInMask: number;
}

/**
 * Scores class activation maps against lesion masks (BUSI's) at the model's input size: a model that reads
 * calipers or text instead of the lesion points off the lesion. Images without a lesion are skipped.
 */
export function camCheck(classifier: Classifier, inputs: Float32Array[], masks: LesionMask[]): CamCheck {
  const { height, width } = classifier.inputSpec;
  const sums = { n: 0, pointingHit: 0, pointingTouch: 0, touchChance: 0, maskShare: 0, massInMask: 0 };
  inputs.forEach((input, i) => {
    if (!masks[i].box) return;
    const { map } = classifier.explain(input);
    const grid = { ...map, cellWidth: width / map.cols, cellHeight: height / map.rows };
    const mask = Uint8Array.from(masks[i].mask, (v) => (v >= 0.5 ? 1 : 0));
    const s = scoreHeatmap(grid, mask, width, height);
    sums.n++;
    sums.pointingHit += +s.pointingHit;
    sums.pointingTouch += +s.pointingTouch;
    sums.touchChance += s.touchChance;
    sums.maskShare += s.maskShare;
    sums.massInMask += s.empty ? 0 : s.massInMask;
  });
  const mean = (v: number) => v / sums.n;
  return {
    n: sums.n,
    pointingHit: mean(sums.pointingHit),
    pointingTouch: mean(sums.pointingTouch),
    touchChance: mean(sums.touchChance),
    maskShare: mean(sums.maskShare),
    massInMask: mean(sums.massInMask),
  };
}
