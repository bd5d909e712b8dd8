/**
 * The work behind POST /api/explain and GET /api/models/:run/items, on a loaded model: the
 * request's input as a batch of one sequence (typed text, token ids, numeric rows or a dataset
 * item of the model's recipe), the explanation exactly as `rnnlens explain` computes it
 * (runExplain: the method, its parameters, the predicted class as default target), and the
 * prediction. Runs in the explain worker thread (explain-worker.ts); pure apart from reading the
 * recipe's data.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { Dataset, Item } from '../data/dataset.js';
import { normaliseItem, textItem } from '../data/preprocess.js';
import { parseStepsByFeatures, type MethodParams } from '../explain/params.js';
import { runExplain, type ExplainCliOptions } from '../explain/run.js';
import type { ParsedInput } from '../predict/input-file.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { predictOutputs } from '../predict/predict.js';
import { getRecipe, type RecipeData } from '../train/recipes.js';
import { tokenLabel } from '../data/token-label.js';
import { HttpError } from './errors.js';
import type { ExplainParams, ExplainRequest, Split } from './explain-request.js';

/** A user error found while computing (the message names the field). */
const userError = (message: string): HttpError => new HttpError(400, 'bad_request', `explain: ${message}`);

/** The recipe and data seed a model was trained with (its saved meta). */
export function recipeOf(meta: Record<string, unknown>): { recipe: string; seed: number | undefined } {
  const recipe = meta['recipe'];
  if (typeof recipe !== 'string')
    throw new HttpError(404, 'not_found', 'this model records no recipe, so it has no dataset items to pick from; type an input instead');
  return { recipe, seed: typeof meta['seed'] === 'number' ? meta['seed'] : undefined };
}

/** The split of the model's recipe, checked against the model's input. */
export function splitOf(m: LoadedAnyModel, data: RecipeData, recipe: string, split: Split): Dataset {
  const ds = data[split];
  const spec = m.model.inputSpec;
  if (spec.kind !== ds.input) throw userError(`the model takes ${spec.kind} input, recipe '${recipe}' gives ${ds.input}`);
  if (spec.kind === 'numeric' && spec.features !== ds.features)
    throw userError(`the model takes ${spec.features} features per step, recipe '${recipe}' gives ${ds.features}`);
  return ds;
}

/** Loads a recipe's data (all splits) for a model trained on it. */
export function loadRecipeData(recipe: string, seed: number | undefined): RecipeData {
  let r;
  try {
    r = getRecipe(recipe);
  } catch (err) {
    throw new HttpError(404, 'not_found', `the model's recipe '${recipe}' is not known to this server (${(err as Error).message})`);
  }
  if (r.needsData)
    throw new HttpError(404, 'not_found', `recipe '${recipe}' reads a data folder the server was not given; type an input instead`);
  return r.load({ seed: seed ?? r.train.seed });
}

/** A token's text or a numeric item's summary, for the item list. */
function preview(m: LoadedAnyModel, item: Item): string {
  if (m.model.inputSpec.kind !== 'tokens') return `${item.steps} steps`;
  const ids = Array.from(item.x.subarray(0, Math.min(item.steps, 40)), (id) => tokenLabel(id, m.preprocessing));
  return ids.join(' ') + (item.steps > 40 ? ' …' : '');
}

export interface ItemEntry {
  index: number;
  steps: number;
  label: number | null;
  labelName: string | null;
  preview: string;
}

export function listItems(m: LoadedAnyModel, ds: Dataset, offset: number, limit: number): { total: number; items: ItemEntry[] } {
  const items = ds.items.slice(offset, offset + limit).map((it, i) => ({
    index: offset + i,
    steps: it.steps,
    label: it.label ?? null,
    labelName: it.label !== undefined ? (ds.classNames?.[it.label] ?? m.classNames?.[it.label] ?? String(it.label)) : null,
    preview: preview(m, it),
  }));
  return { total: ds.items.length, items };
}

const MAX_STEPS_MESSAGE = (n: number, max: number): string => `the input has ${n} steps, more than the limit of ${max} steps`;

/** The request's input as one sequence the model reads (and a dataset item's label). */
export function modelInput(
  m: LoadedAnyModel,
  req: ExplainRequest,
  dataset: (split: Split) => Dataset,
  maxSteps: number,
): { input: ParsedInput; label: number | null } {
  const spec = m.model.inputSpec;
  const inp = req.input;
  let item: Item;
  let label: number | null = null;
  if (inp.kind === 'item') {
    const ds = dataset(inp.split);
    if (inp.item >= ds.items.length)
      throw userError(`'input.item' expected an index in [0, ${ds.items.length}) (the ${inp.split} split), received ${inp.item}`);
    item = ds.items[inp.item]!;
    label = item.label ?? null;
  } else if (inp.kind === 'text') {
    if (spec.kind !== 'tokens' || !m.preprocessing.tokenizer)
      throw userError(`'input.text' needs a model trained on text (this one reads ${spec.kind === 'tokens' ? 'token ids without a saved tokenizer' : 'numeric rows'}); give ${spec.kind === 'tokens' ? "'input.tokens'" : "'input.rows'"} or 'input.item'`);
    item = textItem(inp.text, m.preprocessing);
  } else if (inp.kind === 'tokens') {
    if (spec.kind !== 'tokens') throw userError(`'input.tokens' is for token models; this model reads numeric rows of ${spec.features} features ('input.rows')`);
    inp.tokens.forEach((id, i) => {
      if (id >= spec.vocabSize) throw userError(`'input.tokens[${i}]' expected a token id in [0, ${spec.vocabSize}), received ${id}`);
    });
    item = { x: Int32Array.from(inp.tokens), steps: inp.tokens.length };
  } else {
    if (spec.kind !== 'numeric') throw userError(`'input.rows' is for numeric models; this model reads token ids ('input.text' or 'input.tokens')`);
    const D = spec.features;
    const x = new Float32Array(inp.rows.length * D);
    inp.rows.forEach((row, t) => {
      if (row.length !== D) throw userError(`'input.rows[${t}]' expected ${D} features, received ${row.length}`);
      x.set(row, t * D);
    });
    item = normaliseItem({ x, steps: inp.rows.length }, m.preprocessing);
  }
  if (item.steps > maxSteps) throw userError(MAX_STEPS_MESSAGE(item.steps, maxSteps));
  const lengths = Int32Array.of(item.steps);
  const input: ParsedInput =
    spec.kind === 'tokens'
      ? { kind: 'tokens', ids: Int32Array.from(item.x), batch: 1, steps: item.steps, lengths }
      : { kind: 'numeric', data: Float32Array.from(item.x), batch: 1, steps: item.steps, features: spec.features, lengths };
  return { input, label };
}

/** The target: an output index, or one of the model's class names. */
export function targetIndex(m: LoadedAnyModel, target: number | string | undefined): number | undefined {
  if (target === undefined) return undefined;
  const K = m.model.outputFeatures;
  const names = m.classNames ?? [];
  const k = typeof target === 'number' ? target : names.indexOf(target);
  if (k < 0 || k >= K)
    throw userError(`'target' expected ${names.length ? `one of the class names ${names.map((n) => JSON.stringify(n)).join(', ')} or ` : ''}an output index in [0, ${K}), received ${JSON.stringify(target)}`);
  return k;
}

/** The API's parameters as the CLI's options (the same checks and defaults follow). */
export function cliOptions(m: LoadedAnyModel, req: ExplainRequest): ExplainCliOptions {
  const p: ExplainParams = req.params;
  const mp: MethodParams = {};
  if (p.window !== undefined) mp.window = parseStepsByFeatures("'params.window'", p.window);
  if (p.stride !== undefined) mp.stride = parseStepsByFeatures("'params.stride'", p.stride);
  if (p.samples !== undefined) mp.samples = p.samples;
  if (p.perms !== undefined) mp.perms = p.perms;
  if (p.noise !== undefined) mp.noise = p.noise;
  const o: ExplainCliOptions = { model: req.run, input: '', method: req.method, seed: p.seed ?? 0 };
  const target = targetIndex(m, req.target);
  if (target !== undefined) o.target = target;
  if (p.steps !== undefined) o.steps = p.steps;
  if (p.baseline !== undefined) o.baseline = p.baseline;
  if (Object.keys(mp).length) o.params = mp;
  return o;
}

/** CLI option names in the messages of the shared checks, as the API's fields. */
function apiMessage(message: string): string {
  return message
    .replace(/--(window|stride|samples|perms|noise|steps|baseline|seed)\b/g, "'params.$1'")
    .replace(/--(method|target)\b/g, "'$1'");
}

export interface ExplainResponse {
  run: string;
  method: string;
  params: ExplainParams;
  input: { kind: 'tokens' | 'numeric'; steps: number; features: number; tokens?: string[]; ids?: number[]; label?: number | null; labelName?: string | null };
  target: { index: number; name: string | null };
  /** F(x) of the target. */
  output: number;
  prediction: { task: string | null; classNames: string[] | null; outputs: number[] | number[][]; predicted?: { index: number; name: string; probability: number } };
  /** Per step: the sum over the features (token models: over the embedding). */
  attribution: { steps: number[]; features?: number[][] };
  /** Σ attributions − (F(x) − F(baseline)) for methods with a completeness property, else null. */
  completenessGap: number | null;
  elapsedMs: number;
}

export function explainOne(m: LoadedAnyModel, req: ExplainRequest, dataset: (split: Split) => Dataset, maxSteps: number): ExplainResponse {
  const t0 = performance.now();
  const { input, label } = modelInput(m, req, dataset, maxSteps);
  const o = cliOptions(m, req);
  let e;
  try {
    e = runExplain(m.model, input, o);
  } catch (err) {
    if (err instanceof ArgumentError || err instanceof RnnlensError) throw userError(apiMessage(err.message).replace(/^explain: /, ''));
    throw err;
  }
  const r = e.result;
  const L = input.lengths[0]!;
  const { features: F, data } = r.attributions;
  const perStep = Array.from({ length: L }, (_, t) => {
    let s = 0;
    for (let f = 0; f < F; f++) s += data[t * F + f]!;
    return s;
  });
  const attribution: ExplainResponse['attribution'] = { steps: perStep };
  if (input.kind === 'numeric') attribution.features = Array.from({ length: L }, (_, t) => Array.from(data.subarray(t * F, (t + 1) * F)));
  const k = r.targets[0]!.index;
  const names = m.classNames ?? null;
  const outputs = predictOutputs(m.model, input, m.task ? { task: m.task } : {})[0]!;
  const prediction: ExplainResponse['prediction'] = { task: m.task ?? null, classNames: names, outputs };
  if (m.task === 'classification') {
    const probs = outputs as number[];
    const best = probs.reduce((b, v, i) => (v > probs[b]! ? i : b), 0);
    prediction.predicted = { index: best, name: names?.[best] ?? String(best), probability: probs[best]! };
  }
  const inputInfo: ExplainResponse['input'] = {
    kind: input.kind,
    steps: L,
    features: input.kind === 'numeric' ? input.features : 1,
  };
  if (input.kind === 'tokens') {
    inputInfo.ids = Array.from(input.ids.subarray(0, L));
    inputInfo.tokens = inputInfo.ids.map((id) => tokenLabel(id, m.preprocessing));
  }
  if (req.input.kind === 'item') {
    inputInfo.label = label;
    inputInfo.labelName = label === null ? null : (names?.[label] ?? String(label));
  }
  return {
    run: req.run,
    method: req.method,
    params: req.params,
    input: inputInfo,
    target: { index: k, name: names?.[k] ?? null },
    output: r.outputs[0]!,
    prediction,
    attribution,
    completenessGap: r.delta ? r.delta[0]! : null,
    elapsedMs: performance.now() - t0,
  };
}
