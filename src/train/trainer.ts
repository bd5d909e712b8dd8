/**
 * The training loop: batches → forward → task loss → backward → clip → optimiser step, with
 * per-epoch validation, learning-rate schedules, early stopping (best weights restored), and
 * per-layer distributions of weights, gradients and activations for the internals views.
 *
 * Determinism: each epoch's shuffling and dropout use an Rng seeded from (seed, epoch), so the
 * same seed gives bit-identical weights, and a run resumed from an end-of-epoch state ends with
 * the same weights as an uninterrupted one.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { collate, makeBatches, type Batch } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { SequenceModel } from '../nn/model.js';
import { clipGradNorm, gradNorm } from './clip.js';
import { EarlyStopping } from './early-stopping.js';
import { evaluate, type Metrics } from './evaluate.js';
import { concatValues, histogram, type Histogram } from './histograms.js';
import { createOptimizer, type Optimizer, type OptimizerState } from './optimizers/index.js';
import { createSchedule, type LrSchedule, type ScheduleState } from './schedules.js';
import { checkForwardOnly, finalStates, initialStates, planStreams, type CarriedStates } from './streams.js';
import { batchInput, gradFlow, taskLoss, type LossConfig, type TaskKind } from './tasks.js';

export interface TrainConfig {
  task: TaskKind;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Optimiser config (see createOptimizer); default Adam with lr 1e-3. */
  optimizer?: Record<string, unknown>;
  schedule?: Record<string, unknown>;
  clipNorm?: number;
  earlyStopping?: { metric: string; mode?: 'min' | 'max'; patience?: number; minDelta?: number };
  loss?: LossConfig;
  bucketByLength?: boolean;
  /** Record per-layer histograms each epoch; default true. */
  distributions?: boolean;
  /** Stop after the epoch in which this many seconds have passed. */
  maxSeconds?: number;
  /**
   * Language models over consecutive windows of a text (items with `meta.start`): train on
   * `batchSize` parallel streams through the text in order, each window starting from the state
   * the previous window of its stream ended in (truncated backpropagation through time; gradients
   * stop at window borders). No shuffling; each epoch starts from zero states.
   */
  stateful?: boolean;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  seconds: number;
  gradNorm: number;
  train: Metrics;
  validation?: Metrics;
}

export interface LayerDistribution {
  epoch: number;
  layer: string;
  weights: Histogram;
  gradients: Histogram;
  /** mean |Δw| / mean |w| over the epoch's last update */
  updateRatio: number;
  /** recurrent layers: hidden states over a fixed sample of training sequences (real steps only) */
  activations?: Histogram;
  /** recurrent layers: gate activations over the same sample */
  gates?: Histogram;
}

/** Everything needed to continue training exactly where it stopped (end of an epoch). */
export interface TrainState {
  epoch: number;
  optimizer: OptimizerState;
  schedule?: ScheduleState;
  earlyStopping?: ReturnType<EarlyStopping['state']>;
  history: EpochRecord[];
  distributions: LayerDistribution[];
  elapsedSeconds: number;
  /** Optimiser steps taken so far (older checkpoints: absent). */
  steps?: number;
}

/** One optimiser step (minibatch), as reported to `onStep`. */
export interface StepRecord {
  /** Steps taken since training began, this one included (1-based, continues across a resume). */
  step: number;
  /** 1-based epoch of the step. */
  epoch: number;
  /** 1-based minibatch within the epoch, and how many the epoch has. */
  batch: number;
  batches: number;
  /** The minibatch's training loss (before the update). */
  loss: number;
}

export interface TrainResult {
  history: EpochRecord[];
  distributions: LayerDistribution[];
  bestEpoch: number;
  stoppedEarly: boolean;
  seconds: number;
  state: TrainState;
}

export interface TrainOptions {
  validation?: Dataset;
  onProgress?: ProgressCallback;
  /** Called after every epoch with the resumable state (e.g. to write a checkpoint). */
  onEpochEnd?: (record: EpochRecord, state: TrainState) => void | Promise<void>;
  /** Called after every optimiser step with its minibatch loss. */
  onStep?: (record: StepRecord) => void;
  resume?: TrainState;
}

function layerOf(p: Parameter): string {
  const k = p.name.lastIndexOf('/');
  return k < 0 ? p.name : p.name.slice(0, k);
}

function check(cfg: TrainConfig, train: Dataset): void {
  const where = 'train';
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) throw new ArgumentError(where, 'epochs', 'an integer >= 1', String(cfg.epochs));
  if (!Number.isInteger(cfg.batchSize) || cfg.batchSize < 1) throw new ArgumentError(where, 'batchSize', 'an integer >= 1', String(cfg.batchSize));
  if (!Number.isFinite(cfg.seed)) throw new ArgumentError(where, 'seed', 'a finite number', String(cfg.seed));
  if (train.items.length === 0) throw new ArgumentError(where, 'training data', 'at least one sequence', `an empty dataset '${train.name}'`);
}

/** Hidden-state and gate values at real steps of a fixed sample, per recurrent layer (both directions pooled). */
function activationSamples(model: SequenceModel, sample: Batch | null): Map<string, { h: number[]; gates: number[] }> {
  const out = new Map<string, { h: number[]; gates: number[] }>();
  if (!sample) return out;
  const { trace } = model.forward(batchInput(model, sample), { trace: true });
  for (const tr of trace ?? []) {
    // keyed like parameter groups: `lstm` for a one-direction layer, `bidir/forward` inside a Bidirectional
    const key = model.layer(tr.layer).kind === 'bidirectional' ? `${tr.layer}/${tr.direction}` : tr.layer;
    const e = out.get(key) ?? { h: [], gates: [] };
    const H = tr.units;
    const GH = tr.gateCount * H;
    for (let b = 0; b < tr.batch; b++) {
      for (let t = 0; t < tr.lengths[b]!; t++) {
        const o = (b * tr.steps + t) * H;
        for (let j = 0; j < H; j++) e.h.push(tr.h[o + j]!);
        const g = (b * tr.steps + t) * GH;
        for (let j = 0; j < GH; j++) e.gates.push(tr.gates[g + j]!);
      }
    }
    out.set(key, e);
  }
  return out;
}

function distributions(model: SequenceModel, epoch: number, before: Map<string, Float64Array>, sample: Batch | null): LayerDistribution[] {
  const acts = activationSamples(model, sample);
  const byLayer = new Map<string, Parameter[]>();
  for (const p of model.parameters()) {
    const l = layerOf(p);
    if (!byLayer.has(l)) byLayer.set(l, []);
    byLayer.get(l)!.push(p);
  }
  const out: LayerDistribution[] = [];
  for (const [layer, ps] of byLayer) {
    const w = concatValues(ps.map((p) => p.value));
    const g = concatValues(ps.map((p) => p.grad));
    const prev = before.get(layer);
    let num = 0;
    let den = 0;
    for (let i = 0; i < w.length; i++) {
      num += Math.abs(w[i]! - (prev ? prev[i]! : w[i]!));
      den += Math.abs(w[i]!);
    }
    const a = acts.get(layer);
    const d: LayerDistribution = { epoch, layer, weights: histogram(w), gradients: histogram(g), updateRatio: den > 0 ? num / den : 0 };
    if (a) {
      d.activations = histogram(a.h);
      d.gates = histogram(a.gates);
    }
    out.push(d);
  }
  return out;
}

export async function train(model: SequenceModel, data: Dataset, cfg: TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  check(cfg, data);
  const params = model.parameters();
  const optimizer: Optimizer = createOptimizer(params, cfg.optimizer ?? { type: 'adam', lr: 1e-3 });
  const schedule: LrSchedule | undefined = cfg.schedule ? createSchedule(optimizer, cfg.schedule) : undefined;
  const es = cfg.earlyStopping
    ? new EarlyStopping({ mode: cfg.earlyStopping.mode ?? (/loss|rmse|mae|bpc|perplexity/i.test(cfg.earlyStopping.metric) ? 'min' : 'max'), patience: cfg.earlyStopping.patience, minDelta: cfg.earlyStopping.minDelta })
    : undefined;
  if (es && !opts.validation) throw new ArgumentError('train', 'earlyStopping', 'a validation dataset to monitor', 'no validation data');

  const history: EpochRecord[] = [];
  const dists: LayerDistribution[] = [];
  let startEpoch = 0;
  let elapsedBefore = 0;
  let steps = 0;
  let stepsKnown = true;
  if (opts.resume) {
    const r = opts.resume;
    optimizer.loadState(r.optimizer);
    if (schedule && r.schedule) schedule.loadState(r.schedule);
    if (es && r.earlyStopping) es.loadState(r.earlyStopping, params);
    history.push(...r.history);
    dists.push(...r.distributions);
    startEpoch = r.epoch;
    elapsedBefore = r.elapsedSeconds;
    steps = r.steps ?? 0;
    stepsKnown = r.steps !== undefined;
  }
  if (cfg.stateful) {
    if (data.target !== 'tags') throw new ArgumentError('train', 'stateful', 'per-step targets (a language model or tagger)', `target '${data.target}'`);
    checkForwardOnly('train (stateful)', model);
  }
  const plan = cfg.stateful ? planStreams('train (stateful)', data, cfg.batchSize) : null;
  // stateful: the same streams every epoch, collated once
  const streamBatches = plan ? plan.steps.map((idx) => collate(data, idx)) : null;
  // a fixed sample of training sequences whose activations are recorded every epoch
  const sample = cfg.distributions === false ? null : collate(data, Int32Array.from({ length: Math.min(32, data.items.length) }, (_, i) => i));
  const t0 = performance.now();
  const elapsed = (): number => elapsedBefore + (performance.now() - t0) / 1000;
  let stoppedEarly = false;
  let state: TrainState | null = opts.resume ?? null;

  for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
    const rng = new Rng(cfg.seed * 1_000_003 + epoch * 7919 + 1);
    const batches = streamBatches ?? makeBatches(data, { batchSize: cfg.batchSize, shuffle: true, rng, bucketByLength: cfg.bucketByLength ?? true });
    // a checkpoint without a step count: its epochs had as many batches as this one
    if (!stepsKnown) (steps = startEpoch * batches.length), (stepsKnown = true);
    let carried: CarriedStates | null = null;
    const before = new Map<string, Float64Array>();
    let lossSum = 0;
    let count = 0;
    let lastNorm = 0;
    const te = performance.now();
    for (let bi = 0; bi < batches.length; bi++) {
      const b = batches[bi]!;
      optimizer.zeroGrad();
      const { output, finalStates: finals } = model.forward(batchInput(model, b), {
        training: true,
        rng,
        ...(plan ? { finalStates: true, initialStates: initialStates(carried, plan.fresh[bi]!) } : {}),
      });
      if (plan) carried = finalStates('train (stateful)', finals ?? [], b.size);
      const l = taskLoss(cfg.task, output, b, cfg.loss);
      if (!Number.isFinite(l.loss)) {
        throw new RnnlensError(`train: the loss became ${l.loss} at epoch ${epoch + 1}, batch ${bi + 1}; lower the learning rate or set clipNorm (the previous checkpoint is kept)`);
      }
      model.backward(gradFlow(output, l.grad), { wantInputGrad: false });
      lastNorm = cfg.clipNorm ? clipGradNorm(params, cfg.clipNorm) : gradNorm(params);
      if (bi === batches.length - 1 && cfg.distributions !== false) {
        for (const p of params) {
          const layer = layerOf(p);
          const prev = before.get(layer);
          const merged = prev ? concatValues([prev, p.value]) : Float64Array.from(p.value);
          before.set(layer, merged);
        }
      }
      optimizer.step();
      steps++;
      opts.onStep?.({ step: steps, epoch: epoch + 1, batch: bi + 1, batches: batches.length, loss: l.loss });
      lossSum += l.loss * b.size;
      count += b.size;
      opts.onProgress?.({ task: `epoch ${epoch + 1}/${cfg.epochs}`, done: bi + 1, total: batches.length, values: { loss: lossSum / count } });
    }
    const record: EpochRecord = { epoch: epoch + 1, lr: optimizer.lr, seconds: (performance.now() - te) / 1000, gradNorm: lastNorm, train: { loss: lossSum / count } };
    if (opts.validation && opts.validation.items.length > 0) {
      record.validation = evaluate(model, opts.validation, cfg.task, { batchSize: Math.max(cfg.batchSize, 64), loss: cfg.loss }).metrics;
    }
    if (cfg.distributions !== false) dists.push(...distributions(model, epoch + 1, before, sample));
    history.push(record);
    let stop = false;
    if (es) {
      const m = record.validation![cfg.earlyStopping!.metric];
      if (m === undefined) throw new ArgumentError('train', 'earlyStopping.metric', `one of the validation metrics [${Object.keys(record.validation!).join(', ')}]`, cfg.earlyStopping!.metric);
      stop = es.update(m, params).stop;
    }
    if (schedule) schedule.step(schedule.type === 'plateau' ? (record.validation?.loss ?? record.train.loss) : undefined);
    state = {
      epoch: epoch + 1,
      optimizer: optimizer.state(),
      schedule: schedule?.state(),
      earlyStopping: es?.state(),
      history: [...history],
      distributions: [...dists],
      elapsedSeconds: elapsed(),
      steps,
    };
    await opts.onEpochEnd?.(record, state);
    await new Promise((r) => setImmediate(r));
    if (stop) {
      stoppedEarly = true;
      break;
    }
    if (cfg.maxSeconds !== undefined && elapsed() >= cfg.maxSeconds) break;
  }
  let bestEpoch = history.length;
  if (es && es.bestEpoch >= 0) {
    es.restore(params);
    bestEpoch = es.bestEpoch + 1;
  }
  return { history, distributions: dists, bestEpoch, stoppedEarly, seconds: elapsed(), state: state! };
}
