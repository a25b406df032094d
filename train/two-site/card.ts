import { cardMarkdown } from '../card.ts';
import { recipeOf } from './recipe.ts';

/** What the two-site model cannot do; card.json and card.md carry these. */
export const TWO_SITE_LIMITATIONS = [
  'Trained on two hospitals (Cairo, Rio de Janeiro), both on GE scanners; other hospitals and vendors differ in gain, presets, resolution and burned-in text. The leave-one-site-out and BrEaST rows show how far performance falls at a site the model has not seen: check it on local data (npm run adapt) before any study.',
  'Hundreds to a few thousand images: every number has a confidence interval; small differences between models are not meaningful.',
  'Expects a B-mode image that contains one lesion (or a box around it); it does not detect whether a lesion is present and was not trained on Doppler, elastography or other modalities.',
  'BUSI and BUS-BRA images carry calipers and text; augmentation adds random marks to discourage shortcuts, but check the heatmap.',
  'Calibration was fitted on validation images of the two training sites; at another hospital the risk scale and the threshold\'s sensitivity can differ (see the BrEaST rows).',
  'Labels are per image from the public data sets; BI-RADS, histology and patient history are not modelled.',
];

const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const ci = (c: [number, number]) => `${f(c[0])}–${f(c[1])}`;

/** card.md for the two-site model: the common card, then leave-one-site-out, test-time augmentation and breakdowns. */
export function twoSiteCardMarkdown(card: Record<string, any>): string {
  const loso = Object.entries(card.leaveOneSiteOut as Record<string, any>).map(([, r]) =>
    `| ${r.description} | ${r.whole.n} | ${f(r.whole.auc)} (${ci(r.whole.aucCi95)}) | ${f(r.box.auc)} (${ci(r.box.aucCi95)}) |`
  );
  const tta = Object.entries(card.testTimeAugmentation as Record<string, any>).filter(([k]) => k !== 'description').map(([k, r]) =>
    `| ${k} | ${r.n} | ${f(r.auc)} (${ci(r.aucCi95)}) | ${f(card.metrics[k]?.auc)} |`
  );
  const table = (title: string, rows: Record<string, any>) =>
    `### ${title}\n\n| group | n | malignant | AUC | sensitivity | specificity |\n|---|---|---|---|---|---|\n` +
    Object.entries(rows).map(([k, r]) => `| ${k} | ${r.n} | ${r.malignant} | ${f(r.auc)} | ${f(r.sensitivity)} | ${f(r.specificity)} |`).join('\n');
  // Cards written before finish.ts recorded the recipe get it from their flags.
  const training = { ...recipeOf(card.training.flags), ...card.training };
  return `${cardMarkdown({ ...card, training })}
## Leave-one-site-out (the recipe signal; 95% bootstrap CIs)

| direction | n | whole-image AUC | box-mode AUC |
|---|---|---|---|
${loso.join('\n')}

## Test-time augmentation — measured, not served

${String(card.testTimeAugmentation.description).replace(/^test-time augmentation: /, '').replace(/^./, (c) => c.toUpperCase())}.

| set | n | AUC with TTA | AUC without |
|---|---|---|---|
${tta.join('\n')}

## Calibration
Platt scaling fitted on ${card.calibration.fittedOn} (n ${card.calibration.n}): served probability = sigmoid(a · logit(score) + b) with a = ${f(card.calibration.slope)} and b = ${f(card.calibration.intercept)}. BrEaST was never used to fit it.

## Breakdowns at the operating threshold (whole-image mode)

${table('BUS-BRA validation by scanner', card.breakdowns.busbraValidationByScanner)}

${table('BUS-BRA validation by BI-RADS', card.breakdowns.busbraValidationByBirads)}

${table('Validation by site', card.breakdowns.validationBySite)}

## Pretrained weights
${card.architecture.pretrained}
`;
}
