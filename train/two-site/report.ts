import { applyCalibration, type Calibration, logit, sigmoid } from '../../src/model/calibration.ts';
import type { Classifier } from '../../src/model/classifier.ts';
import { bootstrapCi, rocAuc, summarise } from '../eval/metrics.ts';

/** Scores inputs one at a time through the serving Classifier (batch 1, as /predict runs them). */
export function scoreOne(classifier: Classifier, inputs: Float32Array[]): number[] {
  return inputs.map((x) => classifier.classify([x])[0]);
}

/** The input mirrored left–right (HWC floats): the flip half of test-time augmentation. */
export function mirrored(input: Float32Array, width: number, channels: number): Float32Array {
  const out = new Float32Array(input.length);
  const row = width * channels;
  for (let r = 0; r < input.length / row; r++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[r * row + x * channels + c] = input[r * row + (width - 1 - x) * channels + c];
    }
  }
  return out;
}

/** Test-time augmentation's score: the mean of the two logits (image and mirror image). */
export function meanLogit(a: number[], b: number[]): number[] {
  return a.map((p, i) => sigmoid((logit(p) + logit(b[i])) / 2));
}

/** AUC with its bootstrap 95 % interval and size: what leave-one-site-out and candidate tables report. */
export function aucWithCi(scores: number[], labels: number[]): { n: number; auc: number; aucCi95: [number, number] } {
  return { n: scores.length, auc: rocAuc(scores, labels), aucCi95: bootstrapCi(scores, labels, rocAuc) };
}

/** A leave-one-site-out run's outcome: the held-out site's scores (whole images and expert boxes). */
export interface LosoRun {
  heldOut: { whole: number[]; box: number[]; boxIndex: number[] };
  plan: { train: number[]; heldOut?: number[] };
  epochs: number;
}

/** The card's leave-one-site-out section: per direction, what was trained and the held-out site's AUCs with CIs. */
export function summariseLoso(runs: Record<string, LosoRun>, labels: number[]): Record<string, unknown> {
  const lab = (idx: number[]) => idx.map((i) => labels[i]);
  return Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, {
    description: name === 'busiToBusbra' ? 'trained on BUSI only (epoch on BUSI validation), scored on all of BUS-BRA' : 'trained on BUS-BRA only (epoch on BUS-BRA validation), scored on all of BUSI',
    trainingImages: r.plan.train.length,
    epochsRun: r.epochs,
    whole: aucWithCi(r.heldOut.whole, lab(r.plan.heldOut!)),
    box: aucWithCi(r.heldOut.box, lab(r.heldOut.boxIndex)),
  }]));
}

/** A labelled set's served scores (calibrated) summarised at the served threshold, with its description. */
export function describeSet(description: string, raw: number[], labels: number[], calibration: Calibration, threshold: number) {
  const served = raw.map((p) => applyCalibration(p, calibration));
  return { description, ...summarise(served, labels, threshold) };
}

/** AUC, sensitivity and specificity at the served threshold within each group (scanner, BI-RADS category). */
export function breakdown(groups: (string | undefined)[], served: number[], labels: number[], threshold: number) {
  const out: Record<string, { n: number; malignant: number; auc: number | null; sensitivity: number | null; specificity: number | null }> = {};
  for (const key of [...new Set(groups.map((g) => g ?? 'unknown'))].sort()) {
    const idx = groups.map((g, i) => ((g ?? 'unknown') === key ? i : -1)).filter((i) => i >= 0);
    const s = idx.map((i) => served[i]), l = idx.map((i) => labels[i]);
    const pos = l.filter((v) => v === 1).length, neg = l.length - pos;
    const caught = idx.filter((i) => labels[i] === 1 && served[i] >= threshold).length;
    const cleared = idx.filter((i) => labels[i] === 0 && served[i] < threshold).length;
    out[key] = {
      n: l.length,
      malignant: pos,
      auc: pos && neg ? rocAuc(s, l) : null,
      sensitivity: pos ? caught / pos : null,
      specificity: neg ? cleared / neg : null,
    };
  }
  return out;
}
