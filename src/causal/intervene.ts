/**
 * Causal unit tests: run a model with chosen units of one recurrent layer ablated (set to zero or
 * to their mean over the data), clamped to a value, or patched (copied from the same step of
 * another input), over chosen steps, and measure what changes: the outputs and the task metric.
 * Whether a unit matters is judged against random units of the same count from the same layer:
 * the same intervention on `permutations` random unit sets gives the null distribution of the
 * metric's change, and p = (1 + #random changes ≥ observed) / (1 + permutations).
 *
 * The target layer runs one step at a time through the layer protocol (the same kernels as the
 * model's own forward pass, each step starting from the previous, possibly intervened, state);
 * the layers before it run once and the layers after it see the intervened hidden states.
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import { makeBatches, type Batch } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import type { Flow, LayerInput, SeqBatch } from '../nn/layer.js';
import type { SequenceModel } from '../nn/model.js';
import { RecurrentLayer } from '../nn/recurrent.js';
import { batchInput, outputTensor, type TaskKind } from '../train/tasks.js';
import { studentTSf } from '../verify/stats/distributions.js';
import { METRIC, binomial, combinations, compare, itemHits, metricOf, probabilities, type Outputs } from './scores.js';

export type InterventionMode = 'zero' | 'mean' | 'clamp' | 'patch';
/** Which state of a unit is set: its hidden state h, its LSTM cell state c, or both. */
export type InterventionState = 'h' | 'c' | 'both';

export interface InterventionSpec {
  /** Units (0-based) of the target layer. */
  units: readonly number[];
  mode: InterventionMode;
  /** clamp: the value the state is held at */
  value?: number;
  /** default: 'both' for LSTM, 'h' otherwise */
  state?: InterventionState;
  /** Input positions [from, to) the intervention applies to (default every step). */
  steps?: { from: number; to?: number };
}

export interface InterveneOptions extends InterventionSpec {
  /** Recurrent layer name (default: the first recurrent layer). */
  layer?: string;
  task: TaskKind;
  /** Random unit sets of the same count for the permutation test (default 99; 0 skips it). */
  permutations?: number;
  seed?: number;
  batchSize?: number;
  /** Refuse to keep more than this many bytes of clean states (default 512 MiB). */
  maxBytes?: number;
  onProgress?: ProgressCallback;
}

export interface RunScore {
  /** the task's metric: accuracy, stepAccuracy, rmse or bpc */
  metric: number;
  /** mean total-variation distance between clean and intervened class probabilities (classifiers,
   *  taggers, language models) or mean |Δ output| (regression) */
  outputChange: number;
  /** share of predictions (rows or steps) whose argmax changed; 0 for regression */
  flipped: number;
}

export interface InterveneResult {
  layer: string;
  cell: 'rnn' | 'lstm' | 'gru';
  unitsInLayer: number;
  units: number[];
  mode: InterventionMode;
  state: InterventionState;
  value: number | null;
  steps: { from: number; to: number | null };
  task: TaskKind;
  metricName: string;
  /** true when a higher metric is better */
  higherIsBetter: boolean;
  items: number;
  clean: number;
  intervened: RunScore;
  /** metric change oriented so that positive = worse: clean − intervened (or the reverse for rmse, bpc) */
  effect: number;
  random: {
    /** random unit sets evaluated */
    permutations: number;
    /** whether those were all the sets of the same count (an exact test) */
    exact: boolean;
    effects: number[];
    mean: number;
    sd: number;
    /** 95th percentile of the random effects */
    q95: number;
    meanOutputChange: number;
    /** (1 + #random effects ≥ effect) / (1 + permutations); null without permutations. With H units
     *  and one chosen, no p under 1/H is possible: a single unit of a small layer cannot reach 0.05. */
    p: number | null;
    /** the same test on the output change (a continuous measure that does not saturate like accuracy) */
    outputChanges: number[];
    outputP: number | null;
    /**
     * Accuracy metrics: is the chosen units' effect larger than the average random set's, given
     * the data? One-sided paired t-test over sequences of x_i = (hits lost by the chosen units −
     * mean hits lost by the random sets) scaled so that mean(x) = effect − mean random effect.
     * It asks about sampling of the data, not about how exceptional the units are among units.
     */
    overData: { difference: number; t: number; df: number; p: number } | null;
  };
}

interface Target {
  index: number;
  layer: RecurrentLayer;
}

function findTarget(model: SequenceModel, name: string | undefined): Target {
  const rec = model.layers
    .map((l, index) => ({ l, index }))
    .filter(({ l }) => l.kind === 'lstm' || l.kind === 'gru' || l.kind === 'simple_rnn' || l.kind === 'bidirectional');
  if (rec.length === 0) throw new RnnlensError('intervene: the model has no recurrent layer');
  const hit = name === undefined ? rec[0] : rec.find(({ l }) => l.name === name || `${l.name}/forward` === name);
  if (!hit) throw new ArgumentError('intervene', 'layer', `one of ${rec.map(({ l }) => l.name).join(', ')}`, JSON.stringify(name));
  if (!(hit.l instanceof RecurrentLayer))
    throw new ArgumentError('intervene', 'layer', 'a unidirectional recurrent layer (interventions on bidirectional layers are not supported)', `${hit.l.name} (${hit.l.kind})`);
  if (hit.l.direction !== 'forward')
    throw new ArgumentError('intervene', 'layer', 'a forward-running recurrent layer', `${hit.l.name} (goBackwards)`);
  return { index: hit.index, layer: hit.l };
}

/** Clean per-item states of the target layer: h (and c) [steps, H] for each dataset item. */
interface CleanStates {
  h: Float32Array[];
  c: Float32Array[] | null;
  meanH: Float64Array;
  meanC: Float64Array | null;
}

interface Plan {
  units: Int32Array;
  mode: InterventionMode;
  state: InterventionState;
  value: number;
  from: number;
  to: number;
  /** patch donors: dataset position of the item each item copies from */
  donor: Int32Array | null;
}

function layerRun(model: SequenceModel, from: number, to: number, x: LayerInput): LayerInput {
  for (let i = from; i < to; i++)
    x = model.layers[i]!.forward(x, { backend: model.backend, training: false, trace: false, outputsOnly: true }).output;
  return x;
}

/**
 * One batch through the model, the target layer step by step, with `plan` applied after each
 * step in range (null: clean run). Returns the output and, when `record`, the clean states.
 */
function runBatch(
  model: SequenceModel,
  target: Target,
  b: Batch,
  plan: Plan | null,
  clean: CleanStates | null,
  record: CleanStates | null,
): Flow {
  const layer = target.layer;
  const H = layer.cell.hiddenSize;
  const lstm = layer.cell.kind === 'lstm';
  const x = layerRun(model, 0, target.index, batchInput(model, b)) as SeqBatch;
  const { batch: B, steps: T, features: D, lengths } = x;
  // the backend's float type throughout
  const F = (model.backend.dtype === 'float64' ? Float64Array : Float32Array) as unknown as {
    new (n: number): FloatArray;
    from(a: ArrayLike<number>): FloatArray;
  };
  const out = new F(B * T * H);
  let h = new F(B * H);
  let c: FloatArray | null = lstm ? new F(B * H) : null;
  const last = new F(B * H);
  const ones = new Int32Array(B).fill(1);
  const xs = new F(B * D);
  const setH = plan && plan.state !== 'c';
  const setC = plan && lstm && plan.state !== 'h';
  for (let t = 0; t < T; t++) {
    for (let bi = 0; bi < B; bi++) xs.set(x.data.subarray((bi * T + t) * D, (bi * T + t + 1) * D), bi * D);
    const r = layer.forward({ data: xs, batch: B, steps: 1, features: D, lengths: ones }, {
      backend: model.backend,
      training: false,
      trace: false,
      outputsOnly: true,
      initialState: { forward: { h, c } },
    });
    const f = r.final![0]!;
    const nh = F.from(f.h);
    const nc = f.c ? F.from(f.c) : null;
    if (plan && t >= plan.from && t < plan.to) {
      for (let bi = 0; bi < B; bi++) {
        if (t >= lengths[bi]!) continue;
        const item = b.indices[bi]!;
        for (const u of plan.units) {
          let vh = 0;
          let vc = 0;
          if (plan.mode === 'mean') {
            vh = clean!.meanH[u]!;
            vc = clean!.meanC?.[u] ?? 0;
          } else if (plan.mode === 'clamp') vh = vc = plan.value;
          else if (plan.mode === 'patch') {
            const d = plan.donor![item]!;
            const dh = clean!.h[d]!;
            const steps = dh.length / H;
            const s = Math.min(t, steps - 1);
            vh = dh[s * H + u]!;
            vc = clean!.c?.[d]![s * H + u] ?? 0;
          }
          if (setH) nh[bi * H + u] = vh;
          if (setC && nc) nc[bi * H + u] = vc;
        }
      }
    }
    for (let bi = 0; bi < B; bi++) {
      if (t >= lengths[bi]!) continue; // padding: the state carries over, the output stays zero
      for (let u = 0; u < H; u++) {
        h[bi * H + u] = nh[bi * H + u]!;
        if (c && nc) c[bi * H + u] = nc[bi * H + u]!;
        out[(bi * T + t) * H + u] = nh[bi * H + u]!;
      }
      if (t === lengths[bi]! - 1) last.set(nh.subarray(bi * H, (bi + 1) * H), bi * H);
      if (record) {
        const item = b.indices[bi]!;
        // the layer's own steps (fewer than the input's when the layers before it change them)
        if (t === 0 && record.h[item]!.length !== lengths[bi]! * H) {
          record.h[item] = new Float32Array(lengths[bi]! * H);
          if (record.c) record.c[item] = new Float32Array(lengths[bi]! * H);
        }
        record.h[item]!.set(nh.subarray(bi * H, (bi + 1) * H), t * H);
        if (record.c && nc) record.c[item]!.set(nc.subarray(bi * H, (bi + 1) * H), t * H);
      }
    }
    h = F.from(h);
    if (c) c = F.from(c);
  }
  const flow: Flow = layer.sequenceOutput
    ? { data: out, batch: B, steps: T, features: H, lengths }
    : new Tensor([B, H], last);
  return layerRun(model, target.index + 1, model.layers.length, flow) as Flow;
}

function checkUnits(where: string, units: readonly number[], H: number): Int32Array {
  if (units.length === 0) throw new ArgumentError(where, 'units', 'at least one unit', 'none');
  const seen = new Set<number>();
  for (const u of units) {
    if (!Number.isInteger(u) || u < 0 || u >= H)
      throw new ArgumentError(where, 'units', `unit indices in 0..${H - 1} (the layer has ${H} units)`, describe(u));
    if (seen.has(u)) throw new ArgumentError(where, 'units', 'distinct unit indices', `${u} twice`);
    seen.add(u);
  }
  if (units.length >= H)
    throw new ArgumentError(where, 'units', `fewer than all ${H} units (random units of the same count are the control)`, `${units.length} units`);
  return Int32Array.from(units);
}

/** Runs the clean model and the intervention over `ds`, with the permutation test against random units. */
export function intervene(model: SequenceModel, ds: Dataset, opts: InterveneOptions): InterveneResult {
  const where = 'intervene';
  const target = findTarget(model, opts.layer);
  const layer = target.layer;
  const H = layer.cell.hiddenSize;
  const lstm = layer.cell.kind === 'lstm';
  const units = checkUnits(where, opts.units, H);
  const state: InterventionState = opts.state ?? (lstm ? 'both' : 'h');
  if (state !== 'h' && state !== 'c' && state !== 'both')
    throw new ArgumentError(where, 'state', 'h, c or both', describe(state));
  if (state !== 'h' && !lstm)
    throw new ArgumentError(where, 'state', `h (a ${layer.cell.kind} layer has no cell state)`, JSON.stringify(state));
  if (!['zero', 'mean', 'clamp', 'patch'].includes(opts.mode))
    throw new ArgumentError(where, 'mode', 'zero, mean, clamp or patch', describe(opts.mode));
  if (opts.mode === 'clamp' && !Number.isFinite(opts.value))
    throw new ArgumentError(where, 'value', 'a finite number (the clamp value)', describe(opts.value));
  if (opts.mode !== 'clamp' && opts.value !== undefined)
    throw new ArgumentError(where, 'value', `no value (only clamp takes one; mode is ${opts.mode})`, describe(opts.value));
  const from = opts.steps?.from ?? 0;
  const to = opts.steps?.to ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(from) || from < 0) throw new ArgumentError(where, 'steps.from', 'an integer >= 0', describe(from));
  if (!Number.isInteger(to) || to <= from) throw new ArgumentError(where, 'steps.to', `an integer > ${from}`, describe(opts.steps?.to));
  const R = opts.permutations ?? 99;
  if (!Number.isInteger(R) || R < 0) throw new ArgumentError(where, 'permutations', 'an integer >= 0', describe(R));
  const N = ds.items.length;
  if (N < 2) throw new ArgumentError(where, 'dataset', 'at least two sequences', `${N} in '${ds.name}'`);
  const { name: metricName, higherIsBetter } = METRIC[opts.task];
  const needs: Record<TaskKind, string> = { classification: 'class', regression: 'regression', tagging: 'tags', 'language-model': 'tags' };
  if (ds.target !== needs[opts.task])
    throw new ArgumentError(where, 'task', `a task matching dataset '${ds.name}' (its target is ${ds.target})`, opts.task);
  let totalSteps = 0;
  for (const it of ds.items) totalSteps += it.steps;
  const bytes = totalSteps * H * 4 * (lstm ? 2 : 1);
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  if (bytes > maxBytes)
    throw new ArgumentError(where, 'dataset', `at most ${maxBytes} bytes of clean states`, `${bytes} bytes for ${N} sequences of ${totalSteps} steps (pass a smaller --limit)`);

  const rng = new Rng(opts.seed ?? 0);
  let donor: Int32Array | null = null;
  if (opts.mode === 'patch') {
    // each item copies from another one: a random permutation with no fixed point
    donor = rng.permutation(N);
    for (let i = 0; i < N; i++) if (donor[i] === i) [donor[i], donor[(i + 1) % N]] = [donor[(i + 1) % N]!, donor[i]!];
  }
  const chosen = new Set(units);
  const others = Array.from({ length: H }, (_, u) => u).filter((u) => !chosen.has(u));
  const k = units.length;
  // every random set when there are no more than R of them (an exact test), else R random draws
  const possible = binomial(others.length, k);
  const exact = R > 0 && possible <= R;
  const draws: Int32Array[] = [];
  if (exact) for (const c of combinations(others.length, k)) draws.push(Int32Array.from(c, (i) => others[i]!));
  else
    for (let r = 0; r < R; r++) {
      const perm = rng.permutation(others.length);
      draws.push(Int32Array.from({ length: k }, (_, j) => others[perm[j]!]!));
    }
  const batches = makeBatches(ds, { batchSize: opts.batchSize ?? 128, bucketByLength: true });
  const total = 2 + draws.length;
  let done = 0;
  const tick = (message: string) => opts.onProgress?.({ task: 'intervene', done: ++done, total, message });
  const record: CleanStates = {
    h: ds.items.map((it) => new Float32Array(it.steps * H)),
    c: lstm ? ds.items.map((it) => new Float32Array(it.steps * H)) : null,
    meanH: new Float64Array(H),
    meanC: lstm ? new Float64Array(H) : null,
  };
  const pass = (plan: Plan | null, rec: CleanStates | null): Outputs => ({
    rows: batches.map((b) => {
      const t = outputTensor(runBatch(model, target, b, plan, record, rec));
      const steps = t.shape.length === 3 ? t.shape[1]! : 1;
      return { probs: probabilities(t, opts.task), width: t.shape[t.shape.length - 1]!, steps, batch: b, logits: t };
    }),
  });
  const clean = pass(null, record);
  if (opts.task === 'tagging' || opts.task === 'language-model') {
    const off = clean.rows.find((r) => r.steps !== r.batch.steps);
    if (off)
      throw new ArgumentError(where, 'task', `a task the model's outputs can be scored on (${opts.task} needs one output per input step)`, off.steps === 1 && off.logits.shape.length === 2 ? `${opts.task} with a model that gives one output per sequence` : `${opts.task} with outputs over ${off.steps} steps for inputs of ${off.batch.steps}`);
  }
  for (const [m, mean] of [[record.h, record.meanH], [record.c, record.meanC]] as const) {
    if (!m || !mean) continue;
    let steps = 0;
    for (const s of m) {
      for (let i = 0; i < s.length; i++) mean[i % H] += s[i]!;
      steps += s.length / H;
    }
    for (let u = 0; u < H; u++) mean[u] /= steps;
  }
  tick('clean run');
  const planFor = (u: Int32Array): Plan => ({ units: u, mode: opts.mode, state, value: opts.value ?? 0, from, to, donor });
  const cleanMetric = metricOf(clean, opts.task);
  const effectOf = (m: number) => (higherIsBetter ? cleanMetric - m : m - cleanMetric);
  const mine = pass(planFor(units), null);
  const mineMetric = metricOf(mine, opts.task);
  const effect = effectOf(mineMetric);
  tick('intervention');
  const effects: number[] = [];
  const changes: number[] = [];
  const cleanHits = itemHits(clean, opts.task, N);
  const mineHits = itemHits(mine, opts.task, N);
  const randomLost = new Float64Array(N);
  draws.forEach((draw, r) => {
    const o = pass(planFor(draw), null);
    const h = itemHits(o, opts.task, N);
    if (h && cleanHits) for (let i = 0; i < N; i++) randomLost[i] = randomLost[i]! + (cleanHits.hits[i]! - h.hits[i]!) / draws.length;
    effects.push(effectOf(metricOf(o, opts.task)));
    changes.push(compare(clean, o, opts.task).outputChange);
    tick(`random units ${r + 1}/${draws.length}`);
  });
  const mean = effects.length ? effects.reduce((a, b) => a + b, 0) / effects.length : NaN;
  const sd = effects.length > 1 ? Math.sqrt(effects.reduce((a, b) => a + (b - mean) ** 2, 0) / (effects.length - 1)) : NaN;
  const sorted = [...effects].sort((a, b) => a - b);
  const q95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]! : NaN;
  const eps = 1e-12;
  const D = draws.length;
  let overData: InterveneResult['random']['overData'] = null;
  if (D > 0 && cleanHits && mineHits) {
    const x = Array.from({ length: N }, (_, i) => ((cleanHits.hits[i]! - mineHits.hits[i]! - randomLost[i]!) * N) / cleanHits.total);
    const m = x.reduce((a, b) => a + b, 0) / N;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (N - 1));
    const t = sd > 0 ? m / (sd / Math.sqrt(N)) : m > 0 ? Infinity : m < 0 ? -Infinity : 0;
    overData = { difference: m, t, df: N - 1, p: Number.isFinite(t) ? studentTSf(t, N - 1) : t > 0 ? 0 : 1 };
  }
  const intervened = { metric: mineMetric, ...compare(clean, mine, opts.task) };
  return {
    layer: layer.name,
    cell: layer.cell.kind,
    unitsInLayer: H,
    units: Array.from(units),
    mode: opts.mode,
    state,
    value: opts.mode === 'clamp' ? opts.value! : null,
    steps: { from, to: opts.steps?.to ?? null },
    task: opts.task,
    metricName,
    higherIsBetter,
    items: N,
    clean: cleanMetric,
    intervened,
    effect,
    random: {
      permutations: draws.length,
      exact,
      effects,
      mean,
      sd,
      q95,
      meanOutputChange: D ? changes.reduce((a, b) => a + b, 0) / D : NaN,
      p: D ? (1 + effects.filter((e) => e >= effect - eps).length) / (1 + D) : null,
      outputChanges: changes,
      outputP: D ? (1 + changes.filter((e) => e >= intervened.outputChange - eps).length) / (1 + D) : null,
      overData,
    },
  };
}
