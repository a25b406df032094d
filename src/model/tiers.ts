import { applyCalibration, type Calibration, invertCalibration } from './calibration.ts';
import type { ThresholdScale } from './card.ts';

/** The original API's three classes. */
export type Classification = 'Benign' | 'Uncertain' | 'Malignant';

/** One confidence tier: probabilities below `below` (and at or above the previous tier's) fall in it. */
export interface Tier {
  id: 'very_likely_benign' | 'likely_benign' | 'uncertain' | 'possibly_malignant' | 'likely_malignant' | 'very_likely_malignant';
  below: number;
  classification: Classification;
  description: string;
}

/**
 * The six tiers of the original API, with its thresholds (<0.1, <0.3 Benign; <0.5 Uncertain; <0.7, <0.9,
 * ≤1 Malignant). The descriptions are ours; they describe the model's output, not the patient. Served answers use
 * servedTiers(), which re-bases these boundaries on the operating threshold.
 */
export const TIERS: readonly Tier[] = [
  {
    id: 'very_likely_benign',
    below: 0.1,
    classification: 'Benign',
    description: 'The model finds very little evidence of malignancy in this image; its features look benign.',
  },
  {
    id: 'likely_benign',
    below: 0.3,
    classification: 'Benign',
    description: 'The model leans towards a benign lesion, with some features it cannot fully explain.',
  },
  {
    id: 'uncertain',
    below: 0.5,
    classification: 'Uncertain',
    description: 'The model cannot tell benign from malignant here; the image needs expert review.',
  },
  {
    id: 'possibly_malignant',
    below: 0.7,
    classification: 'Malignant',
    description: 'The model sees some features associated with malignancy; the evidence is moderate.',
  },
  {
    id: 'likely_malignant',
    below: 0.9,
    classification: 'Malignant',
    description: 'The model sees several features associated with malignancy; the evidence is strong.',
  },
  {
    id: 'very_likely_malignant',
    below: Infinity, // the original's last tier is "≤ 1"
    classification: 'Malignant',
    description: 'The model sees strong, consistent evidence of malignancy in this image.',
  },
];

/** The tier a value falls in under the original API's fixed thresholds (kept for comparisons, e.g. bench/parity). */
export function confidenceTier(probability: number): Tier {
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`probability out of [0, 1]: ${probability}`);
  return TIERS.find((tier) => probability < tier.below)!;
}

/**
 * A served tier. `below` is its upper bound on the scale the threshold applies to (what tierOf compares), also given
 * as a raw model score (`belowScore`) and as a served probability (`belowProbability`).
 */
export interface ServedTier extends Tier {
  belowScore: number;
  belowProbability: number;
}

/**
 * The six tiers as served, re-based on the operating threshold so that no "Benign" tier lies above it (the original
 * 0.3 boundary put images the threshold flags, e.g. 0.2–0.3, under "Benign"). Boundaries are set on the served
 * probability (calibrated when the card has a calibration, else the raw score), with t = the threshold there:
 *   very_likely_benign < min(0.1, t/2) ≤ likely_benign < t ≤ uncertain < max(0.5, t) ≤ possibly_malignant
 *   < max(0.7, t) ≤ likely_malignant < max(0.9, t) ≤ very_likely_malignant.
 * `scale` says what `threshold` is compared with; the Benign/Uncertain bound on that scale is the threshold itself,
 * so the tier and the decision always agree. docs/trust.md explains the choice.
 */
export function servedTiers(threshold: number, calibration?: Calibration, scale: ThresholdScale = 'score'): ServedTier[] {
  const onProbability = scale === 'probability' || !calibration;
  const t = onProbability ? threshold : applyCalibration(threshold, calibration);
  const bounds = [Math.min(0.1, t / 2), t, Math.max(0.5, t), Math.max(0.7, t), Math.max(0.9, t), Infinity];
  return TIERS.map((tier, i) => {
    const p = bounds[i];
    // Bounds equal to t are the threshold itself (not a round trip through the map), so they agree bit for bit.
    const belowScore = !Number.isFinite(p) ? Infinity : p === t && !onProbability ? threshold : invertCalibration(p, calibration);
    const below = p === t ? threshold : onProbability ? p : belowScore;
    return { ...tier, below, belowScore, belowProbability: p };
  });
}

/** The mapping in one paragraph, for model cards (`tierMapping`) written by the training pipeline. */
export const TIER_MAPPING =
  'The six tiers of the original API are re-based on the operating threshold: with t = the threshold as a served ' +
  '(calibrated) probability, very_likely_benign < min(0.1, t/2) ≤ likely_benign < t ≤ uncertain < max(0.5, t) ≤ ' +
  'possibly_malignant < max(0.7, t) ≤ likely_malignant < max(0.9, t) ≤ very_likely_malignant. The original\'s fixed ' +
  '0.3 Benign/Uncertain bound called images the threshold flags "Benign"; here "Benign" means exactly "below the ' +
  'threshold". GET /model lists the bounds (serving.tiers); docs/trust.md explains them.';

/** The served tier of a value on the threshold's scale (see servedTiers). */
export function tierOf(value: number, tiers: readonly ServedTier[]): ServedTier {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`value out of [0, 1]: ${value}`);
  return tiers.find((tier) => value < tier.below)!;
}
