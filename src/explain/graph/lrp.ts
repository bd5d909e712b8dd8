/**
 * LRP through a graph layer: the relevance on its output goes back op by op (plan.ts says which
 * ops and inputs) with the rules of the rnnlens layers:
 *
 * - affine ops (z = Σ contributions + b): the ε-rule of ../lrp/linear.ts, written with the op's
 *   own gradient: q = R / (z + ε·sign z), R_x = x ⊙ ∂(q·z)/∂x. What the inputs do not take (bias,
 *   ε, constant operands) is the op's bias share. A MatMul/Conv followed only by the Add of a
 *   constant bias (how a Linear on 3-D input exports) is one map, z being the Add's output;
 * - shape ops and max-type ops: relevance moves with the values (the gradient's routing; max is
 *   winner-take-all, like the max head);
 * - scale ops (one contribution per output: Mul/Div by a constant, Neg) and monotone elementwise
 *   activations: relevance passes unchanged, as through a dense layer's activation;
 * - gate × value products (attention weights @ values, weights ⊙ values, GELU's x·Φ(x), and
 *   value / std): the gate is a constant weight. Elementwise, the value takes all the relevance
 *   (signal-take-all, as in the LSTM/GRU cells); MatMul/Gemm is the ε-rule with the gate as the
 *   weight matrix;
 * - LayerNormalization: the LN-rule, the normalising std a constant, so y = x·W + β with
 *   W_ij = (δ_ij − 1/N)·γ_j/σ is one linear map and takes the ε-rule.
 *
 * Bias shares follow the pass's mode (cells.ts `spill`): 'keep' books them as bias relevance,
 * 'redistribute' spreads an op's share equally over the elements of its relevance-taking inputs.
 */
import type { GraphLayer } from '../../nn/graph/layer.js';
import { broadcastIndex, scatterAdd, type Nd } from '../../nn/graph/nd.js';
import { GRAPH_OPS } from '../../nn/graph/ops.js';
import type { Forward, GNode } from '../../nn/graph/rule.js';
import { spill, type Accounts } from '../lrp/cells.js';
import { stab } from '../lrp/linear.js';
import type { LayerRecord } from '../lrp/unroll.js';
import { graphPlan, type NodePlan } from './plan.js';
import { inputArray, seedValues } from './trace.js';

const ENV = (layer: GraphLayer) => ({ opset: layer.config().opset });

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

function filled(n: GNode, f: Forward, R: Map<string, Nd>): Nd[] {
  return n.outputs.map((o, i) => R.get(o) ?? { shape: [...f.outs[i]!.shape], data: new Float64Array(f.outs[i]!.data.length), int: false });
}

/** The ε-rule through an op linear in the inputs `slots`, its output z (default f.outs[0]). */
function epsilonRule(layer: GraphLayer, n: GNode, f: Forward, ins: Array<Nd | null>, Ry: Nd, slots: number[], eps: number, zOut?: Float64Array): Array<Nd | null> {
  const z = zOut ?? f.outs[0]!.data;
  const q = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) q[i] = Ry.data[i]! / stab(z[i]!, eps);
  const g = GRAPH_OPS[n.op]!.backward!([{ shape: [...Ry.shape], data: q, int: false }], ins, f, n, ENV(layer));
  return ins.map((x, s) => {
    if (!slots.includes(s) || !x || !g[s]) return null;
    const d = new Float64Array(x.data.length);
    for (let i = 0; i < d.length; i++) d[i] = x.data[i]! * g[s]!.data[i]!;
    return { shape: [...x.shape], data: d, int: false };
  });
}

/** LN-rule: ε-rule on y = (x − mean)·γ/σ + β with σ held constant. */
function layerNormRule(f: Forward, ins: Array<Nd | null>, Ry: Nd, eps: number): Nd {
  const x = ins[0]!;
  const sc = ins[1]!;
  const { n, rows, inv, ms } = f.saved as { n: number; rows: number; inv: Float64Array; ms: Int32Array };
  const z = f.outs[0]!.data;
  const out = new Float64Array(x.data.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    const wq = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      wq[j] = (sc.data[ms[j]!]! * inv[r]! * Ry.data[i]!) / stab(z[i]!, eps); // w_j·q_j
      mean += wq[j]!;
    }
    mean /= n;
    for (let j = 0; j < n; j++) out[r * n + j] = x.data[r * n + j]! * (wq[j]! - mean);
  }
  return { shape: [...x.shape], data: out, int: false };
}

function nodeRelevance(layer: GraphLayer, n: GNode, p: NodePlan, fwd: readonly Forward[], k: number, ins: Array<Nd | null>, R: Map<string, Nd>, eps: number): Array<Nd | null> {
  const Ry = R.get(n.outputs[0]!) ?? null;
  const f = fwd[k]!;
  if (p.bias) return ins.map((_, s) => (s === p.data[0] ? Ry : null)); // the bias of the map before it
  switch (p.cls) {
    case 'shape':
    case 'max': {
      const g = GRAPH_OPS[n.op]!.backward!(filled(n, f, R), ins, f, n, ENV(layer));
      return ins.map((_, s) => (p.recv.includes(s) ? g[s] ?? null : null));
    }
    case 'activation':
      return ins.map((_, s) => (s === 0 ? Ry : null));
    case 'scale':
    case 'product':
      if (p.cls === 'scale' || n.op === 'Mul' || n.op === 'Div') {
        const y = f.outs[0]!;
        // one contribution per output: the (value) input takes the output's relevance
        return ins.map((x, s) => (x && p.recv.includes(s) ? scatterAdd(Ry!, broadcastIndex(x.shape, y.shape), x.shape) : null));
      }
      return epsilonRule(layer, n, f, ins, Ry!, p.recv, eps);
    case 'affine':
      return epsilonRule(layer, n, f, ins, Ry!, p.recv, eps, p.biasAdd === undefined ? undefined : fwd[p.biasAdd]!.outs[0]!.data);
    case 'layernorm':
      return [layerNormRule(f, ins, Ry!, eps), null, null];
    default:
      throw new Error(`LRP: no relevance rule for class ${p.cls}`);
  }
}

/** Relevance on the graph layer's input (one sequence) from relevance `Rout` on its output. */
export function lrpGraph(rec: LayerRecord, Rout: Float64Array, acc: Accounts): Float64Array {
  if (rec.kind !== 'graph') throw new Error('LRP: graph rule got another record');
  const { layer, trace } = rec;
  const plan = graphPlan('LRP', layer, trace.softmax);
  const { vals, fwd } = trace.saved;
  const R = seedValues(layer, trace, rec.out, Rout);
  for (let k = layer.nodes.length - 1; k >= 0; k--) {
    const p = plan.nodes.get(k);
    const n = layer.nodes[k]!;
    if (!p || !n.outputs.some((o) => R.has(o))) continue;
    const ins = n.inputs.map((i) => (i ? vals.get(i)! : null));
    const total = n.outputs.reduce((s, o) => s + (R.has(o) ? sum(R.get(o)!.data) : 0), 0);
    const Rin = n.name === trace.softmax ? [R.get(n.outputs[0]!)!] : nodeRelevance(layer, n, p, fwd, k, ins, R, acc.eps);
    let passed = 0;
    let count = 0;
    for (const s of p.recv) {
      const r = Rin[s];
      if (r) passed += sum(r.data);
      count += ins[s]!.data.length;
    }
    const each = spill(acc, total - passed, count);
    for (const s of p.recv) {
      const r = Rin[s];
      const name = n.inputs[s]!;
      const d = r ? Float64Array.from(r.data) : new Float64Array(ins[s]!.data.length);
      if (each !== 0) for (let i = 0; i < d.length; i++) d[i] += each;
      const prev = R.get(name);
      if (prev) for (let i = 0; i < d.length; i++) prev.data[i] += d[i]!;
      else R.set(name, { shape: [...ins[s]!.shape], data: d, int: false });
    }
  }
  return inputArray(layer, trace, R);
}
