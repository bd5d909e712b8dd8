/**
 * Graph-layer ops of attention in the certification pass (./graph-layer.ts):
 *
 *   MatMul of two values that both depend on the input (scores Q·Kᵀ, weights·V): every scalar
 *     product a_ik·b_kj is one element of a 'mul' product node (interval product for IBP,
 *     McCormick planes for CROWN, ../relax/bilinear.ts), and the sums over k are one affine node —
 *     the same sum the forward pass adds up. Batch dimensions broadcast, 1-D operands follow ONNX
 *     (numpy) matmul.
 *   Softmax and LogSoftmax over any axis, as the decomposition
 *       softmax_j = 1 / Σ_l exp(x_l − x_j + ρ),   logsoftmax_j = −log Σ_l exp(x_l − x_j + ρ),
 *     one affine node of all differences (l = j included), an exp act node, one affine node of the
 *     sums and a 'softmax-recip' (range cut to [0, 1]) or log act node. The differences never
 *     overflow, whatever the logits. ρ = Σ_l r_l over the row, r_l a 'softmax-slack' act node of
 *     x_l (value 0, allowance 2^-49·(|x_l| + 1)): the forward pass computes
 *     exp(x_j − (ln Σ_l exp(x_l − m) + m)), m = max_l x_l, which is the exact softmax with its
 *     exponent moved by η_j, |η_j| ≤ 2^-53·(n + 4 + 6·ln n + 5·max_l |x_l|) (rounding of the
 *     differences, the sum, the log and the two subtractions; exp within 4 ulps), and |ρ| can
 *     reach 2^-49·(Σ_l |x_l| + n), which covers it; the final exp's own rounding is in the
 *     reciprocal's relative allowance.
 */
import type { GNode } from '../../../nn/graph/rule.js';
import { broadcastIndex, broadcastShapes, numel } from '../../../nn/graph/nd.js';
import { softmaxGeom } from '../../../nn/graph/ops-reduce.js';
import type { OpEnv } from '../../../nn/graph/rule.js';
import type { BoundGraph } from './graph.js';
import { times, type Refuse } from './graph-smooth.js';
import { affineFrom, materialize, nodeSym, toNd, type Sym } from './graph-sym.js';

/** Elements of `s` at positions `pick`, as a 1-D value. */
function gather(s: Sym, pick: ArrayLike<number>): Sym {
  const n = pick.length;
  return {
    shape: [n],
    ref: Int32Array.from({ length: n }, (_, i) => s.ref[pick[i]!]!),
    idx: Int32Array.from({ length: n }, (_, i) => s.idx[pick[i]!]!),
    val: Float64Array.from({ length: n }, (_, i) => s.val[pick[i]!]!),
    int: false,
  };
}

/** MatMul a·b where both depend on the input. */
export function lowerMatMul(g: BoundGraph, label: string, n: GNode, a: Sym, b: Sym, refuse: Refuse): Sym {
  const sa = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const sb = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  if (sa.length < 2 || sb.length < 2) refuse('has a scalar operand');
  const [M, K] = sa.slice(-2) as [number, number];
  const [K2, N] = sb.slice(-2) as [number, number];
  if (K !== K2) refuse(`multiplies shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] whose inner dimensions differ`);
  const ba = sa.slice(0, -2);
  const bb = sb.slice(0, -2);
  const batch = broadcastShapes([ba, bb], `graph op '${n.name}'`);
  const pad = (s: number[]) => [...new Array<number>(batch.length - s.length).fill(1), ...s];
  const mapA = broadcastIndex(pad(ba), batch);
  const mapB = broadcastIndex(pad(bb), batch);
  const nb = numel(batch);
  const out = nb * M * N;
  const P = out * K;
  const pa = new Int32Array(P);
  const pb = new Int32Array(P);
  for (let t = 0; t < nb; t++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++)
        for (let k = 0; k < K; k++) {
          const q = ((t * M + i) * N + j) * K + k;
          pa[q] = (mapA[t]! * M + i) * K + k;
          pb[q] = (mapB[t]! * K + k) * N + j;
        }
  const ctx = { g, label, refuse };
  const prod = times(ctx, gather(a, pa), gather(b, pb), `${n.name} products`);
  const id = affineFrom(g, [prod], out, (r, _k, q) => (Math.floor(q / K) === r ? 1 : 0), new Float64Array(out), `${label} ${n.name}`);
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return nodeSym(id, shape);
}

/** Softmax or LogSoftmax of `x` (see the header). */
export function lowerSoftmax(g: BoundGraph, label: string, n: GNode, x: Sym, env: OpEnv): Sym {
  const { outer, n: len, inner } = softmaxGeom(toNd(x), n, env);
  const m = x.ref.length;
  const rows = outer * inner;
  // element (row, j) of the layout x uses, row = o·inner + k
  const at = (row: number, j: number) => (Math.floor(row / inner) * len + j) * inner + (row % inner);
  const rowOf = new Int32Array(m);
  const posOf = new Int32Array(m);
  for (let row = 0; row < rows; row++)
    for (let j = 0; j < len; j++) {
      rowOf[at(row, j)] = row;
      posOf[at(row, j)] = j;
    }
  const xs = nodeSym(materialize(g, x, `${label} ${n.name} in`), [m]);
  const slack = nodeSym(g.act('softmax-slack', xs.ref[0]!, `${label} ${n.name} rounding slack`), [m]);
  // d[(row·len + j)·len + l] = x_l − x_j + Σ_l' r_l'
  const D = rows * len * len;
  const coef = (i: number, k: number, e: number): number => {
    const row = Math.floor(i / (len * len));
    if (rowOf[e] !== row) return 0;
    if (k === 1) return 1;
    const j = Math.floor(i / len) % len;
    const l = i % len;
    return (posOf[e] === l ? 1 : 0) - (posOf[e] === j ? 1 : 0);
  };
  const d = affineFrom(g, [xs, slack], D, coef, new Float64Array(D), `${label} ${n.name} differences`);
  const e = g.act('exp', d, `${label} ${n.name} exp`);
  const es = nodeSym(e, [D]);
  // s at x's layout: s[at(row, j)] = Σ_l e[(row·len + j)·len + l]
  const s = affineFrom(g, [es], m, (p, _k, q) => (Math.floor(q / len) === rowOf[p]! * len + posOf[p]! ? 1 : 0), new Float64Array(m), `${label} ${n.name} sums`);
  if (n.op === 'Softmax') return nodeSym(g.act('softmax-recip', s, `${label} ${n.name}`), [...x.shape]);
  const lg = nodeSym(g.act('log', s, `${label} ${n.name} log`), [m]);
  const id = affineFrom(g, [lg], m, (p, _k, q) => (p === q ? -1 : 0), new Float64Array(m), `${label} ${n.name}`);
  return nodeSym(id, [...x.shape]);
}
