import type { LowRankGaussians } from './format.ts';

/**
 * Squared Mahalanobis distance to the nearest class mean under the shared low-rank-plus-isotropic covariance:
 * Σ_j (u_j·z)² / λ_j + (‖z‖² − Σ_j (u_j·z)²) / σ², z = x − μ_c. Costs (classes + k) · D multiply-adds.
 */
export function lowRankDistance(x: ArrayLike<number>, g: LowRankGaussians): number {
  let best = Infinity;
  const z = new Float64Array(x.length);
  for (const mean of g.means) {
    let norm = 0;
    for (let i = 0; i < z.length; i++) {
      z[i] = x[i] - mean[i];
      norm += z[i] * z[i];
    }
    let inPlane = 0, d2 = 0;
    for (let j = 0; j < g.components.length; j++) {
      const u = g.components[j];
      let p = 0;
      for (let i = 0; i < z.length; i++) p += u[i] * z[i];
      inPlane += p * p;
      d2 += (p * p) / g.variances[j];
    }
    d2 += Math.max(0, norm - inPlane) / g.residualVariance;
    best = Math.min(best, d2);
  }
  return best;
}

/** Squared Mahalanobis distance (x − μ)ᵀ P (x − μ) with a full precision matrix P. */
export function fullDistance(x: ArrayLike<number>, mean: number[], precision: number[][]): number {
  const z = Array.from(mean, (m, i) => x[i] - m);
  let d2 = 0;
  for (let i = 0; i < z.length; i++) {
    let row = 0;
    for (let j = 0; j < z.length; j++) row += precision[i][j] * z[j];
    d2 += z[i] * row;
  }
  return d2;
}
