/**
 * The DeepLIFT multiplier table: one rule per layer kind, taking multipliers on a layer's output
 * to multipliers on its input, given the layer's records at the input (`rec`) and at the baseline
 * (`rec0`). A kind without a row is an error naming the kind and the pass.
 *
 * - dense: m_z = m_y · Δact/Δz (rescale), m_x = K·m_z;
 * - head: last, every: identity; mean: 1/len; max: when the input and the baseline pick different
 *   steps t* and t₀*, Δy = x[t*] − x₀[t₀*] is shared by those two steps with the common multiplier
 *   Δy / (Δx[t*] + Δx[t₀*]) (the rescale rule on the pair; the gradient's choice, t*, when the
 *   denominator vanishes);
 * - dropout: identity; simple_rnn, lstm, gru: cells.ts;
 * - bidirectional: concat, sum, mean are linear; mul is a product: Shapley split as in cells.ts;
 * - graph (imported ONNX/Keras segments): op by op, ../graph/deeplift.ts.
 */
import { RnnlensError } from '../../core/errors.js';
import { activate, f64, type LayerRecord } from '../lrp/unroll.js';
import { deepliftCell, relu, secant, sig, tanh } from './cells.js';
import { deepliftGraph } from '../graph/deeplift.js';

export type DeepliftRule = (rec: LayerRecord, rec0: LayerRecord, m: Float64Array) => Float64Array;

const wrong = (kind: string): RnnlensError =>
  new RnnlensError(`DeepLIFT: ${kind} rule got another record`);

function dense(rec: LayerRecord, rec0: LayerRecord, m: Float64Array): Float64Array {
  if (rec.kind !== 'dense' || rec0.kind !== 'dense') throw wrong('dense');
  const { layer, z, x } = rec;
  const I = layer.inputFeatures;
  const O = layer.outputFeatures;
  const K = f64(layer.kernel.value);
  const act = layer.activation;
  const fn = act === 'relu' ? relu : act === 'tanh' ? tanh : act === 'sigmoid' ? sig : null;
  const rows = x.steps ?? 1;
  const mx = new Float64Array(rows * I);
  const mz = new Float64Array(O);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < O; j++) {
      const i = r * O + j;
      const s = fn
        ? secant(fn.f, fn.d, z[i]!, rec0.z[i]!, activate(act, z[i]!), activate(act, rec0.z[i]!))
        : 1;
      mz[j] = m[i]! * s;
    }
    for (let i = 0; i < I; i++) {
      let s = 0;
      for (let j = 0; j < O; j++) s += K[i * O + j]! * mz[j]!;
      mx[r * I + i] = s;
    }
  }
  return mx;
}

function head(rec: LayerRecord, rec0: LayerRecord, m: Float64Array): Float64Array {
  if (rec.kind !== 'head' || rec0.kind !== 'head') throw wrong('head');
  const { layer, x } = rec;
  if (layer.pool === 'every') return m.slice();
  const F = x.features;
  const len = x.steps!;
  const mx = new Float64Array(len * F);
  for (let j = 0; j < F; j++) {
    if (layer.pool === 'last') mx[(len - 1) * F + j] = m[j]!;
    else if (layer.pool === 'mean') for (let t = 0; t < len; t++) mx[t * F + j] = m[j]! / len;
    else {
      const t1 = rec.argmax![j]!;
      const t0 = rec0.argmax![j]!;
      const dx = (t: number): number => x.data[t * F + j]! - rec0.x.data[t * F + j]!;
      const den = t1 === t0 ? dx(t1) : dx(t1) + dx(t0);
      if (t1 === t0 || Math.abs(den) < 1e-12) mx[t1 * F + j] = m[j]!;
      else {
        const mult = ((rec.out.data[j]! - rec0.out.data[j]!) / den) * m[j]!;
        mx[t1 * F + j] = mult;
        mx[t0 * F + j] = mult;
      }
    }
  }
  return mx;
}

function recurrent(rec: LayerRecord, rec0: LayerRecord, m: Float64Array): Float64Array {
  if (rec.kind !== 'recurrent' || rec0.kind !== 'recurrent') throw wrong('recurrent');
  return deepliftCell(rec.run, rec0.run, m, rec.out.steps !== null);
}

function bidirectional(rec: LayerRecord, rec0: LayerRecord, m: Float64Array): Float64Array {
  if (rec.kind !== 'bidirectional' || rec0.kind !== 'bidirectional') throw wrong('bidirectional');
  const { layer, a, b } = rec;
  const H = a.features;
  const F = rec.out.features;
  const rows = a.steps ?? 1;
  const ma = new Float64Array(rows * H);
  const mb = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      const i = r * H + j;
      const mo = m[r * F + j]!;
      if (layer.merge === 'concat') {
        ma[i] = mo;
        mb[i] = m[r * F + H + j]!;
      } else if (layer.merge === 'mul') {
        ma[i] = 0.5 * (b.data[i]! + rec0.b.data[i]!) * mo; // Shapley split of a⊙b
        mb[i] = 0.5 * (a.data[i]! + rec0.a.data[i]!) * mo;
      } else {
        const w = layer.merge === 'mean' ? 0.5 : 1;
        ma[i] = w * mo;
        mb[i] = w * mo;
      }
    }
  }
  const seq = a.steps !== null;
  const mx = deepliftCell(rec.fwd, rec0.fwd, ma, seq);
  const mxb = deepliftCell(rec.bwd, rec0.bwd, mb, seq);
  for (let i = 0; i < mx.length; i++) mx[i] += mxb[i]!;
  return mx;
}

export const DEEPLIFT_RULES: Readonly<Record<string, DeepliftRule>> = {
  dense,
  head,
  dropout: (_r, _r0, m) => m.slice(),
  simple_rnn: recurrent,
  lstm: recurrent,
  gru: recurrent,
  bidirectional,
  graph: deepliftGraph,
};
