import type { ModelCard } from './card.ts';

// Per-set numbers a reader of the page needs; reliability tables, curves and histories stay in the full card.
const SET_FIELDS = [
  'description', 'n', 'positives', 'auc', 'aucCi95', 'threshold', 'sensitivity', 'sensitivityCi95', 'specificity',
  'specificityCi95', 'accuracy', 'ece',
];
// Top-level fields that are short and say what the model is and how far to trust it.
const CARD_FIELDS = [
  'name', 'version', 'createdAt', 'notAMedicalDevice', 'intendedUse', 'limitations', 'input', 'classes', 'output',
  'threshold', 'calibration', 'tierMapping',
  // A site-adapted copy (npm run adapt) says so: source model, images, when, and any local labels.
  'adaptation',
];

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/**
 * The card as GET /model sends it by default: identity, use, limits, threshold, calibration and each set's headline
 * metrics, without the training history and reliability tables (the full card is at /model?full=1).
 */
export function cardSummary(card: ModelCard): Record<string, unknown> {
  const summary = pick(card, CARD_FIELDS);
  const metrics = card.metrics;
  if (metrics && typeof metrics === 'object') {
    summary.metrics = Object.fromEntries(
      Object.entries(metrics as Record<string, unknown>).map(([set, m]) => [
        set,
        m && typeof m === 'object' ? pick(m as Record<string, unknown>, SET_FIELDS) : m,
      ]),
    );
  }
  return summary;
}
