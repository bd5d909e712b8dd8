/**
 * The five benchmark cases of docs (reference.md, "Benchmark cases"), run through the real code
 * path: SequenceModel layers (Embedding / LSTM / GRU / Dense), softmax cross-entropy, Adam; then
 * the cases of more-cases.ts (GRU inference, attributions, certification).
 * Each case is timed as the median of `reps` runs after warm-up, in milliseconds.
 * The same cases in PyTorch: ../shared/tools/torch_ref.py for the five, bench/reference.py for
 * the rest (see bench/torch-compare.ts).
 */
import type { Backend } from '../src/core/backend.js';
import { Rng } from '../src/core/rng.js';
import { Tensor } from '../src/core/tensor.js';
import type { ModelConfig } from '../src/nn/config.js';
import type { SeqBatch, TokenBatch } from '../src/nn/layer.js';
import { SequenceModel } from '../src/nn/model.js';
import { crossEntropy } from '../src/train/losses/index.js';
import { Adam } from '../src/train/optimizers/adam.js';
import { MORE_CASES } from './more-cases.js';

export interface BenchCase {
  name: string;
  /** What one timed run does. */
  work: string;
  /** Builds the model and data; returns the function one timed run calls. */
  setup(backend: Backend): () => void;
  /** At most this many timed runs (slow cases; the PyTorch side caps the same way). */
  maxReps?: number;
}

function numericBatch(rng: Rng, B: number, T: number, D: number): SeqBatch {
  const data = new Float32Array(B * T * D);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, batch: B, steps: T, features: D, lengths: new Int32Array(B).fill(T) };
}

function classifier(
  input: ModelConfig['input'],
  cell: 'lstm' | 'gru',
  classes: number,
  embed?: number,
): ModelConfig {
  const layers: ModelConfig['layers'] = [];
  if (embed && input.kind === 'tokens')
    layers.push({ kind: 'embedding', vocabSize: input.vocabSize, dim: embed });
  layers.push({ kind: cell, units: 128 }, { kind: 'dense', units: classes });
  return { input, layers, init: 'torch' };
}

/** One Adam step: forward, softmax cross-entropy, backward, update. */
function trainStep(
  model: SequenceModel,
  x: SeqBatch | TokenBatch,
  targets: Int32Array,
  classes: number,
): () => void {
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  return () => {
    opt.zeroGrad();
    const { output } = model.forward(x, { training: true });
    const loss = crossEntropy(output as Tensor, targets);
    model.backward(new Tensor([x.batch, classes], loss.grad));
    opt.step();
  };
}

function targetsFor(rng: Rng, B: number, classes: number): Int32Array {
  return Int32Array.from({ length: B }, () => rng.int(classes));
}

function trainNumeric(cell: 'lstm' | 'gru'): BenchCase['setup'] {
  return (backend) => {
    const rng = new Rng(1);
    const model = new SequenceModel(classifier({ kind: 'numeric', features: 16 }, cell, 5), {
      backend,
      seed: 0,
    });
    return trainStep(model, numericBatch(rng, 32, 50, 16), targetsFor(rng, 32, 5), 5);
  };
}

export const CASES: BenchCase[] = [
  {
    name: 'train-lstm-b32-t50-d16-h128',
    work: 'one Adam step: 32 × 50 × 16 → LSTM(128) → last step → Dense(5) → softmax cross-entropy',
    setup: trainNumeric('lstm'),
  },
  {
    name: 'train-gru-b32-t50-d16-h128',
    work: 'the same with GRU(128), reset-after',
    setup: trainNumeric('gru'),
  },
  {
    name: 'train-lstm-text-b32-t100-v5000-e64-h128',
    work: 'one Adam step: 32 × 100 token ids (vocabulary 5,000) → Embedding(64) → LSTM(128) → Dense(2)',
    setup: (backend) => {
      const rng = new Rng(2);
      const model = new SequenceModel(
        classifier({ kind: 'tokens', vocabSize: 5000 }, 'lstm', 2, 64),
        { backend, seed: 0 },
      );
      const B = 32,
        T = 100;
      const x: TokenBatch = {
        ids: Int32Array.from({ length: B * T }, () => rng.int(5000)),
        batch: B,
        steps: T,
        lengths: new Int32Array(B).fill(T),
      };
      return trainStep(model, x, targetsFor(rng, B, 2), 2);
    },
  },
  {
    name: 'infer-lstm-b256-t50-d16-h128',
    work: 'inference (SequenceModel.predict, no tape; PyTorch: torch.no_grad): 256 × 50 × 16 → LSTM(128) → Dense(5) logits',
    setup: (backend) => {
      const rng = new Rng(3);
      const model = new SequenceModel(classifier({ kind: 'numeric', features: 16 }, 'lstm', 5), {
        backend,
        seed: 0,
      });
      const x = numericBatch(rng, 256, 50, 16);
      return () => {
        model.predict(x);
      };
    },
  },
  {
    name: 'ig-lstm-t50-d16-h128-s50',
    work: 'integrated gradients of logit 0 for one 50 × 16 sequence: 50 midpoint path points as one batch',
    setup: (backend) => {
      const rng = new Rng(4);
      const model = new SequenceModel(classifier({ kind: 'numeric', features: 16 }, 'lstm', 5), {
        backend,
        seed: 0,
      });
      const T = 50,
        D = 16,
        S = 50;
      const x = numericBatch(rng, 1, T, D).data;
      const path = numericBatch(rng, S, T, D);
      const seed = new Float32Array(S * 5);
      for (let s = 0; s < S; s++) seed[s * 5] = 1; // ∂(logit 0) for every path point
      const attribution = new Float32Array(T * D);
      return () => {
        // path point s: x · (s + 0.5)/S (zero baseline, midpoint rule)
        for (let s = 0; s < S; s++) {
          const a = (s + 0.5) / S;
          for (let i = 0; i < T * D; i++) path.data[s * T * D + i] = a * x[i]!;
        }
        const { grad } = model.inputGradient(path, new Tensor([S, 5], seed));
        // attribution = x ⊙ mean over path points of the gradient
        attribution.fill(0);
        for (let s = 0; s < S; s++)
          for (let i = 0; i < T * D; i++) attribution[i]! += grad.data[s * T * D + i]!;
        for (let i = 0; i < T * D; i++) attribution[i] = (x[i]! * attribution[i]!) / S;
      };
    },
  },
  ...MORE_CASES,
];

export const CASE_NAMES = CASES.map((c) => c.name);

/**
 * Untimed warm-up of each case: at least `warmup` runs and at least this long. V8 first runs wasm
 * and JavaScript with its baseline compilers and swaps in optimised code compiled on a background
 * thread, which on two cores competes with the two compute threads: three runs were not enough
 * (a case run right after the PyTorch reference measured 14 → 21 ms for SmoothGrad), and after
 * 0.5 s the first SmoothGrad median in a process was still 16–23 ms against 13–15 ms for the
 * second; after 2 s both are 12.5–13 ms. bench/reference.py warms PyTorch just as long.
 */
export const WARMUP_MS = 2000;

/** Median of `reps` timed runs after `warmup` untimed ones (and at least WARMUP_MS), in ms. */
export function medianMs(fn: () => void, reps: number, warmup = 3, warmupMs = WARMUP_MS): number {
  const w0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - w0 < warmupMs; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m = times.length >> 1;
  return times.length % 2 ? times[m]! : (times[m - 1]! + times[m]!) / 2;
}

export interface RunBenchOptions {
  backend: Backend;
  /** Case names to run (default all). */
  only?: readonly string[];
  reps?: number;
  /** Warm-up time per case in ms (default WARMUP_MS). */
  warmupMs?: number;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

/** Runs the cases; returns { case: median ms } (ms rounded to 0.001). */
export function runBench(opts: RunBenchOptions): Record<string, number> {
  const cases =
    opts.only && opts.only.length ? CASES.filter((c) => opts.only!.includes(c.name)) : CASES;
  const out: Record<string, number> = {};
  cases.forEach((c, i) => {
    opts.onProgress?.({ done: i, total: cases.length, message: c.name });
    const reps = Math.min(opts.reps ?? 20, c.maxReps ?? Infinity);
    const warmup = c.maxReps ? 1 : 3;
    const ms = medianMs(c.setup(opts.backend), reps, warmup, opts.warmupMs ?? WARMUP_MS);
    out[c.name] = Math.round(ms * 1000) / 1000;
  });
  opts.onProgress?.({ done: cases.length, total: cases.length });
  return out;
}
