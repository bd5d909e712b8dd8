/**
 * The surrogate models of KernelSHAP and LIME, fitted on binary coalition vectors z (n × M) with
 * sample weights w and an intercept (as scikit-learn, which Captum calls):
 * - weighted least squares, minimum-norm when under-determined (LinearRegression / lstsq):
 *   β = pinv(Ẑᵀ W Ẑ) Ẑᵀ W ŷ on weighted-centred Ẑ, ŷ; β₀ = ȳ − z̄ᵀβ
 * - lasso (Lasso, by coordinate descent):
 *   min_β (1 / (2 Σw)) Σ_i w_i (y_i − β₀ − z_iᵀβ)² + α ‖β‖₁
 */

/** Weighted means and the centred copies of z (n × M, row-major) and y. */
function centre(z: Float64Array, y: Float64Array, w: Float64Array, M: number) {
  const n = y.length;
  let sw = 0;
  for (let i = 0; i < n; i++) sw += w[i]!;
  const zbar = new Float64Array(M);
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    ybar += (w[i]! * y[i]!) / sw;
    for (let j = 0; j < M; j++) zbar[j] = zbar[j]! + (w[i]! * z[i * M + j]!) / sw;
  }
  const zc = new Float64Array(n * M);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yc[i] = y[i]! - ybar;
    for (let j = 0; j < M; j++) zc[i * M + j] = z[i * M + j]! - zbar[j]!;
  }
  return { sw, zbar, ybar, zc, yc };
}

/** Eigen-decomposition of a symmetric M × M matrix by cyclic Jacobi rotations (a is destroyed). */
function symmetricEigen(
  a: Float64Array,
  M: number,
): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(M * M);
  for (let i = 0; i < M; i++) v[i * M + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < M; p++) for (let q = p + 1; q < M; q++) off += a[p * M + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < M; p++)
      for (let q = p + 1; q < M; q++) {
        const apq = a[p * M + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        // Rotation angle that zeroes a[p, q]: tan 2θ = 2 a_pq / (a_qq − a_pp).
        const theta = (a[q * M + q]! - a[p * M + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < M; k++) {
          const akp = a[k * M + p]!;
          const akq = a[k * M + q]!;
          a[k * M + p] = c * akp - s * akq;
          a[k * M + q] = s * akp + c * akq;
        }
        for (let k = 0; k < M; k++) {
          const apk = a[p * M + k]!;
          const aqk = a[q * M + k]!;
          a[p * M + k] = c * apk - s * aqk;
          a[q * M + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < M; k++) {
          const vkp = v[k * M + p]!;
          const vkq = v[k * M + q]!;
          v[k * M + p] = c * vkp - s * vkq;
          v[k * M + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(M);
  for (let i = 0; i < M; i++) values[i] = a[i * M + i]!;
  return { values, vectors: v };
}

/** Weighted least squares with intercept; the minimum-norm β when ZᵀWZ is singular. */
export function weightedLeastSquares(
  z: Float64Array,
  y: Float64Array,
  w: Float64Array,
  M: number,
): { coef: Float64Array; intercept: number } {
  const n = y.length;
  const { zbar, ybar, zc, yc } = centre(z, y, w, M);
  const A = new Float64Array(M * M);
  const rhs = new Float64Array(M);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    for (let j = 0; j < M; j++) {
      const zij = wi * zc[i * M + j]!;
      rhs[j] = rhs[j]! + zij * yc[i]!;
      for (let k = j; k < M; k++) A[j * M + k] = A[j * M + k]! + zij * zc[i * M + k]!;
    }
  }
  for (let j = 0; j < M; j++) for (let k = 0; k < j; k++) A[j * M + k] = A[k * M + j]!;
  const { values, vectors } = symmetricEigen(A, M);
  const top = Math.max(...values.map(Math.abs), 0);
  // pinv: drop directions whose eigenvalue is numerically zero.
  const coef = new Float64Array(M);
  for (let e = 0; e < M; e++) {
    if (Math.abs(values[e]!) <= 1e-11 * top) continue;
    let proj = 0;
    for (let j = 0; j < M; j++) proj += vectors[j * M + e]! * rhs[j]!;
    const s = proj / values[e]!;
    for (let j = 0; j < M; j++) coef[j] = coef[j]! + s * vectors[j * M + e]!;
  }
  let intercept = ybar;
  for (let j = 0; j < M; j++) intercept -= zbar[j]! * coef[j]!;
  return { coef, intercept };
}

/** Lasso with intercept by cyclic coordinate descent (scikit-learn's objective with sample weights). */
export function lasso(
  z: Float64Array,
  y: Float64Array,
  w: Float64Array,
  M: number,
  alpha: number,
  maxSweeps = 10000,
  tol = 1e-12,
): { coef: Float64Array; intercept: number; sweeps: number } {
  const n = y.length;
  const { sw, zbar, ybar, zc, yc } = centre(z, y, w, M);
  const coef = new Float64Array(M);
  const resid = Float64Array.from(yc); // r = ŷ − Ẑβ
  const norm = new Float64Array(M); // (1/Σw) Σ w ẑ_j²
  for (let j = 0; j < M; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * zc[i * M + j]! ** 2;
    norm[j] = s / sw;
  }
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let change = 0;
    for (let j = 0; j < M; j++) {
      if (norm[j] === 0) continue;
      const old = coef[j]!;
      // ρ = (1/Σw) Σ w ẑ_j (r + ẑ_j β_j); β_j = soft(ρ, α) / norm_j
      let rho = 0;
      for (let i = 0; i < n; i++)
        rho += w[i]! * zc[i * M + j]! * (resid[i]! + zc[i * M + j]! * old);
      rho /= sw;
      const next = (Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0)) / norm[j]!;
      if (next !== old) {
        const d = next - old;
        for (let i = 0; i < n; i++) resid[i] = resid[i]! - d * zc[i * M + j]!;
        coef[j] = next;
        change = Math.max(change, Math.abs(d));
      }
    }
    if (change <= tol) break;
  }
  let intercept = ybar;
  for (let j = 0; j < M; j++) intercept -= zbar[j]! * coef[j]!;
  return { coef, intercept, sweeps };
}
