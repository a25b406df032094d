import { seededRandom } from '../random.ts';

/** Counts and rates of a binary decision `score ≥ threshold` (1 = malignant). */
export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
}

/** ROC AUC by the Mann–Whitney statistic, ties counted as one half (average ranks). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      positives++;
      rankSum += ranks[i];
    }
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The ROC curve as (false positive rate, true positive rate) points from the strictest threshold down. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): { fpr: number; tpr: number; threshold: number }[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const positives = Array.from(labels).filter((l) => l === 1).length;
  const negatives = scores.length - positives;
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < idx.length; i++) {
    if (labels[idx[i]] === 1) tp++;
    else fp++;
    if (i === idx.length - 1 || scores[idx[i + 1]] !== scores[idx[i]]) {
      points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: scores[idx[i]] });
    }
  }
  return points;
}

/** Confusion counts and rates at a threshold. */
export function atThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ThresholdMetrics {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (labels[i] === 1) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  }
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    accuracy: (tp + tn) / scores.length,
    sensitivity: tp / (tp + fn),
    specificity: tn / (tn + fp),
  };
}

/** The highest threshold whose sensitivity is at least `target` (so specificity is as high as it can be). */
export function thresholdForSensitivity(scores: ArrayLike<number>, labels: ArrayLike<number>, target: number): number {
  const positives = Array.from(scores).filter((_, i) => labels[i] === 1).sort((a, b) => b - a);
  const needed = Math.ceil(target * positives.length);
  return positives[Math.max(0, needed - 1)];
}

/**
 * The operating threshold for a target sensitivity, halfway between two neighbouring scores: the highest cut that
 * keeps sensitivity ≥ `target` lies between the score of the last positive it must catch and the next lower score of
 * any image. A threshold equal to one image's exact score would flip that image on the smallest change.
 */
export function midpointThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, target: number): number {
  const needed = thresholdForSensitivity(scores, labels, target);
  const below = Array.from(scores).filter((s) => s < needed);
  return below.length ? (needed + Math.max(...below)) / 2 : needed / 2;
}

/** Reliability bins and expected calibration error (equal-width bins, weighted by bin size). */
export function calibration(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10) {
  const table = Array.from({ length: bins }, (_, b) => ({ from: b / bins, to: (b + 1) / bins, n: 0, meanScore: 0, positiveRate: 0 }));
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.floor(scores[i] * bins));
    table[b].n++;
    table[b].meanScore += scores[i];
    table[b].positiveRate += labels[i];
  }
  let ece = 0;
  for (const bin of table) {
    if (bin.n === 0) continue;
    bin.meanScore /= bin.n;
    bin.positiveRate /= bin.n;
    ece += (bin.n / scores.length) * Math.abs(bin.meanScore - bin.positiveRate);
  }
  return { ece, bins: table };
}

/** Percentile bootstrap 95% interval of a metric, resampling cases with replacement (seeded). */
export function bootstrapCi(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  metric: (s: number[], l: number[]) => number,
  { resamples = 2000, seed = 1 } = {},
): [number, number] {
  const random = seededRandom(seed);
  const n = scores.length;
  const values: number[] = [];
  const s = new Array<number>(n);
  const l = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      s[i] = scores[j];
      l[i] = labels[j];
    }
    const v = metric(s, l);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))];
  return [at(0.025), at(0.975)];
}

/** Everything the model card reports for one labelled set at one operating threshold. */
export function summarise(scores: number[], labels: number[], threshold: number) {
  const auc = rocAuc(scores, labels);
  const at = atThreshold(scores, labels, threshold);
  const sens = (s: number[], l: number[]) => atThreshold(s, l, threshold).sensitivity;
  const spec = (s: number[], l: number[]) => atThreshold(s, l, threshold).specificity;
  const { ece, bins } = calibration(scores, labels);
  return {
    n: scores.length,
    positives: labels.filter((l) => l === 1).length,
    auc,
    aucCi95: bootstrapCi(scores, labels, rocAuc),
    accuracy: at.accuracy,
    sensitivity: at.sensitivity,
    sensitivityCi95: bootstrapCi(scores, labels, sens),
    specificity: at.specificity,
    specificityCi95: bootstrapCi(scores, labels, spec),
    threshold,
    confusion: { tp: at.tp, fp: at.fp, tn: at.tn, fn: at.fn },
    ece,
    reliability: bins,
  };
}
