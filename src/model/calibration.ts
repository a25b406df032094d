/**
 * Platt calibration of the model's raw score: p_cal = sigmoid(slope · logit(p_raw) + intercept).
 * Fitted on validation data by train/calibration.ts (fitPlatt); applied at serving time from the model card.
 */

/** The card's `calibration` field: a Platt map fitted on `fittedOn` (n images), never on the reported sets. */
export interface Calibration {
  method: 'platt';
  slope: number;
  intercept: number;
  /** Which labelled set the map was fitted on (e.g. "BUSI validation"). */
  fittedOn: string;
  n: number;
}

// Raw scores of exactly 0 or 1 (float32 saturation) would give infinite logits.
const EPS = 1e-7;

/** log(p / (1 − p)), with p clamped away from 0 and 1. */
export function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

/** 1 / (1 + e^−z), written so large |z| neither overflows nor loses precision. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The calibrated probability for a raw score; the raw score itself when the card has no calibration. */
export function applyCalibration(raw: number, calibration?: Calibration): number {
  if (!calibration) return raw;
  // 12 significant digits: Math.exp/log may differ in the last bit between V8 builds (Deno vs workerd), and the
  // same image must get the same answer on every runtime.
  return Number(sigmoid(calibration.slope * logit(raw) + calibration.intercept).toPrecision(12));
}

/** The raw score whose calibrated probability is `p` (the map is increasing, so this is its inverse). */
export function invertCalibration(p: number, calibration?: Calibration): number {
  if (!calibration) return p;
  return sigmoid((logit(p) - calibration.intercept) / calibration.slope);
}

/** Checks a card's `calibration` field; throws with the reason so a bad card fails at start-up. */
export function parseCalibration(json: unknown): Calibration | undefined {
  if (json === undefined) return undefined;
  const c = json as Partial<Calibration> | null;
  if (!c || c.method !== 'platt') throw new Error('model card "calibration.method" must be "platt"');
  // A non-positive slope would reverse or flatten the order of scores and break the threshold's meaning.
  if (typeof c.slope !== 'number' || !Number.isFinite(c.slope) || !(c.slope > 0)) {
    throw new Error('model card "calibration.slope" must be a finite number > 0');
  }
  if (typeof c.intercept !== 'number' || !Number.isFinite(c.intercept)) {
    throw new Error('model card "calibration.intercept" must be a finite number');
  }
  if (typeof c.fittedOn !== 'string' || !c.fittedOn) throw new Error('model card "calibration.fittedOn" must name the set');
  if (typeof c.n !== 'number' || !Number.isInteger(c.n) || c.n < 1) throw new Error('model card "calibration.n" must be a positive integer');
  return c as Calibration;
}
