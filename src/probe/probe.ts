/**
 * Probing classifiers with control tasks (Hewitt & Liang 2019). A probe is a classifier from a
 * layer's per-step states (h, or the LSTM cell state c) to an annotation of each step (the
 * dataset's tags, bracket depth, inside quotes, ...). High accuracy alone does not show that the
 * states encode the annotation: a rich enough probe can memorise. The control task gives every
 * input type (token, or input vector) a fixed random label drawn from the annotation's own label
 * distribution; a probe can only solve it by memorising types. Selectivity = task accuracy −
 * control accuracy; a probe worth trusting is accurate and selective.
 *
 * Everything is cross-validated by sequence (all steps of a sequence in one fold, so a probe
 * never sees the neighbours of a test step), with Student-t intervals over the folds; features
 * are standardised on each training fold. Per-step accuracy comes from the held-out predictions.
 */
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import type { Dataset } from '../data/dataset.js';
import { BUILTIN_ANNOTATIONS, builtinAnnotation, stepTokens, tagAnnotation, type Annotation } from '../explain/internals/annotations.js';
import { alignAnnotation, alignStrings } from '../explain/internals/align.js';
import type { TraceSet } from '../explain/internals/collect.js';
import { groupKFold } from '../verify/splitters.js';
import { tInterval, type MeanInterval } from '../verify/stats/intervals.js';
import { fitLogistic, fitMlp, type Classifier, type MlpOptions } from './classifiers.js';

export type ProbeKind = 'linear' | 'mlp';

export interface ProbeOptions {
  probes?: ProbeKind[];
  /** states to probe (default h, and c where the layer has it) */
  fields?: ('h' | 'c')[];
  /** layer keys, e.g. lstm/forward (default every recurrent layer) */
  layers?: string[];
  /** folds of the cross-validation by sequence (default 5) */
  folds?: number;
  /** at most this many steps (whole sequences, in random order; default 10000) */
  maxSteps?: number;
  /** an annotation with more distinct values than `maxLevels` is cut into `bins` quantile bins */
  bins?: number;
  maxLevels?: number;
  /** inverse L2 strength of the linear probe (default 1) */
  C?: number;
  mlp?: MlpOptions;
  /** positions reported in the per-step accuracy (default 60) */
  byStep?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

export interface ProbeRow {
  layer: string;
  field: 'h' | 'c';
  probe: ProbeKind;
  /** held-out accuracy on the annotation */
  task: MeanInterval;
  /** held-out accuracy on the control task */
  control: MeanInterval;
  /** task − control, per fold */
  selectivity: MeanInterval;
  /** held-out task accuracy by position in the sequence */
  byStep: { step: number; accuracy: number; n: number }[];
}

export interface ProbeResult {
  annotation: string;
  classes: string[];
  /** how the labels were made: the annotation's own levels, or quantile bins */
  labels: 'levels' | 'bins';
  sequences: number;
  steps: number;
  types: number;
  folds: number;
  /** accuracy of predicting the training folds' most frequent class */
  majority: MeanInterval;
  /** the same for the control labels (with few input types the control task is lopsided) */
  controlMajority: MeanInterval;
  rows: ProbeRow[];
}

/** An annotation by name: the dataset's tags or a built-in one (token models). */
export function annotationByName(ds: Dataset, ts: TraceSet, name: string, where: string): Annotation {
  // made over input steps, carried to recurrent steps when they differ (explain/internals/align.ts)
  if (name === 'tags') return alignAnnotation(tagAnnotation(ds, ts.sequences, ts.alignment?.inputOffsets ?? ts.offsets), ts.alignment);
  if ((BUILTIN_ANNOTATIONS as readonly string[]).includes(name) && name !== 'token') {
    if (ds.input !== 'tokens')
      throw new RnnlensError(`${where}: annotation ${name} needs a token model; this one reads numeric input (use tags for the dataset's per-step tags)`);
    const a = builtinAnnotation(name, stepTokens(ds, ts.sequences)).find((x) => x.name === name);
    if (a) return alignAnnotation(a, ts.alignment);
  }
  throw new RnnlensError(`${where}: unknown annotation ${JSON.stringify(name)}; expected tags or one of ${BUILTIN_ANNOTATIONS.filter((a) => a !== 'token').join(', ')}`);
}

/**
 * The type of each traced step for the control task: its token, or its input vector (for
 * recurrent steps that read a range of input steps: the types of the range, joined).
 */
export function stepTypes(ds: Dataset, ts: TraceSet): string[] {
  const types = inputStepTypes(ds, ts);
  return ts.alignment ? alignStrings(types, ts.alignment, '|') : types;
}

function inputStepTypes(ds: Dataset, ts: TraceSet): string[] {
  const out: string[] = [];
  if (ds.input === 'tokens') {
    for (const seq of stepTokens(ds, ts.sequences)) out.push(...seq);
    return out;
  }
  for (const s of ts.sequences) {
    const it = ds.items[s]!;
    const F = ds.features;
    const x = it.x as Float32Array;
    for (let t = 0; t < it.steps; t++) out.push(Array.from(x.subarray(t * F, (t + 1) * F), (v) => Number(v.toFixed(4))).join(','));
  }
  return out;
}

function makeLabels(name: string, values: Float64Array, rows: Int32Array, bins: number, maxLevels: number): { y: Int32Array; classes: string[]; kind: 'levels' | 'bins' } {
  const levels = [...new Set(Array.from(rows, (r) => values[r]!))].sort((a, b) => a - b);
  if (levels.length < 2) throw new RnnlensError(`probe: the annotation ${name} takes one value (${levels[0]}) on the ${rows.length} probed steps; there is nothing to predict`);
  if (levels.length <= maxLevels) {
    const index = new Map(levels.map((v, i) => [v, i]));
    return { y: Int32Array.from(rows, (r) => index.get(values[r]!)!), classes: levels.map(String), kind: 'levels' };
  }
  const sorted = Float64Array.from(rows, (r) => values[r]!).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  const cls = (v: number) => {
    let c = 0;
    while (c < edges.length && v >= edges[c]!) c++;
    return c;
  };
  const names = Array.from({ length: edges.length + 1 }, (_, c) => (c === 0 ? `< ${edges[0]!.toPrecision(3)}` : c === edges.length ? `>= ${edges[c - 1]!.toPrecision(3)}` : `[${edges[c - 1]!.toPrecision(3)}, ${edges[c]!.toPrecision(3)})`));
  return { y: Int32Array.from(rows, (r) => cls(values[r]!)), classes: names, kind: 'bins' };
}

function standardise(X: Float64Array, d: number, train: Int32Array, rows: Int32Array[]): Float64Array[] {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const i of train) for (let j = 0; j < d; j++) mean[j] = mean[j]! + X[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / train.length;
  for (const i of train) for (let j = 0; j < d; j++) sd[j] = sd[j]! + (X[i * d + j]! - mean[j]!) ** 2;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]! / train.length) || 1;
  return rows.map((idx) => {
    const out = new Float64Array(idx.length * d);
    idx.forEach((i, r) => {
      for (let j = 0; j < d; j++) out[r * d + j] = (X[i * d + j]! - mean[j]!) / sd[j]!;
    });
    return out;
  });
}

/** An accuracy's t-interval, clipped to [0, 1] (the mean is never outside; the ends can be). */
function accuracyInterval(values: number[]): MeanInterval {
  const t = tInterval(values);
  return { ...t, low: Math.max(0, t.low), high: Math.min(1, t.high) };
}

function argmaxRows(p: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + b]!) b = c;
    out[i] = b;
  }
  return out;
}

export function runProbes(ts: TraceSet, annotation: Annotation, types: readonly string[], opts: ProbeOptions = {}): ProbeResult {
  const where = 'runProbes';
  const folds = opts.folds ?? 5;
  const maxSteps = opts.maxSteps ?? 10000;
  const bins = opts.bins ?? 5;
  const maxLevels = opts.maxLevels ?? 20;
  const probes = opts.probes ?? ['linear', 'mlp'];
  const byStepMax = opts.byStep ?? 60;
  if (!Number.isInteger(folds) || folds < 2) throw new ArgumentError(where, 'folds', 'an integer >= 2', describe(folds));
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new ArgumentError(where, 'maxSteps', 'an integer >= 1', describe(maxSteps));
  if (!Number.isInteger(bins) || bins < 2) throw new ArgumentError(where, 'bins', 'an integer >= 2', describe(bins));
  if (probes.length === 0 || probes.some((p) => p !== 'linear' && p !== 'mlp')) throw new ArgumentError(where, 'probes', 'some of linear, mlp', describe(probes));
  if (annotation.values.length !== ts.totalSteps) throw new ArgumentError(where, 'annotation', `${ts.totalSteps} values (one per traced step)`, `${annotation.values.length}`);
  if (types.length !== ts.totalSteps) throw new ArgumentError(where, 'types', `${ts.totalSteps} values (one per traced step)`, `${types.length}`);
  const S = ts.sequences.length;
  if (S < folds) throw new ArgumentError(where, 'folds', `at most the number of sequences (${S})`, `${folds}`);
  const rng = new Rng(opts.seed ?? 0);
  // whole sequences in random order up to maxSteps (at least `folds` of them)
  const order = rng.permutation(S);
  const picked: number[] = [];
  let steps = 0;
  for (const s of order) {
    const len = ts.offsets[s + 1]! - ts.offsets[s]!;
    if (picked.length >= folds && steps + len > maxSteps) break;
    picked.push(s);
    steps += len;
  }
  picked.sort((a, b) => a - b);
  const rows = new Int32Array(steps);
  const groups = new Int32Array(steps);
  const position = new Int32Array(steps);
  let r = 0;
  for (const s of picked)
    for (let i = ts.offsets[s]!; i < ts.offsets[s + 1]!; i++) {
      rows[r] = i;
      groups[r] = s;
      position[r] = i - ts.offsets[s]!;
      r++;
    }
  const { y, classes, kind } = makeLabels(annotation.name, annotation.values, rows, bins, maxLevels);
  const K = classes.length;
  // control task: each type gets a label drawn from the annotation's label distribution
  const typeLabel = new Map<string, number>();
  const control = Int32Array.from(rows, (row) => {
    const t = types[row]!;
    let c = typeLabel.get(t);
    if (c === undefined) {
      c = y[rng.int(rows.length)]!;
      typeLabel.set(t, c);
    }
    return c;
  });
  const splits = groupKFold(groups, { k: folds });
  const majorityOf = (labels: Int32Array) =>
    splits.map(({ train, test }) => {
      const counts = new Array<number>(K).fill(0);
      for (const i of train) counts[labels[i]!]!++;
      const m = counts.indexOf(Math.max(...counts));
      let hit = 0;
      for (const i of test) if (labels[i] === m) hit++;
      return hit / test.length;
    });
  const majority = majorityOf(y);
  const controlMajority = majorityOf(control);
  const targets = ts.layers
    .flatMap((info, li) => (['h', 'c'] as const).filter((f) => ts.values[li]![f]).map((field) => ({ info, li, field })))
    .filter(({ info, field }) => (opts.layers ? opts.layers.some((l) => l === info.key || l === info.layer) : true) && (opts.fields ? opts.fields.includes(field) : true));
  if (targets.length === 0) throw new ArgumentError(where, 'layers/fields', `one of ${ts.layers.map((l) => l.key).join(', ')} with state h or c`, `${describe(opts.layers)} / ${describe(opts.fields)}`);
  const out: ProbeRow[] = [];
  const total = targets.length * probes.length * folds;
  let done = 0;
  for (const { info, li, field } of targets) {
    const m = ts.values[li]![field]!;
    const d = m.cols;
    const X = new Float64Array(steps * d);
    rows.forEach((row, i) => {
      for (let j = 0; j < d; j++) X[i * d + j] = m.data[row * d + j]!;
    });
    for (const probe of probes) {
      const taskAcc: number[] = [];
      const ctrlAcc: number[] = [];
      const hits = new Float64Array(byStepMax);
      const counts = new Float64Array(byStepMax);
      splits.forEach(({ train, test }, f) => {
        const [Xtr, Xte] = standardise(X, d, train, [train, test]);
        const fit = (labels: Int32Array): Classifier => {
          const yl = Int32Array.from(train, (i) => labels[i]!);
          return probe === 'linear'
            ? fitLogistic(Xtr!, train.length, d, yl, K, { C: opts.C ?? 1, gtol: 1e-5, maxIter: 150 })
            : fitMlp(Xtr!, train.length, d, yl, K, { epochs: 20, ...opts.mlp, seed: (opts.seed ?? 0) * 1000 + f });
        };
        const score = (labels: Int32Array, track: boolean): number => {
          const pred = argmaxRows(fit(labels).predictProba(Xte!, test.length), test.length, K);
          let hit = 0;
          test.forEach((i, k) => {
            const ok = pred[k] === labels[i];
            if (ok) hit++;
            const p = position[i]!;
            if (track && p < byStepMax) {
              counts[p]!++;
              if (ok) hits[p]!++;
            }
          });
          return hit / test.length;
        };
        taskAcc.push(score(y, true));
        ctrlAcc.push(score(control, false));
        opts.onProgress?.({ task: 'probe', done: ++done, total, message: `${info.key} ${field} ${probe} fold ${f + 1}` });
      });
      out.push({
        layer: info.key,
        field,
        probe,
        task: accuracyInterval(taskAcc),
        control: accuracyInterval(ctrlAcc),
        selectivity: tInterval(taskAcc.map((a, i) => a - ctrlAcc[i]!)),
        byStep: Array.from(counts, (n, step) => ({ step, accuracy: n ? hits[step]! / n : NaN, n })).filter((s) => s.n > 0),
      });
    }
  }
  return { annotation: annotation.name, classes, labels: kind, sequences: picked.length, steps, types: typeLabel.size, folds, majority: accuracyInterval(majority), controlMajority: accuracyInterval(controlMajority), rows: out };
}
