import { IMAGE_STAT_NAMES } from './stats.ts';

/** A Gaussian with a low-rank-plus-isotropic covariance: Σ = Uᵀ diag(λ) U + σ²(I − UᵀU), rows of U orthonormal. */
export interface LowRankGaussians {
  /** One mean per class (class-conditional Gaussians that share one covariance). */
  means: number[][];
  /** k × D principal directions of the pooled within-class covariance. */
  components: number[][];
  /** The k variances along them (shrunk towards residualVariance). */
  variances: number[];
  /** The variance assumed in every other direction (mean of the discarded eigenvalues). */
  residualVariance: number;
}

/** How log squared distances were spread on the training images: z = (log d² − mean) / std. */
export interface LogScale {
  mean: number;
  std: number;
}

/** static/model/gate.json: the input gate's statistics, fitted by train/commands/fit-gate.ts for one model. */
export interface GateJson {
  format: 'ultrasound-gate/1';
  /** The model these features belong to; a gate fitted on another model is not used. */
  model: { name: string; version: string; fingerprint: string; featureLayer: string; featureDim: number };
  /** Mahalanobis distance of the pooled features to the training images' class-conditional Gaussians. */
  features: LowRankGaussians & { scale: LogScale };
  /** Mahalanobis distance of the image statistics (src/gate/stats.ts) to the training images' Gaussian. */
  image: { names: string[]; mean: number[]; precision: number[][]; scale: LogScale };
  /**
   * z = max(z_features, z_image); ultrasoundLike = 1 / (1 + exp((z − zThreshold) / zScale)), flagged when
   * z > zThreshold (so exactly when ultrasoundLike < 0.5). zThreshold is set on validation images only.
   */
  combine: { zThreshold: number; zScale: number };
  /** How it was fitted and calibrated, for the model card (free-form, written by the fit command). */
  calibration: Record<string, unknown>;
}

const isNumbers = (a: unknown, length?: number): a is number[] =>
  Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
  (length === undefined || a.length === length);

/** Checks a parsed gate.json so a broken file fails at start-up, not per request. */
export function parseGateJson(json: unknown): GateJson {
  const gate = json as GateJson;
  const fail = (what: string): never => {
    throw new Error(`gate.json: ${what}`);
  };
  if (!gate || gate.format !== 'ultrasound-gate/1') fail('format must be "ultrasound-gate/1"');
  const dim = gate.model?.featureDim;
  if (typeof gate.model?.fingerprint !== 'string' || !(dim > 0)) fail('model needs fingerprint and featureDim');
  const { features, image, combine } = gate;
  if (!features?.means?.length || !features.means.every((m) => isNumbers(m, dim))) fail('features.means');
  if (!features.components.every((c) => isNumbers(c, dim))) fail('features.components');
  if (!isNumbers(features.variances, features.components.length) || !(features.residualVariance > 0)) {
    fail('features.variances / residualVariance');
  }
  const names = IMAGE_STAT_NAMES as readonly string[];
  if (image?.names?.join() !== names.join()) fail(`image.names must be ${names.join(', ')}`);
  if (!isNumbers(image.mean, names.length) || !image.precision.every((r) => isNumbers(r, names.length))) {
    fail('image.mean / precision');
  }
  for (const scale of [features.scale, image.scale]) if (!(scale?.std > 0)) fail('scale.std must be > 0');
  if (!Number.isFinite(combine?.zThreshold) || !(combine.zScale > 0)) fail('combine');
  return gate;
}
