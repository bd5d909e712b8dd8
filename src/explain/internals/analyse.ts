/**
 * `analyseInternals(model, dataset, opts)`: everything the internals views show, as plain data
 * plus figure specs' data, for the CLI (`rnnlens internals`), the report and the dashboard:
 * structure, gate saturation, units ranked against annotations with permutation p-values,
 * gradient flow and memory, co-clustering of units and tokens, projections, unit activity and
 * (when the trainer's records are given) training dynamics.
 */
import type { ProgressCallback } from '../../core/progress.js';
import { ArgumentError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { Tokenizer } from '../../data/tokenizer.js';
import type { SequenceModel } from '../../nn/model.js';
import type { FigureDataByKind, FigureKind } from '../../report/figures/index.js';
import type { LayerDistribution } from '../../train/trainer.js';
import {
  builtinAnnotation,
  stepTokens,
  tagAnnotation,
  userAnnotation,
  BUILTIN_ANNOTATIONS,
  type Annotation,
} from './annotations.js';
import { alignAnnotation, alignedTokens, alignmentSummary, lastTokens, type AlignmentSummary } from './align.js';
import { coCluster, coClusterFigureData, type CoClustering } from './coclustering.js';
import { collectTraces, matrixOf } from './collect.js';
import {
  distributionFigures,
  unitActivity,
  updateRatios,
  type LayerActivity,
  type UpdateRatioSeries,
} from './dynamics.js';
import { gradientFlow, gradientFlowFigureData, type GradientFlowResult } from './gradient-flow.js';
import {
  project,
  projectionFigureData,
  type Projection,
  type ProjectionMethod,
} from './projections.js';
import { explorerData, type ExplorerCaps, type ExplorerData } from './explorer.js';
import { gateSaturation, saturationFigureData, type LayerSaturation } from './saturation.js';
import { matchSpans, selectUnits, type Match, type Selection } from './select-match.js';
import { modelGraph, structureSvg, type ModelGraph } from './structure.js';
import { sampleSequences } from './sample.js';
import { unitFigures } from './unit-figures.js';
import { bestUnits, rankUnits, type UnitRanking, type UnitScore } from './units.js';

export interface InternalsOptions {
  /**
   * Sequences analysed; default 200. A class dataset is sampled stratified by class, others from
   * the start (see sample.ts); `InternalsResult.indices` says which.
   */
  maxSequences?: number;
  /** Built-in annotation names, or 'tags' (the dataset's per-step tags); default: all that apply. */
  annotate?: readonly string[];
  /** User-provided per-step labels: one array per analysed sequence (in `indices` order). */
  labels?: Record<string, readonly ArrayLike<number>[]>;
  permutations?: number;
  /** Units per annotation that are reported (with p-values); default 3. */
  top?: number;
  projections?: readonly ProjectionMethod[];
  maxPoints?: number;
  seed?: number;
  batchSize?: number;
  maxBytes?: number;
  /** LSTMVis select + match on the hidden states of `layer` (default the last recurrent layer). */
  select?: {
    layer?: string;
    /** Dataset position of the sequence (always among the analysed ones). */
    sequence: number;
    start: number;
    end: number;
    threshold?: number;
    top?: number;
  };
  /** The trainer's per-layer distributions (TrainResult.distributions), for training dynamics. */
  distributions?: readonly LayerDistribution[];
  /** Caps of the unit explorer's data (see explorer.ts); false: none. */
  explorer?: Partial<ExplorerCaps> | false;
  onProgress?: ProgressCallback;
}

export interface InternalsFigure<K extends FigureKind = FigureKind> {
  /** file stem, e.g. `saturation-lstm-forward` */
  name: string;
  kind: K;
  data: FigureDataByKind[K];
}

export interface InternalsResult {
  structure: ModelGraph;
  structureSvg: string;
  sequences: number;
  /** Dataset positions of the analysed sequences, increasing. */
  indices: number[];
  steps: number;
  annotations: string[];
  saturation: LayerSaturation[];
  units: UnitRanking;
  /** the best unit per annotation */
  bestUnits: UnitScore[];
  gradientFlow: GradientFlowResult;
  coclustering: { layer: string; result: CoClustering }[];
  projections: { layer: string; projection: Projection }[];
  activity: LayerActivity[];
  selection?: { layer: string; selection: Selection; matches: Match[] };
  updateRatios?: UpdateRatioSeries[];
  /** the unit explorer's sequences and quantised states */
  explorer?: ExplorerData;
  /** when the layers before the recurrent ones change the number of steps: each step's input range */
  alignment?: AlignmentSummary[];
  figures: InternalsFigure[];
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '-');

/** Built-in annotations that apply to a dataset: character ones for char tokenizers, tokens for word ones. */
export function defaultAnnotations(ds: Dataset): string[] {
  const out: string[] = [];
  const tok = (ds.settings as { tokenizer?: unknown }).tokenizer;
  if (ds.input === 'tokens' && tok) {
    const kind = Tokenizer.fromJSON(tok).kind;
    out.push(...(kind === 'char' ? BUILTIN_ANNOTATIONS : ['token']));
  }
  const numericTags =
    ds.target === 'tags' &&
    (ds.classNames ?? []).length > 1 &&
    ds.classNames!.every((c) => c.trim() !== '' && Number.isFinite(Number(c)));
  if (numericTags) out.push('tags');
  return out;
}

function isConstant(a: Annotation): boolean {
  for (let i = 1; i < a.values.length; i++) if (a.values[i] !== a.values[0]) return false;
  return true;
}

export function analyseInternals(
  model: SequenceModel,
  ds: Dataset,
  opts: InternalsOptions = {},
): InternalsResult {
  const where = 'analyseInternals';
  const progress = (message: string, done: number): void =>
    opts.onProgress?.({ task: 'internals', done, total: 7, message });
  const structure = modelGraph(model);
  if (Math.min(ds.items.length, opts.maxSequences ?? 200) < 1)
    throw new ArgumentError(
      where,
      'dataset',
      'at least one sequence',
      `an empty dataset '${ds.name}'`,
    );
  const sequences = sampleSequences(ds, opts.maxSequences ?? 200, opts.select ? [opts.select.sequence] : []);
  const n = sequences.length;
  progress('traces', 0);
  const ts = collectTraces(model, ds, {
    sequences,
    batchSize: opts.batchSize,
    maxBytes: opts.maxBytes,
  });
  const figures: InternalsFigure[] = [];
  const saturation = gateSaturation(ts);
  for (const s of saturation)
    figures.push({
      name: `saturation-${slug(s.layer)}`,
      kind: 'saturation-scatter',
      data: saturationFigureData(s),
    });
  progress('annotations', 1);
  const names = opts.annotate ?? defaultAnnotations(ds);
  const needsText = names.some((a) => a !== 'tags');
  const tokens = needsText || ds.input === 'tokens' ? safeTokens(ds, sequences, needsText) : null;
  // annotations are made over input steps and carried to recurrent steps when they differ (align.ts)
  const al = ts.alignment;
  const inputRows = al?.inputOffsets ?? ts.offsets;
  const annotations: Annotation[] = [];
  for (const name of names) {
    if (name === 'tags') annotations.push(tagAnnotation(ds, sequences, inputRows));
    else annotations.push(...builtinAnnotation(name, tokens!));
  }
  for (const [name, labels] of Object.entries(opts.labels ?? {}))
    annotations.push(userAnnotation(name, labels, inputRows));
  annotations.forEach((a, i) => (annotations[i] = alignAnnotation(a, al)));
  // per recurrent step: the token read last (co-clustering), the tokens covered (pictures, explorer)
  const lastToks = tokens && al ? lastTokens(tokens, al) : tokens;
  const spanToks = al ? alignedTokens(tokens, al) : tokens;
  const used = annotations.filter((a) => !isConstant(a));
  progress('units', 2);
  const units = rankUnits(ts, used, {
    top: opts.top ?? 3,
    permutations: opts.permutations ?? 199,
    seed: opts.seed ?? 0,
  });
  progress('gradient flow', 3);
  const gf = gradientFlow(model, ds, {
    sequences: sequences.subarray(0, Math.min(n, 100)),
    batchSize: opts.batchSize,
  });
  figures.push({ name: 'gradient-flow', kind: 'gradient-flow', data: gradientFlowFigureData(gf) });
  progress('co-clustering', 4);
  const coclustering: InternalsResult['coclustering'] = [];
  if (tokens) {
    for (const info of ts.layers) {
      const { m } = matrixOf(ts, info.key, 'h');
      const distinct = new Set(lastToks!.flat()).size;
      if (distinct < 2) continue;
      const result = coCluster(m, lastToks!, {
        seed: opts.seed ?? 0,
        minCount: Math.min(5, Math.max(1, Math.floor(ts.totalSteps / 200))),
      });
      coclustering.push({ layer: info.key, result });
      figures.push({
        name: `coclustering-${slug(info.key)}`,
        kind: 'heatmap',
        data: coClusterFigureData(result, info.key),
      });
    }
  }
  progress('projections', 5);
  const projections: InternalsResult['projections'] = [];
  const labels = Array.from(sequences, (s) => {
    const l = ds.items[s]!.label;
    return l === undefined ? 'sequence' : (ds.classNames?.[l] ?? String(l));
  });
  const last = ts.layers[ts.layers.length - 1]!;
  for (const method of opts.projections ?? ['pca', 'umap', 'tsne']) {
    const { m } = matrixOf(ts, last.key, 'h');
    const projection = project(m, method, {
      seed: opts.seed ?? 0,
      maxPoints: opts.maxPoints ?? (method === 'pca' ? 5000 : 800),
    });
    projections.push({ layer: last.key, projection });
    figures.push({
      name: `projection-${method}-${slug(last.key)}`,
      kind: 'projection-trajectories',
      data: projectionFigureData(m, projection, { labels, layer: last.key, ids: sequences }),
    });
  }
  progress('activity', 6);
  const activity = unitActivity(ts);
  const best = bestUnits(units);
  if (tokens)
    for (const f of unitFigures(ts, used, best, spanToks!))
      figures.push({ name: f.name, kind: f.kind, data: f.data });
  const result: InternalsResult = {
    structure,
    structureSvg: structureSvg(structure),
    sequences: n,
    indices: Array.from(sequences),
    steps: ts.totalSteps,
    annotations: used.map((a) => a.name),
    saturation,
    units,
    bestUnits: best,
    gradientFlow: gf,
    coclustering,
    projections,
    activity,
    figures,
  };
  if (al) result.alignment = alignmentSummary(al);
  if (opts.explorer !== false) result.explorer = explorerData(ts, ds, spanToks, opts.explorer);
  if (opts.select) {
    const q = opts.select;
    const { info, m } = matrixOf(ts, q.layer ?? last.key, 'h');
    const at = sequences.indexOf(q.sequence);
    const selection = selectUnits(m, at >= 0 ? at : q.sequence, q.start, q.end, q.threshold ?? 0.3);
    // positions among the traced sequences, reported as dataset positions
    result.selection = {
      layer: info.key,
      selection: { ...selection, sequence: sequences[selection.sequence] ?? selection.sequence },
      matches: matchSpans(m, selection, { top: q.top ?? 10 }).map((x) => ({ ...x, sequence: sequences[x.sequence]! })),
    };
  }
  if (opts.distributions && opts.distributions.length > 0) {
    result.updateRatios = updateRatios(opts.distributions);
    for (const d of distributionFigures(opts.distributions))
      figures.push({
        name: `distribution-${slug(d.name)}`,
        kind: 'histogram-over-epochs',
        data: d,
      });
  }
  progress('done', 7);
  return result;
}

function safeTokens(ds: Dataset, sequences: Int32Array, required: boolean): string[][] | null {
  try {
    return stepTokens(ds, sequences);
  } catch (e) {
    if (required) throw e;
    return null;
  }
}

/** The `--json` summary: saturation per layer and gate, best units, gradient flow. */
export function internalsSummary(r: InternalsResult): Record<string, unknown> {
  return {
    sequences: r.sequences,
    steps: r.steps,
    ...(r.alignment ? { alignment: r.alignment } : {}),
    saturation: r.saturation.flatMap((s) =>
      s.summary.map((g) => ({ layer: s.layer, gate: g.gate, left: g.left, right: g.right })),
    ),
    units: r.bestUnits.map((u) => ({
      layer: u.layer,
      field: u.field,
      unit: u.unit,
      annotation: u.annotation,
      score: u.score,
      r: u.r,
      mi: u.mi,
      p: u.p,
    })),
    gradientFlow: {
      hidden: r.gradientFlow.hidden.map((h) => ({
        layer: h.series,
        lag0: h.mean[0],
        lastLag: h.mean[h.mean.length - 1],
        lags: h.mean.length,
      })),
      memory: r.gradientFlow.memory.map((m) => ({
        layer: m.layer,
        gate: m.gate,
        effectiveLength: m.effectiveLength,
      })),
      firstStep: r.gradientFlow.firstStep,
    },
    activity: r.activity.map((a) => ({
      layer: a.layer,
      units: a.units,
      dead: a.dead.length,
      saturated: a.saturated.length,
    })),
  };
}
