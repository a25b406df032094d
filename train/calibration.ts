/**
 * Fits the Platt map served from the model card (src/model/calibration.ts): logistic regression of the label on
 * logit(raw score). Fit it on VALIDATION data (or a site's own labels), never on a set it is reported on.
 * ECE and reliability bins: `calibration()` in train/eval/metrics.ts.
 */
import { applyCalibration, type Calibration, logit, sigmoid } from '../src/model/calibration.ts';
import { calibration as reliability } from './eval/metrics.ts';

/** Options of fitPlatt. */
export interface PlattOptions {
  /** Names the set in the card's `calibration.fittedOn`. */
  fittedOn?: string;
  /**
   * Weight of a Gaussian pull towards the identity map (slope 1, intercept 0), in pseudo-observations. It keeps
   * the fit finite when the set is perfectly separated (the unpenalised slope would run to infinity) and barely
   * moves it otherwise (1 against ~100 images).
   */
  ridge?: number;
}

/**
 * Platt scaling by Newton's method (IRLS) with step halving: minimises the cross-entropy of
 * sigmoid(slope · logit(score) + intercept) against the labels (1 = malignant) plus the ridge term.
 * Deterministic: same inputs, same map.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>, options: PlattOptions = {}): Calibration {
  const { fittedOn = 'validation', ridge = 1 } = options;
  const n = scores.length;
  if (n === 0 || labels.length !== n) throw new Error(`fitPlatt needs as many labels as scores (got ${n} and ${labels.length})`);
  if (!(ridge > 0)) throw new Error('fitPlatt needs ridge > 0');
  const x = Float64Array.from(scores, logit);
  const y = Float64Array.from(labels, (l) => {
    if (l !== 0 && l !== 1) throw new Error(`labels must be 0 or 1, got ${l}`);
    return l;
  });
  const loss = (a: number, b: number) => {
    let total = 0.5 * ridge * ((a - 1) ** 2 + b ** 2);
    for (let i = 0; i < n; i++) {
      const z = a * x[i] + b;
      // log(1 + e^z) − y·z, stable for large |z|.
      total += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
    }
    return total;
  };
  let a = 1, b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = ridge * (a - 1), gb = ridge * b;
    let haa = ridge, hab = 0, hbb = ridge;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * x[i] + b);
      const w = p * (1 - p);
      ga += (p - y[i]) * x[i];
      gb += p - y[i];
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const moved = Math.abs(step * da) + Math.abs(step * db);
    current = next;
    if (moved < 1e-12) break;
  }
  if (!(a > 0)) {
    // Scores that rank worse than chance on this set: a reversing map would break the threshold; refuse it.
    throw new Error(`fitPlatt: fitted slope ${a} is not positive; the scores do not rank this set`);
  }
  return { method: 'platt', slope: a, intercept: b, fittedOn, n };
}

/** ECE (10 equal-width bins) of raw and of calibrated scores on one labelled set, for the card. */
export function eceBeforeAfter(scores: number[], labels: number[], map: Calibration): { raw: number; calibrated: number } {
  return {
    raw: reliability(scores, labels).ece,
    calibrated: reliability(scores.map((s) => applyCalibration(s, map)), labels).ece,
  };
}
