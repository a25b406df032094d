/** The little dense linear algebra the gate fit needs (symmetric eigenproblems, inverse), in double precision. */

/** A square matrix, row-major. */
export type Matrix = number[][];

/** Eigenvalues (descending) and eigenvectors (as rows) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: Matrix): { values: number[]; vectors: Matrix } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}

/**
 * The k leading eigenpairs of a symmetric positive semi-definite D × D matrix by subspace iteration with a
 * Rayleigh–Ritz step (D may be in the thousands, where a full Jacobi solve would be too slow).
 */
export function leadingEigen(matrix: Matrix, k: number, iterations = 150): { values: number[]; vectors: Matrix } {
  const d = matrix.length;
  const block = Math.min(d, k + 10);
  // A fixed pseudo-random start, so the fit is reproducible.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  let basis = orthonormalRows(Array.from({ length: block }, () => Array.from({ length: d }, random)));
  for (let it = 0; it < iterations; it++) basis = orthonormalRows(basis.map((row) => multiply(matrix, row)));
  const projected = basis.map((row) => multiply(matrix, row));
  const small = basis.map((bi) => projected.map((pj) => dot(bi, pj)));
  const { values, vectors } = symmetricEigen(small);
  const rotated = vectors.map((w) => Array.from({ length: d }, (_, i) => w.reduce((s, wj, j) => s + wj * basis[j][i], 0)));
  return { values: values.slice(0, k), vectors: rotated.slice(0, k) };
}

/** Inverse of a small well-conditioned matrix (Gauss–Jordan with partial pivoting). */
export function inverse(matrix: Matrix): Matrix {
  const n = matrix.length;
  const a: Matrix = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-300) throw new Error('singular matrix');
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    for (let j = 0; j < 2 * n; j++) a[col][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[col][j];
    }
  }
  return a.map((row) => row.slice(n));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function multiply(matrix: Matrix, x: number[]): number[] {
  return matrix.map((row) => dot(row, x));
}

function orthonormalRows(rows: Matrix): Matrix {
  const out: Matrix = [];
  for (const row of rows) {
    const v = [...row];
    for (const q of out) {
      const p = dot(q, v);
      for (let i = 0; i < v.length; i++) v[i] -= p * q[i];
    }
    const norm = Math.sqrt(dot(v, v)) || 1;
    out.push(v.map((x) => x / norm));
  }
  return out;
}
