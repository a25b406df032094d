/** The model card: what the API serves at GET /model (card.json) and what people read (card.md). */

type SetMetrics = {
  n: number;
  positives: number;
  auc: number;
  aucCi95: [number, number];
  accuracy: number;
  sensitivity: number;
  sensitivityCi95: [number, number];
  specificity: number;
  specificityCi95: [number, number];
  threshold: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  ece: number;
};

export const NOT_A_MEDICAL_DEVICE =
  'Not a medical device. Research software only: not cleared or approved for clinical use, and not to be used to diagnose, ' +
  'treat or make any decision about a patient.';

export const INTENDED_USE =
  'Research and education: exploring how a small CNN separates benign from malignant breast lesions in B-mode ultrasound ' +
  'images that already show one lesion, and building or testing software around such a model.';

export const LIMITATIONS = [
  'Trained on BUSI only (one hospital in Cairo, one scanner family, 2018); performance drops on other hospitals and scanners (see the external set).',
  'Hundreds of images: every number has a wide confidence interval; small differences between models are not meaningful.',
  'Expects a B-mode image that contains a lesion; it was not trained to detect whether a lesion is present, nor on Doppler, elastography or other modalities.',
  'BUSI images carry burned-in calipers, text and logos; augmentation adds random marks to discourage shortcuts, but check the heatmap.',
  'Probabilities are not calibrated to any clinical population; the operating threshold was chosen on BUSI validation data, and at another hospital the same threshold can miss far more cancers (see the external set\'s sensitivity): set and check a threshold on local data before any study.',
  'An input gate (gate.json, docs/gate.md) refuses images that do not look like the training scans (blank frames, text, drawings, colour photos, Doppler); it misses some (gray natural textures, ultrasound of other organs) and does not detect lesion-free breast images.',
  'The test and external sets were scored for every candidate recipe during development, so their numbers are somewhat optimistic.',
  'Labels are per image from the public data sets; no BI-RADS, histology subtypes or patient history are modelled.',
];

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const ci = (c: [number, number], f: (v: number) => string) => `${f(c[0])}–${f(c[1])}`;
const num = (v: number) => v.toFixed(3);

/** The Markdown rendering of a card. */
export function cardMarkdown(card: Record<string, any>): string {
  const rows = Object.entries(card.metrics as Record<string, SetMetrics & { description: string }>).map(([, m]) =>
    `| ${m.description} | ${m.n} (${m.positives} malignant) | ${num(m.auc)} (${ci(m.aucCi95, num)}) | ${pct(m.sensitivity)} (${ci(m.sensitivityCi95, pct)}) | ${pct(m.specificity)} (${ci(m.specificityCi95, pct)}) | ${pct(m.accuracy)} | ${num(m.ece)} |`
  );
  return `# Model card: ${card.name} ${card.version}

> **${card.notAMedicalDevice}**

- Architecture: ${card.architecture.name} (${card.architecture.parameters.toLocaleString('en')} parameters, ${card.architecture.weightsBytes.toLocaleString('en')} bytes of weights, ${card.architecture.weightFormat})
- Input: ${card.input.height}×${card.input.width}×${card.input.channels}, values in [0, 1] (${card.input.preprocessing})
- Output: probability that the lesion is malignant
- Operating threshold: **${card.threshold.value.toFixed(3)}** — ${card.threshold.rationale}
- Created: ${card.createdAt}; command: \`${card.training.command}\` (${Math.round(card.training.runtimeSeconds)} s on ${card.training.machine})

## Intended use
${card.intendedUse}

## Data
${card.data.description}

- Split protocol: ${card.data.splitProtocol}
- Counts: ${Object.entries(card.data.counts).map(([k, v]) => `${k} ${v}`).join(', ')}

## Results (95% bootstrap confidence intervals; sensitivity and specificity at the operating threshold)

| set | n | ROC AUC | sensitivity | specificity | accuracy | ECE |
|---|---|---|---|---|---|---|
${rows.join('\n')}

${card.comparisons ? `## Other evidence\n${(card.comparisons as string[]).map((c) => `- ${c}`).join('\n')}\n` : ''}
## Limitations
${(card.limitations as string[]).map((l) => `- ${l}`).join('\n')}

## Training
- Epochs run: ${card.training.epochsRun} (best at ${card.training.bestEpoch}), batch ${card.training.batchSize}, Adam ${card.training.learningRate}, seed ${card.training.seed}, class-weighted binary cross-entropy, early stopping on validation AUC (patience ${card.training.patience}).
- Augmentation: ${card.training.augmentation}
${card.training.members > 1 ? `- Ensemble: ${card.training.members} members trained with seeds ${card.training.seed}…${card.training.seed + card.training.members - 1} on the same split, packed into one model that averages their logits.\n` : ''}${card.training.lesionLoss && card.training.lesionLoss !== 'none' ? `- Lesion masks: ${card.training.lesionLoss}.\n` : ''}`;
}
