/**
 * The numbers behind docs/adapt.md, computed from scores (the script scripts/adapt-eval.ts produces them through
 * the serving path): paired AUC comparison, and a threshold/calibration chosen on one half of a site and scored
 * on the other.
 */
import { applyCalibration } from '../../src/model/calibration.ts';
import { fitPlatt } from '../calibration.ts';
import { atThreshold, bootstrapCi, calibration, midpointThreshold, rocAuc } from '../eval/metrics.ts';
import { seededRandom } from '../random.ts';

/** AUC of two score sets on the same images, each with its bootstrap CI, and the paired difference b − a. */
export function pairedAuc(a: number[], b: number[], labels: number[], { resamples = 2000, seed = 1 } = {}) {
  const random = seededRandom(seed);
  const n = labels.length;
  const diffs: number[] = [];
  const [sa, sb, sl] = [new Array<number>(n), new Array<number>(n), new Array<number>(n)];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      sa[i] = a[j];
      sb[i] = b[j];
      sl[i] = labels[j];
    }
    const d = rocAuc(sb, sl) - rocAuc(sa, sl);
    if (Number.isFinite(d)) diffs.push(d);
  }
  diffs.sort((x, y) => x - y);
  const at = (q: number) => diffs[Math.round(q * (diffs.length - 1))];
  return {
    n,
    malignant: labels.filter((l) => l === 1).length,
    before: { auc: rocAuc(a, labels), aucCi95: bootstrapCi(a, labels, rocAuc, { resamples, seed }) },
    after: { auc: rocAuc(b, labels), aucCi95: bootstrapCi(b, labels, rocAuc, { resamples, seed }) },
    difference: { auc: rocAuc(b, labels) - rocAuc(a, labels), ci95: [at(0.025), at(0.975)] as [number, number] },
  };
}

/** Sensitivity and specificity at a fixed threshold on a labelled set, with bootstrap CIs. */
export function operatingPoint(scores: number[], labels: number[], threshold: number, seed = 1) {
  const m = atThreshold(scores, labels, threshold);
  const options = { resamples: 2000, seed };
  return {
    threshold,
    sensitivity: m.sensitivity,
    sensitivityCi95: bootstrapCi(scores, labels, (s, l) => atThreshold(s, l, threshold).sensitivity, options),
    specificity: m.specificity,
    specificityCi95: bootstrapCi(scores, labels, (s, l) => atThreshold(s, l, threshold).specificity, options),
    confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
  };
}

/**
 * Threshold (target sensitivity, midpoint) and Platt calibration fitted on the `fit` half, scored on the `report`
 * half: what a site that labels half its cases can expect on the other half.
 */
export function splitHalf(
  fit: { scores: number[]; labels: number[] },
  report: { scores: number[]; labels: number[] },
  target: number,
  seed = 1,
) {
  const threshold = midpointThreshold(fit.scores, fit.labels, target);
  const platt = fitPlatt(fit.scores, fit.labels, { fittedOn: 'fit half' });
  const calibrated = report.scores.map((s) => applyCalibration(s, platt));
  return {
    localThreshold: operatingPoint(report.scores, report.labels, threshold, seed),
    calibration: {
      slope: platt.slope,
      intercept: platt.intercept,
      eceRaw: calibration(report.scores, report.labels).ece,
      eceRawCi95: bootstrapCi(report.scores, report.labels, (s, l) => calibration(s, l).ece, { resamples: 1000, seed }),
      eceCalibrated: calibration(calibrated, report.labels).ece,
      eceCalibratedCi95: bootstrapCi(calibrated, report.labels, (s, l) => calibration(s, l).ece, { resamples: 1000, seed }),
    },
  };
}

/** Mean, min and max of a few repeats. */
export function spread(values: number[]) {
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), values };
}
