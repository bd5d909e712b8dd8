/**
 * ONNX RNN / LSTM / GRU nodes → rnnlens recurrent layers.
 *
 * ONNX weights, per direction d:  W [D, G·H, F], R [D, G·H, H], B [D, 2·G·H] = [Wb, Rb].
 * Gate blocks: ONNX LSTM i o f c, GRU z r h; rnnlens (PyTorch order) LSTM i f g o, GRU r z n.
 * So rnnlens block k is ONNX block PERM[k], and (input-major)  W_ours[f, k·H + j] = W[d, PERM[k]·H + j, f].
 * GRU linear_before_reset 1 is rnnlens resetAfter true, 0 is resetAfter false (both exact).
 * RNN activations Tanh or Relu; LSTM/GRU only the default Sigmoid/Tanh (others, clip,
 * input_forget and non-zero peepholes are rejected with the reason).
 */
import { RnnlensError } from '../../core/errors.js';
import type { BidirectionalConfig, LayerConfig, RecurrentConfig } from '../../nn/config.js';
import { numbers } from './consts.js';
import type { OnnxNode } from './parse.js';
import type { ConstVal, DirRef, Merge, PendingRnn, RnnWeights } from './values.js';

const KIND = { RNN: 'simple_rnn', LSTM: 'lstm', GRU: 'gru' } as const;
const PERM = { simple_rnn: [0], lstm: [0, 2, 3, 1], gru: [1, 0, 2] } as const;
const DEFAULT_ACTS = { lstm: ['sigmoid', 'tanh', 'tanh'], gru: ['sigmoid', 'tanh'] } as const;

function err(node: OnnxNode, msg: string): never {
  throw new RnnlensError(`ONNX import: node '${node.name}' (${node.opType}): ${msg}`);
}

function attrInt(node: OnnxNode, name: string, def: number): number {
  const a = node.attributes.get(name);
  return typeof a === 'number' ? a : def;
}

function weightConst(node: OnnxNode, c: ConstVal | null, what: string, shape: number[]): Float64Array {
  if (!c || !c.float) err(node, `input ${what} must be a constant float tensor (an initializer)`);
  if (c.shape.length !== shape.length || c.shape.some((d, i) => d !== shape[i])) err(node, `input ${what} has shape [${c.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return Float64Array.from(numbers(c, `node '${node.name}' ${what}`));
}

export interface RnnNodeInputs {
  features: number;
  W: ConstVal | null;
  R: ConstVal | null;
  B: ConstVal | null;
  P: ConstVal | null;
}

/** Reads attributes and weights of a recurrent node (validated), converted to the rnnlens layout. */
export function readRnnNode(node: OnnxNode, inp: RnnNodeInputs, tip: number): PendingRnn {
  const kind = KIND[node.opType as keyof typeof KIND];
  const H = attrInt(node, 'hidden_size', 0);
  if (!Number.isInteger(H) || H < 1) err(node, `attribute hidden_size must be an integer >= 1, got ${H}`);
  const dirAttr = node.attributes.get('direction');
  const direction = (typeof dirAttr === 'string' ? dirAttr : 'forward') as PendingRnn['direction'];
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) err(node, `attribute direction must be forward, reverse or bidirectional, got '${direction}'`);
  const D = direction === 'bidirectional' ? 2 : 1;
  if (node.attributes.has('clip')) err(node, 'attribute clip (cell clipping) has no rnnlens equivalent');
  if (attrInt(node, 'input_forget', 0) !== 0) err(node, 'attribute input_forget=1 (coupled input/forget gates) has no rnnlens equivalent');
  const acts = ((node.attributes.get('activations') as string[] | undefined) ?? []).map((s) => s.toLowerCase());
  let activation: 'tanh' | 'relu' | undefined;
  if (kind === 'simple_rnn') {
    const a = acts[0] ?? 'tanh';
    if ((a !== 'tanh' && a !== 'relu') || acts.some((x) => x !== a)) err(node, `activations [${acts.join(', ')}]: rnnlens SimpleRNN supports Tanh or Relu (the same for both directions)`);
    activation = a;
  } else {
    const want = DEFAULT_ACTS[kind];
    for (let i = 0; i < acts.length; i++) {
      if (acts[i] !== want[i % want.length]) err(node, `activations [${acts.join(', ')}]: rnnlens ${kind} supports only the defaults [${want.join(', ')}] per direction`);
    }
  }
  const G = PERM[kind].length;
  const F = inp.features;
  const W = weightConst(node, inp.W, 'W', [D, G * H, F]);
  const R = weightConst(node, inp.R, 'R', [D, G * H, H]);
  const Bv = inp.B ? weightConst(node, inp.B, 'B', [D, 2 * G * H]) : new Float64Array(D * 2 * G * H);
  if (inp.P) {
    const P = weightConst(node, inp.P, 'P', [D, 3 * H]);
    if (P.some((v) => v !== 0)) err(node, 'non-zero peephole weights P have no rnnlens equivalent');
  }
  const perm = PERM[kind];
  const weights: RnnWeights[] = [];
  for (let d = 0; d < D; d++) {
    const w: RnnWeights = { W: new Float64Array(F * G * H), U: new Float64Array(H * G * H), bx: new Float64Array(G * H), bh: new Float64Array(G * H) };
    for (let k = 0; k < G; k++) {
      for (let j = 0; j < H; j++) {
        const row = perm[k]! * H + j; // ONNX row of rnnlens column k·H + j
        const col = k * H + j;
        for (let f = 0; f < F; f++) w.W[f * G * H + col] = W[(d * G * H + row) * F + f]!;
        for (let i = 0; i < H; i++) w.U[i * G * H + col] = R[(d * G * H + row) * H + i]!;
        w.bx[col] = Bv[d * 2 * G * H + row]!;
        w.bh[col] = Bv[d * 2 * G * H + G * H + row]!;
      }
    }
    weights.push(w);
  }
  const p: PendingRnn = { node, kind, units: H, features: F, direction, weights, tip, h0: null, c0: null, committed: null };
  if (kind === 'simple_rnn') p.activation = activation;
  if (kind === 'gru') p.resetAfter = attrInt(node, 'linear_before_reset', 0) === 1;
  return p;
}

export interface CommittedLayer {
  config: LayerConfig;
  /** Parameter values by rnnlens parameter name suffix (after the layer name). */
  weights: Record<string, Float64Array>;
}

/** The layer that reproduces `parts` (merged by `merge`) of a recurrent node. */
export function rnnLayer(p: PendingRnn, parts: DirRef[], merge: Merge, name: string): CommittedLayer {
  const what = parts[0]!.what;
  if (parts.some((q) => q.what !== what)) err(p.node, 'mixes per-step outputs Y with final states Y_h');
  if (what === 'c') err(p.node, 'the final cell state Y_c feeds the model output; rnnlens models output hidden states only');
  const returnSequences = what === 'Y';
  const inner: RecurrentConfig = { kind: p.kind, units: p.units, returnSequences };
  if (p.activation) inner.activation = p.activation;
  if (p.resetAfter !== undefined) inner.resetAfter = p.resetAfter;
  const dirs = parts.map((q) => q.dir).join(',');
  const set = (prefix: string, w: RnnWeights) => ({ [`${prefix}W`]: w.W, [`${prefix}U`]: w.U, [`${prefix}bx`]: w.bx, [`${prefix}bh`]: w.bh });
  if (p.direction === 'bidirectional') {
    if (dirs !== '0,1') err(p.node, `uses directions [${dirs}] of a bidirectional node; rnnlens needs both, forward first (concatenated, summed, multiplied or averaged)`);
    const config: BidirectionalConfig = { kind: 'bidirectional', name, merge, layer: inner };
    return { config, weights: { ...set('forward/', p.weights[0]!), ...set('backward/', p.weights[1]!) } };
  }
  if (dirs !== '0' || merge !== 'concat') err(p.node, `unexpected use of directions [${dirs}] (merge ${merge}) of a ${p.direction} node`);
  if (p.direction === 'reverse') {
    // rnnlens goBackwards outputs follow Keras (processing order); ONNX Y is at input positions.
    if (returnSequences) err(p.node, "the per-step output Y of a 'reverse' node is used; rnnlens supports only its final state Y_h for a reverse-only layer");
    inner.goBackwards = true;
  }
  return { config: { ...inner, name }, weights: set('', p.weights[0]!) };
}
