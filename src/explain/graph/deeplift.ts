/**
 * DeepLIFT multipliers through a graph layer, op by op (plan.ts), given the layer's re-runs at the
 * input and at the baseline. Every rule is an exact decomposition Δy = Σ m·Δx, so chaining them
 * keeps summation-to-delta:
 *
 * - ops linear in their data inputs (shape, affine, scale): the gradient (the same everywhere);
 * - products of two data operands (Mul, MatMul, Gemm: bilinear): the gradient at the midpoint
 *   of input and baseline, i.e. the Shapley split Δ(ab) = ½(b + b₀)·Δa + ½(a + a₀)·Δb used in
 *   the recurrent cells (../deeplift/cells.ts); a / b is the product a · (1/b) with the secant
 *   of 1/b, −1/(b·b₀);
 * - elementwise functions of one data input: the rescale rule, Δy/Δx (the gradient at the
 *   midpoint when Δx ≈ 0);
 * - max-type ops: as the max head, the winners at the input and at the baseline share the
 *   difference when they differ;
 * - LayerNormalization, and a Softmax/LogSoftmax inside the graph (attention weights): written
 *   as sums, products and elementwise functions (y = γ·(x − μ)·s + β with s = 1/√(var + ε);
 *   softmax = e_i · 1/Σe with e = exp(x)), each with the rules above.
 */
import type { GraphLayer } from '../../nn/graph/layer.js';
import { broadcastIndex, type Nd } from '../../nn/graph/nd.js';
import { GRAPH_OPS } from '../../nn/graph/ops.js';
import { softmaxGeom } from '../../nn/graph/ops-reduce.js';
import { attrNum, type Forward, type GNode, type OpEnv } from '../../nn/graph/rule.js';
import type { LayerRecord } from '../lrp/unroll.js';
import { graphPlan, type NodePlan } from './plan.js';
import { inputArray, seedValues } from './trace.js';

const TINY = 1e-10;

const nd = (x: Nd, data: Float64Array): Nd => ({ shape: [...x.shape], data, int: false });

function midpoint(ins: Array<Nd | null>, ins0: Array<Nd | null>, slots: number[]): Array<Nd | null> {
  return ins.map((x, s) => {
    if (!x || !slots.includes(s)) return x;
    const x0 = ins0[s]!;
    return nd(x, Float64Array.from(x.data, (v, i) => 0.5 * (v + x0.data[i]!)));
  });
}

/** The gradient of Σ m·y at `ins` (a fresh forward there). */
function gradAt(n: GNode, env: OpEnv, ins: Array<Nd | null>, m: Nd[], f?: Forward): Array<Nd | null> {
  const rule = GRAPH_OPS[n.op]!;
  return rule.backward!(m, ins, f ?? rule.forward(ins, n, env), n, env);
}

/** The input slot and flat index each output of a max-type op takes its value from. */
function winners(n: GNode, f: Forward, ins: Array<Nd | null>): { slot: Int32Array; at: Int32Array } {
  const saved = f.saved as { pick: Int32Array; bc?: { maps: Int32Array[] } };
  const m = f.outs[0]!.data.length;
  const slot = new Int32Array(m);
  const at = new Int32Array(m);
  if (n.op !== 'Max') {
    at.set(saved.pick.subarray(0, m));
    return { slot, at };
  }
  const present = ins.flatMap((x, s) => (x ? [s] : []));
  for (let o = 0; o < m; o++) {
    const k = saved.pick[o]!;
    slot[o] = present[k]!;
    at[o] = saved.bc!.maps[k]![o]!;
  }
  return { slot, at };
}

function maxRule(n: GNode, p: NodePlan, f: Forward, f0: Forward, ins: Array<Nd | null>, ins0: Array<Nd | null>, m: Nd): Array<Nd | null> {
  const w = winners(n, f, ins);
  const w0 = winners(n, f0, ins0);
  const out = ins.map((x, s) => (x && p.recv.includes(s) ? nd(x, new Float64Array(x.data.length)) : null));
  const dx = (s: number, i: number) => (out[s] ? ins[s]!.data[i]! - ins0[s]!.data[i]! : 0);
  const y = f.outs[0]!.data;
  const y0 = f0.outs[0]!.data;
  for (let o = 0; o < y.length; o++) {
    const [s1, i1, s0, i0] = [w.slot[o]!, w.at[o]!, w0.slot[o]!, w0.at[o]!];
    const same = s1 === s0 && i1 === i0;
    const den = same ? 0 : dx(s1, i1) + dx(s0, i0);
    if (same || Math.abs(den) < 1e-12) {
      if (out[s1]) out[s1]!.data[i1] += m.data[o]!;
      continue;
    }
    const mult = ((y[o]! - y0[o]!) / den) * m.data[o]!;
    if (out[s1]) out[s1]!.data[i1] += mult;
    if (out[s0]) out[s0]!.data[i0] += mult;
  }
  return out;
}

/** Rescale through an elementwise function of the data input `s`. */
function rescale(n: GNode, env: OpEnv, p: NodePlan, f: Forward, f0: Forward, ins: Array<Nd | null>, ins0: Array<Nd | null>, m: Nd): Array<Nd | null> {
  const s = p.recv[0]!;
  const x = ins[s]!;
  const x0 = ins0[s]!;
  const y = f.outs[0]!;
  if (x.data.length !== y.data.length) throw new Error(`DeepLIFT: op '${n.name}' (${n.op}) broadcasts its data input`);
  const g = gradAt(n, env, midpoint(ins, ins0, [s]), [m])[s]!;
  const d = new Float64Array(x.data.length);
  for (let i = 0; i < d.length; i++) {
    const dx = x.data[i]! - x0.data[i]!;
    d[i] = Math.abs(dx) > TINY ? (m.data[i]! * (y.data[i]! - f0.outs[0]!.data[i]!)) / dx : g.data[i]!;
  }
  return ins.map((_, k) => (k === s ? nd(x, d) : null));
}

/** a / b = a · (1/b): m_a = ½(1/b + 1/b₀), m_b = ½(a + a₀) · (−1/(b·b₀)). */
function divRule(f: Forward, ins: Array<Nd | null>, ins0: Array<Nd | null>, m: Nd): Array<Nd | null> {
  const [a, b] = [ins[0]!, ins[1]!];
  const [a0, b0] = [ins0[0]!, ins0[1]!];
  const shape = f.outs[0]!.shape;
  const ma = broadcastIndex(a.shape, shape);
  const mb = broadcastIndex(b.shape, shape);
  const ga = new Float64Array(a.data.length);
  const gb = new Float64Array(b.data.length);
  for (let o = 0; o < ma.length; o++) {
    const [i, j] = [ma[o]!, mb[o]!];
    const [bv, bv0] = [b.data[j]!, b0.data[j]!];
    ga[i] += m.data[o]! * 0.5 * (1 / bv + 1 / bv0);
    gb[j] += m.data[o]! * 0.5 * (a.data[i]! + a0.data[i]!) * (-1 / (bv * bv0));
  }
  return [nd(a, ga), nd(b, gb)];
}

function layerNormRule(n: GNode, f: Forward, f0: Forward, ins: Array<Nd | null>, ins0: Array<Nd | null>, m: Nd): Array<Nd | null> {
  const x = ins[0]!;
  const x0 = ins0[0]!;
  const sc = ins[1]!;
  const eps = attrNum(n, 'epsilon', 1e-5);
  const { n: N, rows, inv, ms } = f.saved as { n: number; rows: number; inv: Float64Array; ms: Int32Array };
  const inv0 = (f0.saved as { inv: Float64Array }).inv;
  const out = new Float64Array(x.data.length);
  const ub = new Float64Array(N);
  const mu = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    let mean0 = 0;
    for (let j = 0; j < N; j++) {
      mean += x.data[r * N + j]!;
      mean0 += x0.data[r * N + j]!;
    }
    mean /= N;
    mean0 /= N;
    let v = 0;
    let v0 = 0;
    for (let j = 0; j < N; j++) {
      const u = x.data[r * N + j]! - mean;
      const u0 = x0.data[r * N + j]! - mean0;
      v += u * u;
      v0 += u0 * u0;
      ub[j] = 0.5 * (u + u0);
    }
    v /= N;
    v0 /= N;
    const [s, s0] = [inv[r]!, inv0[r]!];
    const rho = Math.abs(v - v0) > TINY ? (s - s0) / (v - v0) : -0.5 * (0.5 * (v + v0) + eps) ** -1.5;
    let A = 0;
    for (let j = 0; j < N; j++) A += sc.data[ms[j]!]! * ub[j]! * m.data[r * N + j]!;
    let mm = 0;
    for (let j = 0; j < N; j++) {
      mu[j] = sc.data[ms[j]!]! * 0.5 * (s + s0) * m.data[r * N + j]! + ((2 * ub[j]!) / N) * rho * A;
      mm += mu[j]!;
    }
    mm /= N;
    for (let j = 0; j < N; j++) out[r * N + j] = mu[j]! - mm;
  }
  return [nd(x, out), null, null];
}

function softmaxRule(n: GNode, env: OpEnv, ins: Array<Nd | null>, ins0: Array<Nd | null>, m: Nd): Array<Nd | null> {
  const x = ins[0]!;
  const x0 = ins0[0]!;
  const { outer, n: K, inner } = softmaxGeom(x, n, env);
  const log = n.op === 'LogSoftmax';
  const out = new Float64Array(x.data.length);
  const e = new Float64Array(K);
  const e0 = new Float64Array(K);
  const sig = new Float64Array(K);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < inner; k++) {
      const at = (j: number) => (o * K + j) * inner + k;
      let c = -Infinity;
      for (let j = 0; j < K; j++) c = Math.max(c, x.data[at(j)]!, x0.data[at(j)]!);
      let [S, S0, A, M] = [0, 0, 0, 0];
      for (let j = 0; j < K; j++) {
        const [s, s0] = [x.data[at(j)]! - c, x0.data[at(j)]! - c];
        e[j] = Math.exp(s);
        e0[j] = Math.exp(s0);
        sig[j] = Math.abs(s - s0) > TINY ? (e[j]! - e0[j]!) / (s - s0) : Math.exp(0.5 * (s + s0));
        S += e[j]!;
        S0 += e0[j]!;
        A += 0.5 * (e[j]! + e0[j]!) * m.data[at(j)]!;
        M += m.data[at(j)]!;
      }
      if (log) {
        const lam = Math.abs(S - S0) > TINY * S ? (Math.log(S) - Math.log(S0)) / (S - S0) : 2 / (S + S0);
        for (let j = 0; j < K; j++) out[at(j)] = m.data[at(j)]! - sig[j]! * lam * M;
      } else {
        const rbar = 0.5 * (1 / S + 1 / S0);
        const rho = -1 / (S * S0);
        for (let j = 0; j < K; j++) out[at(j)] = sig[j]! * (rbar * m.data[at(j)]! + rho * A);
      }
    }
  return [nd(x, out)];
}

function nodeMultipliers(layer: GraphLayer, n: GNode, p: NodePlan, f: Forward, f0: Forward, ins: Array<Nd | null>, ins0: Array<Nd | null>, M: Map<string, Nd>): Array<Nd | null> {
  const env = { opset: layer.config().opset };
  const ms = n.outputs.map((o, i) => M.get(o) ?? nd(f.outs[i]!, new Float64Array(f.outs[i]!.data.length)));
  const m = ms[0]!;
  switch (p.cls) {
    case 'shape':
    case 'affine':
    case 'scale':
      return gradAt(n, env, ins, ms, f);
    case 'product':
      if (n.op === 'Div') return divRule(f, ins, ins0, m);
      return gradAt(n, env, midpoint(ins, ins0, p.data), ms);
    case 'activation':
    case 'elementwise':
      return rescale(n, env, p, f, f0, ins, ins0, m);
    case 'max':
      return maxRule(n, p, f, f0, ins, ins0, m);
    case 'layernorm':
      return layerNormRule(n, f, f0, ins, ins0, m);
    case 'softmax':
      return softmaxRule(n, env, ins, ins0, m);
  }
}

/** Multipliers on the graph layer's input (one sequence) from multipliers `mOut` on its output. */
export function deepliftGraph(rec: LayerRecord, rec0: LayerRecord, mOut: Float64Array): Float64Array {
  if (rec.kind !== 'graph' || rec0.kind !== 'graph') throw new Error('DeepLIFT: graph rule got another record');
  const { layer, trace } = rec;
  const plan = graphPlan('DeepLIFT', layer, trace.softmax);
  const { vals, fwd } = trace.saved;
  const { vals: vals0, fwd: fwd0 } = rec0.trace.saved;
  const M = seedValues(layer, trace, rec.out, mOut);
  for (let k = layer.nodes.length - 1; k >= 0; k--) {
    const p = plan.nodes.get(k);
    const n = layer.nodes[k]!;
    if (!p || !n.outputs.some((o) => M.has(o))) continue;
    const ins = n.inputs.map((i) => (i ? vals.get(i)! : null));
    const ins0 = n.inputs.map((i) => (i ? vals0.get(i)! : null));
    const mIn = n.name === trace.softmax ? [M.get(n.outputs[0]!)!] : nodeMultipliers(layer, n, p, fwd[k]!, fwd0[k]!, ins, ins0, M);
    for (const s of p.recv) {
      const g = mIn[s];
      if (!g) continue;
      const name = n.inputs[s]!;
      const prev = M.get(name);
      if (prev) for (let i = 0; i < g.data.length; i++) prev.data[i] += g.data[i]!;
      else M.set(name, nd(ins[s]!, Float64Array.from(g.data)));
    }
  }
  return inputArray(layer, trace, M);
}
