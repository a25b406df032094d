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
 * ≤1 Malignant). The descriptions are ours; they describe the model's output, not the patient.
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

/** The tier a probability of malignancy falls in. */
export function confidenceTier(probability: number): Tier {
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`probability out of [0, 1]: ${probability}`);
  return TIERS.find((tier) => probability < tier.below)!;
}
