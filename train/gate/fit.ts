/** Fitting the input gate's statistics (see src/gate/format.ts) from the training images' measurements. */
import type { LogScale, LowRankGaussians } from '../../src/gate/format.ts';
import { inverse, leadingEigen, type Matrix } from './linalg.ts';

/** Share of each covariance moved towards its average variance (a fixed, mild shrinkage: N is small next to D). */
export const SHRINKAGE = 0.1;

/**
 * Class-conditional Gaussians with one shared covariance for pooled features: class means, then the pooled
 * within-class covariance kept as its `rank` leading directions plus one variance for all the others, shrunk
 * by SHRINKAGE towards the mean variance.
 */
export function fitLowRankGaussians(features: ArrayLike<number>[], labels: number[], rank: number): LowRankGaussians {
  const d = features[0].length;
  const classes = [...new Set(labels)].sort().filter((c) => labels.filter((l) => l === c).length >= 2);
  const means = classes.map((c) => meanOf(features.filter((_, i) => labels[i] === c), d));
  const covariance: Matrix = Array.from({ length: d }, () => new Array(d).fill(0));
  let n = 0;
  features.forEach((x, i) => {
    const c = classes.indexOf(labels[i]);
    if (c < 0) return;
    const z = Array.from({ length: d }, (_, j) => x[j] - means[c][j]);
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) covariance[a][b] += z[a] * z[b];
    n++;
  });
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) covariance[b][a] = covariance[a][b] /= Math.max(1, n - classes.length);
  }
  const trace = covariance.reduce((s, row, i) => s + row[i], 0);
  const k = Math.max(1, Math.min(rank, d - 1));
  const { values, vectors } = leadingEigen(covariance, k);
  const kept = values.reduce((s, v) => s + Math.max(0, v), 0);
  const average = trace / d;
  const residual = Math.max(0, trace - kept) / Math.max(1, d - k);
  const shrink = (v: number) => (1 - SHRINKAGE) * Math.max(0, v) + SHRINKAGE * average;
  return { means, components: vectors, variances: values.map(shrink), residualVariance: shrink(residual) };
}

/**
 * One Gaussian for the image statistics, its covariance shrunk towards its diagonal, each variance at least
 * `floor` (a statistic that barely varies on the training images, like colour on gray scans, would otherwise
 * call any tiny change infinitely far). Returns the mean and the precision (inverse covariance).
 */
export function fitFullGaussian(rows: ArrayLike<number>[], floor: number): { mean: number[]; precision: Matrix } {
  const d = rows[0].length;
  const mean = meanOf(rows, d);
  const covariance: Matrix = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => rows.reduce((s, x) => s + (x[a] - mean[a]) * (x[b] - mean[b]), 0) / Math.max(1, rows.length - 1))
  );
  const variance = covariance.map((row, i) => Math.max(row[i], floor));
  const shrunk = covariance.map((row, a) =>
    row.map((v, b) => (a === b ? variance[a] : (1 - SHRINKAGE) * v * Math.sqrt((variance[a] * variance[b]) / Math.max(1e-12, covariance[a][a] * covariance[b][b]))))
  );
  return { mean, precision: inverse(shrunk) };
}

/** Mean and standard deviation of log squared distances (the training images' spread, for z-scores). */
export function logScale(squaredDistances: number[]): LogScale {
  const logs = squaredDistances.map((d2) => Math.log(Math.max(d2, 1e-12)));
  const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
  const std = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, logs.length - 1));
  return { mean, std: std || 1 };
}

/** The q-quantile (0–1) of values, linearly interpolated. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * The combination's threshold and scale from validation ultrasound only: `pass` of them score z ≤ zThreshold
 * (so they pass), and the median one scores ultrasoundLike = 0.95.
 */
export function calibrate(validationZ: number[], pass: number): { zThreshold: number; zScale: number } {
  const zThreshold = quantile(validationZ, pass);
  const median = quantile(validationZ, 0.5);
  return { zThreshold, zScale: Math.max(1e-3, (zThreshold - median) / Math.log(19)) };
}

function meanOf(rows: ArrayLike<number>[], d: number): number[] {
  const mean = new Array(d).fill(0);
  for (const x of rows) for (let j = 0; j < d; j++) mean[j] += x[j] / rows.length;
  return mean;
}
