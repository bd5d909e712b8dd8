/**
 * Analyses that record a run in the run store with their data and figures, so the static report
 * and the dashboard can show them: explanations (with scorecards), internals and certificates of a
 * model on some sequences of a dataset. `rnnlens start` chains them after training.
 */
import type { ProgressCallback } from '../core/progress.js';
import { collate } from '../data/batching.js';
import type { Dataset } from '../data/dataset.js';
import { Tokenizer } from '../data/tokenizer.js';
import { attribute, toNested } from '../explain/attribute.js';
import { analyseInternals, internalsSummary, type InternalsResult } from '../explain/internals/analyse.js';
import { stepTokens } from '../explain/internals/annotations.js';
import type { SequenceModel } from '../nn/model.js';
import type { RunStore } from '../runs/store.js';
import type { RunWriter } from '../runs/writer.js';
import { batchInput } from '../train/tasks.js';
import { certify } from '../verify/certify/certify.js';
import { clopperPearson } from '../verify/certify/radius.js';
import { scorecard, type Scorecard } from '../verify/explanations/scorecard.js';

export interface AnalysisContext {
  store: RunStore;
  model: SequenceModel;
  dataset: Dataset;
  preprocessing: Record<string, unknown>;
  classNames?: string[];
  /** The training run these analyses belong to (recorded as a tag). */
  parentRun?: string;
  onProgress?: ProgressCallback;
}

function tokenStrings(ctx: AnalysisContext, ids: ArrayLike<number>, n: number): string[] {
  const tok = ctx.preprocessing.tokenizer ? Tokenizer.fromJSON(ctx.preprocessing.tokenizer) : null;
  return Array.from({ length: n }, (_, t) => (tok ? tok.decode([ids[t]!]) : `t${t}`) || '·');
}

/** Explains `indices` of the dataset with `method` (target: the predicted class) plus a scorecard. */
export function recordExplanations(ctx: AnalysisContext, indices: number[], method: string): { runId: string; scorecard: Scorecard } {
  const w = ctx.store.createRun({ kind: 'explain', config: { method, indices, dataset: ctx.dataset.name }, tags: ctx.parentRun ? [ctx.parentRun] : [] });
  try {
    const b = collate(ctx.dataset, indices);
    const input = batchInput(ctx.model, b);
    const out = ctx.model.predict(input);
    const C = 'features' in out ? out.features : out.shape[1]!;
    const rows = 'features' in out ? null : out.data;
    const targets = indices.map((_, i) => {
      if (!rows) return 0;
      let best = 0;
      for (let c = 1; c < C; c++) if (rows[i * C + c]! > rows[i * C + best]!) best = c;
      return best;
    });
    const opts = { method, target: targets, steps: 128 };
    ctx.onProgress?.({ task: 'explain', done: 0, total: 2, message: method });
    const res = attribute(ctx.model, input, opts);
    ctx.onProgress?.({ task: 'explain', done: 1, total: 2, message: 'scorecard' });
    const card = scorecard(ctx.model, input, opts, res);
    ctx.onProgress?.({ task: 'explain', done: 2, total: 2 });
    const nested = toNested(res.attributions);
    w.writeJson('explanations.json', { method, indices, targets, outputs: Array.from(res.outputs), delta: res.delta ? Array.from(res.delta) : null, attributions: nested, scorecard: card });
    indices.forEach((idx, i) => {
      const len = b.lengths[i]!;
      const label = ctx.classNames?.[targets[i]!] ?? String(targets[i]);
      if (b.x instanceof Int32Array) {
        const ids = b.x.subarray(i * b.steps, i * b.steps + len);
        w.writeFigure(`fig-explain-${idx}.json`, {
          figure: 'token-attribution',
          title: `sequence ${idx}: ${method} for '${label}'`,
          data: { tokens: tokenStrings(ctx, ids, len), scores: nested[i]!.slice(0, len).map((r) => r[0]!) },
        });
      } else {
        w.writeFigure(`fig-explain-${idx}.json`, {
          figure: 'heatmap',
          title: `sequence ${idx}: ${method} for '${label}'`,
          data: { values: nested[i]!.slice(0, len), rowTitle: 'step', colTitle: 'feature', valueTitle: 'attribution' },
        });
      }
    });
    const flags: Record<string, number> = { overallPass: card.overall === 'pass' ? 1 : 0 };
    for (const e of card.entries) if (Number.isFinite(e.value)) flags[e.check] = e.value;
    w.finish('finished', { metrics: flags });
    return { runId: w.id, scorecard: card };
  } catch (err) {
    w.fail(err);
    throw err;
  }
}

/** Characters of a sequence's text kept in sequences.json. */
const TEXT_CHARS = 400;

/**
 * The analysed sequences for the dashboard's linked list (sequences.json): id (the dataset
 * position, as in the projection figures), class label and the text (token models) or length.
 */
export function internalsSequences(ds: Dataset, indices: readonly number[]): { id: string; label?: string; text: string }[] {
  let tokens: string[][] | null = null;
  if (ds.input === 'tokens')
    try {
      tokens = stepTokens(ds, Int32Array.from(indices));
    } catch {
      tokens = null; // no tokenizer recorded: lengths only
    }
  const chars = (ds.settings as { tokenizer?: { kind?: string } }).tokenizer?.kind === 'char';
  return indices.map((idx, i) => {
    const it = ds.items[idx]!;
    const label = it.label === undefined ? undefined : (ds.classNames?.[it.label] ?? String(it.label));
    const text = tokens ? tokens[i]!.join(chars ? '' : ' ').slice(0, TEXT_CHARS) : `${it.steps} steps`;
    return { id: String(idx), ...(label !== undefined ? { label } : {}), text };
  });
}

/**
 * An internals analysis as run artifacts: summary.json, structure.svg, every figure's data and,
 * given the dataset, sequences.json (the analysed sequences for the linked list), and
 * explorer.json (the unit explorer's data).
 */
export function writeInternalsArtifacts(w: RunWriter, r: InternalsResult, ds?: Dataset): Record<string, unknown> {
  const summary = internalsSummary(r);
  w.writeJson('summary.json', summary);
  if (ds) w.writeJson('sequences.json', internalsSequences(ds, r.indices));
  if (r.explorer) w.writeJson('explorer.json', r.explorer);
  w.writeText('structure.svg', r.structureSvg);
  for (const f of r.figures) w.writeFigure(`fig-${f.name}.json`, { figure: f.kind, data: f.data });
  return summary;
}

/** Internals of the model over `maxSequences` sequences. */
export function recordInternals(ctx: AnalysisContext, maxSequences: number): { runId: string; summary: Record<string, unknown> } {
  const w = ctx.store.createRun({ kind: 'internals', config: { maxSequences, dataset: ctx.dataset.name }, tags: ctx.parentRun ? [ctx.parentRun] : [] });
  try {
    const r = analyseInternals(ctx.model, ctx.dataset, { maxSequences, projections: ['pca'], permutations: 99, onProgress: ctx.onProgress });
    const summary = writeInternalsArtifacts(w, r, ctx.dataset);
    w.finish('finished');
    return { runId: w.id, summary };
  } catch (err) {
    w.fail(err);
    throw err;
  }
}

/** L∞ certificates (per step; embedding space for token models) for `indices`, with CROWN. */
export function recordCertificates(ctx: AnalysisContext, indices: number[], eps: number): { runId: string; certified: number; total: number; interval: [number, number] } {
  const w = ctx.store.createRun({ kind: 'certify', config: { indices, eps, norm: 'linf', method: 'crown', perStep: true, dataset: ctx.dataset.name }, tags: ctx.parentRun ? [ctx.parentRun] : [] });
  try {
    const results = indices.map((idx, k) => {
      const it = ctx.dataset.items[idx]!;
      const input = it.x instanceof Int32Array ? ({ kind: 'tokens', ids: it.x } as const) : ({ kind: 'numeric', data: it.x, steps: it.steps } as const);
      const r = certify(ctx.model, input, { kind: 'ball', norm: 'linf', eps, perStep: true }, { method: 'crown' });
      ctx.onProgress?.({ task: 'certify', done: k + 1, total: indices.length });
      const names = Array.from(r.lower, (_, c) => ctx.classNames?.[c] ?? String(c));
      w.writeFigure(`fig-certificate-${idx}.json`, {
        figure: 'certified-intervals',
        title: `sequence ${idx}: logit bounds, L∞ ε = ${eps} per step (${r.certified ? 'certified' : 'not certified'})`,
        data: { classes: names.map((label, c) => ({ label, lower: r.lower[c]!, upper: r.upper[c]! })), predicted: names[r.prediction] },
      });
      return { index: idx, prediction: r.prediction, label: it.label ?? null, lower: Array.from(r.lower), upper: Array.from(r.upper), certified: r.certified, seconds: r.seconds };
    });
    const certifiedCorrect = results.filter((r) => r.certified && r.prediction === r.label).length;
    const acc = clopperPearson(certifiedCorrect, results.length);
    w.writeJson('certificates.json', { eps, norm: 'linf', method: 'crown', results, certifiedAccuracy: acc, ...(ctx.classNames ? { classNames: ctx.classNames } : {}) });
    w.finish('finished', { metrics: { certifiedAccuracy: certifiedCorrect / results.length, certified: results.filter((r) => r.certified).length } });
    return { runId: w.id, certified: results.filter((r) => r.certified).length, total: results.length, interval: [acc.lower, acc.upper] };
  } catch (err) {
    w.fail(err);
    throw err;
  }
}
