/**
 * Weight initialisers, seeded by an Rng.
 * - PyTorch defaults: nn.RNN/LSTM/GRU draw every weight and bias from U(−1/√H, 1/√H); nn.Linear's
 *   kaiming_uniform(a=√5) reduces to U(−1/√fan_in, 1/√fan_in) for the weight and the same bound for
 *   the bias; nn.Embedding draws N(0, 1).
 * - Keras defaults: glorot_uniform kernels U(±√(6/(fan_in+fan_out))), orthogonal recurrent kernels,
 *   zero biases (LSTM: forget-gate bias 1 with unit_forget_bias), embeddings U(−0.05, 0.05).
 */
import type { Rng } from '../core/rng.js';
import type { FloatArray } from '../core/tensor.js';

export function uniformInit(out: FloatArray, rng: Rng, bound: number): FloatArray {
  return rng.fillUniform(out, -bound, bound);
}

/** Glorot/Xavier uniform for a [fanIn, fanOut] matrix. */
export function glorotUniform(
  out: FloatArray,
  rng: Rng,
  fanIn: number,
  fanOut: number,
): FloatArray {
  return uniformInit(out, rng, Math.sqrt(6 / (fanIn + fanOut)));
}

/** PyTorch recurrent default: U(−1/√H, 1/√H). */
export function torchRecurrentInit(out: FloatArray, rng: Rng, hidden: number): FloatArray {
  return uniformInit(out, rng, 1 / Math.sqrt(hidden));
}

/** PyTorch Linear default (kaiming_uniform with a = √5): U(−1/√fan_in, 1/√fan_in). */
export function torchLinearInit(out: FloatArray, rng: Rng, fanIn: number): FloatArray {
  return uniformInit(out, rng, 1 / Math.sqrt(fanIn));
}

/**
 * Keras orthogonal initialiser for a [rows, cols] matrix (gain 1): draw a normal matrix, take the
 * Q factor of its QR decomposition (of its transpose when rows < cols, so the rows come out
 * orthonormal), and fix signs with diag(R) so the result is uniformly distributed.
 * QR by modified Gram–Schmidt with one re-orthogonalisation pass.
 */
export function orthogonal(out: FloatArray, rng: Rng, rows: number, cols: number): FloatArray {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // vector length
  const k = tall ? cols : rows; // number of vectors to orthonormalise
  const a = new Float64Array(rows * cols);
  rng.fillNormal(a);
  // Vectors v_j = column j of the tall matrix (of a when tall, of aᵀ otherwise).
  const v = new Float64Array(k * n);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) v[j * n + i] = tall ? a[i * cols + j]! : a[j * cols + i]!;
  }
  for (let j = 0; j < k; j++) {
    let rjj = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[p * n + i]! * v[j * n + i]!;
        for (let i = 0; i < n; i++) v[j * n + i] = v[j * n + i]! - dot * v[p * n + i]!;
      }
    }
    for (let i = 0; i < n; i++) rjj += v[j * n + i]! ** 2;
    rjj = Math.sqrt(rjj);
    // sign(diag(R)) is positive by construction in Gram–Schmidt, so q_j = v_j / ‖v_j‖.
    for (let i = 0; i < n; i++) v[j * n + i] = v[j * n + i]! / rjj;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = tall ? v[c * n + r]! : v[r * n + c]!;
  }
  return out;
}
