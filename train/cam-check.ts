import type { LesionMask } from './data/masks.ts';
import type { Classifier } from '../src/model/classifier.ts';

/** How well heatmaps point at lesions, against what a random cell would score. */
export interface CamCheck {
  n: number;
  /** Share of images whose strongest malignancy cell overlaps the lesion mask (the "pointing game"). */
  pointingHits: number;
  /** The same for a cell drawn at random: the mean share of cells that overlap the lesion. */
  chanceHits: number;
  /** Mean share of positive heatmap mass that lies on cells overlapping the lesion. */
  massOnLesion: number;
}

/**
 * Scores class activation maps against lesion masks (BUSI's): a model that reads calipers or text instead of the
 * lesion points off the lesion. Images without a lesion are skipped.
 */
export function camCheck(classifier: Classifier, inputs: Float32Array[], masks: LesionMask[]): CamCheck {
  const { height, width } = classifier.inputSpec;
  let n = 0, hits = 0, chance = 0, mass = 0;
  inputs.forEach((input, i) => {
    if (!masks[i].box) return;
    const { map } = classifier.explain(input);
    const cellH = height / map.rows;
    const cellW = width / map.cols;
    // A cell is on the lesion when any of its pixels is.
    const onLesion = Array.from({ length: map.rows * map.cols }, (_, c) => {
      const r0 = Math.floor(c / map.cols) * cellH;
      const c0 = (c % map.cols) * cellW;
      for (let y = r0; y < r0 + cellH; y++) {
        for (let x = c0; x < c0 + cellW; x++) if (masks[i].mask[y * width + x] >= 0.5) return true;
      }
      return false;
    });
    let best = 0;
    let positive = 0;
    let positiveOnLesion = 0;
    map.values.forEach((v, c) => {
      if (v > map.values[best]) best = c;
      if (v > 0) {
        positive += v;
        if (onLesion[c]) positiveOnLesion += v;
      }
    });
    n++;
    if (onLesion[best]) hits++;
    chance += onLesion.filter(Boolean).length / onLesion.length;
    mass += positive > 0 ? positiveOnLesion / positive : 0;
  });
  return { n, pointingHits: hits / n, chanceHits: chance / n, massOnLesion: mass / n };
}
