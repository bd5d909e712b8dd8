/**
 * Gradient flow and memory. For every sequence the scalar output is the model's top logit at its
 * last real step (or its row output); backpropagating it gives ∂out/∂h_t for every recurrent
 * layer and direction and ∂out/∂x_t for the input (the embedding vectors of a token model).
 * Norms are averaged over sequences by lag k = len − 1 − t (k = 0: the last step):
 * a straight falling line on a log scale is vanishing, a rising one exploding gradient.
 *
 * - attribution share per lag: ‖∂out/∂x_t‖ / Σ_s ‖∂out/∂x_s‖ per sequence (the gradient-norm
 *   share of each step), averaged by lag;
 * - memory: for LSTM the product of forget gates Π_{j=t+1..T} f_j, the fraction of c_t still in
 *   c_T; for GRU the keep gate z plays that role (h' = (1−z)⊙n + z⊙h). Its mean over units and
 *   sequences by lag; the effective memory length is the first lag where it falls below 1/e;
 * When the layers before the recurrent ones change the number of steps (align.ts), the lags of
 * the hidden states count recurrent steps and those of the input count input steps.
 * - first-step spike: the mean over sequences of len × (step 0's share), i.e. step 0's share
 *   relative to a uniform share (1: ordinary, len: all attribution on step 0); flagged above
 *   `spikeRatio` (default 3), a sign the model leans on a start-of-sequence artefact.
 */
import { RnnlensError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import { Tensor, type FloatArray } from '../../core/tensor.js';
import { collate } from '../../data/batching.js';
import type { Dataset } from '../../data/dataset.js';
import type { DirectionTrace, Flow, SeqBatch } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import type { GradientFlowData } from '../../report/figures/gradient-flow.js';
import { batchInput } from '../../train/tasks.js';
import { changesSteps } from './align.js';
import { batchRanges, checkSequences, traceLayers } from './collect.js';

export interface LagSeries {
  /** `input` or a layer key */
  series: string;
  /** mean norm by lag (index = lag); NaN where no sequence is that long */
  mean: number[];
  count: number[];
}

export interface MemoryCurve {
  layer: string;
  gate: 'f' | 'z';
  /** mean product of keep gates over the last `lag` steps (index = lag; 1 at lag 0) */
  retained: number[];
  /** first lag with retained < 1/e, or null when it never falls that low */
  effectiveLength: number | null;
}

export interface GradientFlowResult {
  hidden: LagSeries[];
  input: LagSeries;
  /** mean gradient-norm share of the input step at each lag */
  attributionShare: number[];
  memory: MemoryCurve[];
  firstStep: { meanRatio: number; flagged: boolean; spikeRatio: number };
  sequences: number;
}

export interface GradientFlowOptions {
  batchSize?: number;
  sequences?: ArrayLike<number>;
  spikeRatio?: number;
  onProgress?: ProgressCallback;
}

class LagAccumulator {
  sum: number[] = [];
  count: number[] = [];
  add(lag: number, v: number): void {
    while (this.sum.length <= lag) {
      this.sum.push(0);
      this.count.push(0);
    }
    this.sum[lag]! += v;
    this.count[lag]!++;
  }
  mean(): number[] {
    return this.sum.map((s, k) => (this.count[k]! > 0 ? s / this.count[k]! : NaN));
  }
}

/** One-hot gradient on the top logit of each sequence's last real step. */
function topLogitGrad(out: Flow, lengths: Int32Array): Flow {
  if (out instanceof Tensor) {
    const [B, C] = [out.shape[0]!, out.shape[1]!];
    const g = new Float64Array(B * C);
    for (let b = 0; b < B; b++) g[b * C + argmax(out.data, b * C, C)] = 1;
    return new Tensor(out.shape, out.data instanceof Float32Array ? Float32Array.from(g) : g);
  }
  const { batch: B, steps: T, features: C } = out;
  const g: FloatArray =
    out.data instanceof Float32Array ? new Float32Array(B * T * C) : new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    const o = (b * T + lengths[b]! - 1) * C;
    g[o + argmax(out.data, o, C)] = 1;
  }
  return { ...out, data: g };
}

function argmax(a: ArrayLike<number>, o: number, n: number): number {
  let k = 0;
  for (let j = 1; j < n; j++) if (a[o + j]! > a[o + k]!) k = j;
  return k;
}

function stepNorm(d: FloatArray, b: number, t: number, T: number, W: number): number {
  let s = 0;
  const o = (b * T + t) * W;
  for (let j = 0; j < W; j++) s += d[o + j]! * d[o + j]!;
  return Math.sqrt(s);
}

/** Adds the keep-gate products of one batch trace to `acc` (lag-indexed). */
function addMemory(t: DirectionTrace, acc: LagAccumulator): void {
  const keep = 1; // the keep gate is block 1 in both orders: LSTM (i f g o), GRU (r z n)
  const G = t.gateCount;
  const H = t.units;
  for (let b = 0; b < t.batch; b++) {
    const len = t.lengths[b]!;
    for (let u = 0; u < H; u++) {
      let prod = 1;
      acc.add(0, 1);
      // k-th step back from the last processed one; a backward direction processes position 0 last
      for (let k = 1; k < len; k++) {
        const j = k - 1; // gate of the step after the one k back
        const pos = t.direction === 'forward' ? len - 1 - j : j;
        prod *= t.gates[(b * t.steps + pos) * G * H + keep * H + u]!;
        acc.add(k, prod);
      }
    }
  }
}

export function gradientFlow(
  model: SequenceModel,
  ds: Dataset,
  opts: GradientFlowOptions = {},
): GradientFlowResult {
  const where = 'gradientFlow';
  const seqs = checkSequences(where, ds, opts.sequences);
  const layers = traceLayers(model);
  const batchSize = opts.batchSize ?? 32;
  const hidden = new Map(layers.map((l) => [l.key, new LagAccumulator()]));
  const memory = new Map(
    layers.filter((l) => l.cell !== 'rnn').map((l) => [l.key, new LagAccumulator()]),
  );
  const input = new LagAccumulator();
  const share = new LagAccumulator();
  let ratioSum = 0;
  let ratioCount = 0;
  for (const [s, e] of batchRanges(ds, seqs, batchSize, changesSteps(model))) {
    const idx = seqs.subarray(s, e);
    const batch = collate(ds, idx);
    const x = batchInput(model, batch);
    const { output, trace } = model.forward(x, { trace: true });
    const r = model.backward(topLogitGrad(output, batch.lengths), {
      wantStepGrads: true,
      wantInputGrad: true,
      paramGrads: false,
    });
    const T = batch.steps;
    for (const g of r.stepGrads) {
      const acc = hidden.get(`${g.layer}/${g.direction}`)!;
      // recurrent steps: the input's, unless the layers before the recurrent ones change them
      const tr = trace?.find((t) => t.layer === g.layer && t.direction === g.direction);
      const Tr = tr?.steps ?? T;
      const H = g.data.length / (batch.size * Tr);
      for (let b = 0; b < batch.size; b++) {
        const len = tr?.lengths[b] ?? batch.lengths[b]!;
        for (let t = 0; t < len; t++) acc.add(len - 1 - t, stepNorm(g.data, b, t, Tr, H));
      }
    }
    const xg: SeqBatch | undefined =
      model.inputSpec.kind === 'tokens' ? r.embeddingGrad : r.inputGrad;
    if (!xg) throw new RnnlensError(`${where}: the model returned no input gradient`);
    for (let b = 0; b < batch.size; b++) {
      const len = batch.lengths[b]!;
      const norms = Array.from({ length: len }, (_, t) => stepNorm(xg.data, b, t, T, xg.features));
      const total = norms.reduce((a, v) => a + v, 0);
      norms.forEach((n, t) => {
        input.add(len - 1 - t, n);
        share.add(len - 1 - t, total > 0 ? n / total : 0);
      });
      if (len > 1 && total > 0) {
        // step 0's share relative to a uniform share 1/len: 1 = ordinary, len = everything on step 0
        ratioSum += (len * norms[0]!) / total;
        ratioCount++;
      }
    }
    for (const t of trace ?? []) {
      const acc = memory.get(`${t.layer}/${t.direction}`);
      if (acc) addMemory(t, acc);
    }
    opts.onProgress?.({ task: 'gradient flow', done: s + idx.length, total: seqs.length });
  }
  const spikeRatio = opts.spikeRatio ?? 3;
  const meanRatio = ratioCount > 0 ? ratioSum / ratioCount : 0;
  return {
    hidden: [...hidden].map(([series, a]) => ({ series, mean: a.mean(), count: a.count })),
    input: { series: 'input', mean: input.mean(), count: input.count },
    attributionShare: share.mean(),
    memory: [...memory].map(([key, a]) => {
      const retained = a.mean();
      const k = retained.findIndex((v) => v < 1 / Math.E);
      const cell = layers.find((l) => l.key === key)!.cell;
      return {
        layer: key,
        gate: cell === 'lstm' ? ('f' as const) : ('z' as const),
        retained,
        effectiveLength: k < 0 ? null : k,
      };
    }),
    firstStep: { meanRatio, flagged: meanRatio > spikeRatio, spikeRatio },
    sequences: seqs.length,
  };
}

/** The gradient-flow figure: mean norms against lag, one line per layer and the input. */
export function gradientFlowFigureData(r: GradientFlowResult): GradientFlowData {
  const points: GradientFlowData['points'] = [];
  for (const s of [...r.hidden, r.input])
    s.mean.forEach((norm, lag) => {
      if (Number.isFinite(norm) && norm > 0)
        points.push({
          lag,
          norm,
          series: s.series === 'input' ? 'x (input)' : `h ${s.series}`,
        });
    });
  return { points, title: 'Gradient of the top logit against lag', yTitle: '‖∂(top logit)/∂h(T−k)‖ (input: ∂/∂x(T−k))' };
}
