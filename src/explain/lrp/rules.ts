/**
 * The LRP rule table: one relevance rule per layer kind, each taking the relevance on a layer's
 * output (shaped like it) to the relevance on its input. Adding a layer kind means adding a row;
 * a kind without a row is an error naming the kind and the pass (`checkRules`).
 *
 * - dense: elementwise activation passes relevance unchanged, then the ε-rule on z = x·K + b;
 * - head: last → the last step; mean → ε-rule on y = Σ_t x_t / len; max → the chosen step
 *   (winner-take-all); every → identity;
 * - dropout: identity (inference);
 * - simple_rnn, lstm, gru: cells.ts;
 * - bidirectional: concat splits by position; sum and mean split proportionally (ε-rule on
 *   y = a + b or (a + b)/2); mul (a product of two signals) has no rule;
 * - graph (imported ONNX/Keras segments): op by op, ../graph/lrp.ts.
 */
import { RnnlensError } from '../../core/errors.js';
import type { Layer } from '../../nn/layer.js';
import { GraphLayer } from '../../nn/graph/layer.js';
import { lrpGraph } from '../graph/lrp.js';
import { finalSoftmax, graphPlan } from '../graph/plan.js';
import { lrpCell, spill, type Accounts } from './cells.js';
import { stab, addShares } from './linear.js';
import { f64, type Act, type LayerRecord } from './unroll.js';

/** Relevance on the input of the layer recorded in `rec`, from relevance `R` on its output. */
export type LrpRule = (rec: LayerRecord, R: Float64Array, acc: Accounts) => Float64Array;

function dense(rec: LayerRecord, R: Float64Array, acc: Accounts): Float64Array {
  if (rec.kind !== 'dense') throw new RnnlensError('LRP: dense rule got a non-dense record');
  const { layer, x, z } = rec;
  const I = layer.inputFeatures;
  const O = layer.outputFeatures;
  const K = f64(layer.kernel.value);
  const b = f64(layer.bias.value);
  const rows = x.steps ?? 1;
  const Rx = new Float64Array(rows * I);
  const q = new Float64Array(O);
  for (let r = 0; r < rows; r++) {
    let rowBias = 0;
    for (let j = 0; j < O; j++) {
      const zj = z[r * O + j]!;
      const den = stab(zj, acc.eps);
      q[j] = R[r * O + j]! / den;
      rowBias += (b[j]! + den - zj) * q[j]!;
    }
    addShares(x.data, r * I, I, K, O, 0, q, O, Rx, r * I);
    const each = spill(acc, rowBias, I);
    if (each !== 0) for (let i = 0; i < I; i++) Rx[r * I + i] += each;
  }
  return Rx;
}

function head(rec: LayerRecord, R: Float64Array, acc: Accounts): Float64Array {
  if (rec.kind !== 'head') throw new RnnlensError('LRP: head rule got a non-head record');
  const { layer, x, argmax, out } = rec;
  if (layer.pool === 'every') return R.slice();
  const F = x.features;
  const len = x.steps!;
  const Rx = new Float64Array(len * F);
  for (let j = 0; j < F; j++) {
    if (layer.pool === 'last') Rx[(len - 1) * F + j] = R[j]!;
    else if (layer.pool === 'max') Rx[argmax![j]! * F + j] = R[j]!;
    else {
      const den = stab(out.data[j]!, acc.eps);
      const each = spill(acc, ((den - out.data[j]!) / den) * R[j]!, len);
      for (let t = 0; t < len; t++) Rx[t * F + j] = (x.data[t * F + j]! / len / den) * R[j]! + each;
    }
  }
  return Rx;
}

function recurrent(rec: LayerRecord, R: Float64Array, acc: Accounts): Float64Array {
  if (rec.kind !== 'recurrent') throw new RnnlensError('LRP: recurrent rule got another record');
  return lrpCell(rec.run, R, rec.out.steps !== null, acc);
}

function bidirectional(rec: LayerRecord, R: Float64Array, acc: Accounts): Float64Array {
  if (rec.kind !== 'bidirectional')
    throw new RnnlensError('LRP: bidirectional rule got another record');
  const { layer, a, b, out } = rec;
  const H = a.features;
  const F = out.features;
  const rows = a.steps ?? 1;
  const Ra = new Float64Array(rows * H);
  const Rb = new Float64Array(rows * H);
  const half = layer.merge === 'mean' ? 0.5 : 1;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      if (layer.merge === 'concat') {
        Ra[r * H + j] = R[r * F + j]!;
        Rb[r * H + j] = R[r * F + H + j]!;
        continue;
      }
      // y = half·(a + b): proportional split with ε; the ε share is kept as bias relevance.
      const y = out.data[r * F + j]!;
      const den = stab(y, acc.eps);
      const Rj = R[r * F + j]!;
      const each = spill(acc, ((den - y) / den) * Rj, 2);
      Ra[r * H + j] = ((half * a.data[r * H + j]!) / den) * Rj + each;
      Rb[r * H + j] = ((half * b.data[r * H + j]!) / den) * Rj + each;
    }
  }
  const seq = a.steps !== null;
  const Rx = lrpCell(rec.fwd, Ra, seq, acc);
  const Rxb = lrpCell(rec.bwd, Rb, seq, acc);
  for (let i = 0; i < Rx.length; i++) Rx[i] += Rxb[i]!;
  return Rx;
}

/** The default table: every layer kind of src/nn except embedding (the work space starts after it). */
export const LRP_RULES: Readonly<Record<string, LrpRule>> = {
  dense,
  head,
  dropout: (_rec, R) => R.slice(),
  simple_rnn: recurrent,
  lstm: recurrent,
  gru: recurrent,
  bidirectional,
  graph: lrpGraph,
};

/** Throws unless every layer from `start` has a rule (and a supported configuration). */
export function checkRules(
  pass: string,
  layers: readonly Layer[],
  start: number,
  rules: Readonly<Record<string, unknown>>,
): void {
  for (let i = start; i < layers.length; i++) {
    const layer = layers[i]!;
    if (!Object.prototype.hasOwnProperty.call(rules, layer.kind))
      throw new RnnlensError(
        `${pass} has no rule for layer kind '${layer.kind}' (layer '${layer.name}', index ${i}); ` +
          `kinds with rules: ${Object.keys(rules).join(', ')}`,
      );
    if (layer instanceof GraphLayer && (pass === 'LRP' || pass === 'DeepLIFT'))
      graphPlan(pass, layer, i === layers.length - 1 ? finalSoftmax(layer) : null);
  }
}

/** Relevance on the input of `records[0]` from relevance on the last record's output. */
export function propagate(
  records: readonly LayerRecord[],
  R: Float64Array,
  acc: Accounts,
  rules: Readonly<Record<string, LrpRule>>,
): Float64Array {
  let cur = R;
  for (let i = records.length - 1; i >= 0; i--) {
    const rec = records[i]!;
    cur = rules[rec.layer.kind]!(rec, cur, acc);
  }
  return cur;
}

export type { Act };
