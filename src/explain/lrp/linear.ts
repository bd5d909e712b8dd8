/**
 * The ε-rule of LRP through a linear map z_j = Σ_i u_i·w_ij·s_j + b_j (Bach et al. 2015, as used
 * by Arras et al. 2017 for LSTMs):
 *
 *   R_{i←j} = u_i·w_ij·s_j / (z_j + ε·sign(z_j)) · R_j,     sign(0) = +1.
 *
 * The rest of R_j, (b_j + ε·sign(z_j)) / (z_j + ε·sign(z_j)) · R_j, is the bias relevance: it is
 * kept in a separate account, so that input + initial-state + bias relevance equals the output
 * score exactly (up to rounding). `s_j` is an optional per-output scale (a gate value multiplying
 * the signal, e.g. GRU's r in reset-after, which takes no relevance itself).
 */

/** z + ε·sign(z) with sign(0) = +1: the stabilised denominator. */
export function stab(z: number, eps: number): number {
  return z >= 0 ? z + eps : z - eps;
}

/**
 * Adds the ε-rule shares of inputs u[uOff .. uOff+n) to Ru[ruOff ..]:
 *   Ru[i] += u_i · Σ_j w[i·ld + off + j] · s_j · q_j,   j < cols,
 * where q_j = R_j / (z_j + ε·sign z_j) is precomputed by the caller.
 */
export function addShares(
  u: Float64Array,
  uOff: number,
  n: number,
  w: Float64Array,
  ld: number,
  off: number,
  q: Float64Array,
  cols: number,
  Ru: Float64Array,
  ruOff: number,
  colScale: Float64Array | null = null,
  scaleOff = 0,
): void {
  for (let i = 0; i < n; i++) {
    const ui = u[uOff + i]!;
    if (ui === 0) continue;
    const row = i * ld + off;
    let s = 0;
    if (colScale) for (let j = 0; j < cols; j++) s += w[row + j]! * colScale[scaleOff + j]! * q[j]!;
    else for (let j = 0; j < cols; j++) s += w[row + j]! * q[j]!;
    Ru[ruOff + i] = Ru[ruOff + i]! + ui * s;
  }
}
