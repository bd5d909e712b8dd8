/**
 * One training run from a recipe plus overrides: load and split the data, build the model, train
 * with checkpoints after every epoch, evaluate on train/validation/test, save the final model, and
 * (optionally) record the run in the run store. Used by `rnnlens train` and `rnnlens start`.
 */
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { Dataset } from '../data/dataset.js';
import { SequenceModel } from '../nn/model.js';
import type { ModelConfig } from '../nn/config.js';
import type { RunStore } from '../runs/store.js';
import { canonicalJson, dataFingerprint } from '../runs/fingerprint.js';
import { VERSION } from '../version.js';
import { loadModel, saveModel } from './checkpoint.js';
import { acquireModelLock } from './model-lock.js';
import { evaluateContinuous } from './evaluate-continuous.js';
import { evaluate, type Metrics } from './evaluate.js';
import { streamable } from './streams.js';
import { SeriesRecorder } from './step-series.js';
import { buildModelConfig, getRecipe, type ModelShape, type RecipeData } from './recipes.js';
import { train, type EpochRecord, type TrainConfig, type TrainResult } from './trainer.js';

export interface RecipeOverrides {
  data?: string;
  /** merged over the recipe (model shape and training settings) */
  config?: { model?: Partial<ModelShape>; train?: Partial<TrainConfig> };
  cell?: ModelShape['cell'];
  hidden?: number;
  layers?: number;
  epochs?: number;
  seed?: number;
  batchSize?: number;
  lr?: number;
}

export interface RecipeRunResult {
  recipe: string;
  modelDir: string;
  model: SequenceModel;
  modelConfig: ModelConfig;
  data: RecipeData;
  metrics: { train: Metrics; validation: Metrics; test: Metrics };
  history: EpochRecord[];
  result: TrainResult;
  seconds: number;
  runId?: string;
}

export interface RecipeRunOptions {
  /** where the model folder goes; default `<run folder>/model` or `./models/<recipe>` */
  out?: string;
  store?: RunStore;
  onProgress?: ProgressCallback;
  /** continue from the checkpoint in `out` when it holds one */
  resume?: boolean;
  /** Replace a model already in `out` (without it, an existing model is never overwritten). */
  force?: boolean;
}

function resolveSettings(name: string, o: RecipeOverrides): { shape: ModelShape; cfg: Omit<TrainConfig, 'task'> } {
  const r = getRecipe(name);
  const shape: ModelShape = { ...r.model, ...(o.config?.model ?? {}) };
  const cfg: Omit<TrainConfig, 'task'> = { ...r.train, ...(o.config?.train ?? {}) };
  if (o.cell !== undefined) shape.cell = o.cell;
  if (o.hidden !== undefined) shape.hidden = o.hidden;
  if (o.layers !== undefined) shape.layers = o.layers;
  if (o.epochs !== undefined) cfg.epochs = o.epochs;
  if (o.seed !== undefined) cfg.seed = o.seed;
  if (o.batchSize !== undefined) cfg.batchSize = o.batchSize;
  if (o.lr !== undefined) cfg.optimizer = { ...(cfg.optimizer ?? { type: 'adam' }), lr: o.lr };
  if (!['lstm', 'gru', 'rnn'].includes(shape.cell)) throw new ArgumentError(`recipe ${name}`, 'cell', "'lstm', 'gru' or 'rnn'", JSON.stringify(shape.cell));
  for (const [k, v] of [['hidden', shape.hidden], ['layers', shape.layers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`recipe ${name}`, k, 'an integer >= 1', String(v));
  }
  return { shape, cfg };
}

function fingerprintOf(ds: Dataset): string {
  return dataFingerprint(ds.name, ds.items.length, ...ds.items.slice(0, 2000).map((it) => it.x));
}

export async function runRecipe(name: string, overrides: RecipeOverrides = {}, opts: RecipeRunOptions = {}): Promise<RecipeRunResult> {
  const recipe = getRecipe(name);
  const { shape, cfg } = resolveSettings(name, overrides);
  const t0 = performance.now();
  const data = recipe.load({ data: overrides.data, seed: cfg.seed, onProgress: opts.onProgress });
  if (data.train.items.length === 0) throw new ArgumentError(`recipe ${name}`, 'training data', 'at least one sequence', 'none');
  const modelConfig = buildModelConfig(shape, data.train, data.task);
  const trainCfg: TrainConfig = { ...cfg, task: data.task };
  const writer = opts.store?.createRun({ kind: 'train', config: { recipe: name, model: shape, train: trainCfg, modelConfig }, seed: cfg.seed, dataFingerprint: fingerprintOf(data.train), tags: [name] });
  let releaseLock: (() => void) | undefined;
  try {
    const modelDir = opts.out ?? (writer ? join(writer.dir, 'model') : join(process.cwd(), 'models', name));
    const hasModel = existsSync(join(modelDir, 'model.json'));
    if (hasModel && !opts.resume && !opts.force) {
      throw new ArgumentError(`recipe ${name}`, '--out', 'a new or empty model folder (or --resume to continue it, --force to replace it)', `${modelDir}, which holds a model`);
    }
    releaseLock = acquireModelLock(modelDir);
    let model = new SequenceModel(modelConfig, { seed: cfg.seed });
    let resume;
    if (opts.resume && hasModel) {
      const loaded = loadModel(modelDir);
      if (!sameConfig(loaded.model.config(), model.config())) {
        throw new ArgumentError(`recipe ${name}`, 'resume checkpoint', 'a model with the same configuration', `a different model in ${modelDir}`);
      }
      if (!loaded.trainState) {
        throw new ArgumentError(`recipe ${name}`, '--resume', 'a checkpoint of an unfinished training', `a model in ${modelDir} that finished training (use --force to train it again from scratch)`);
      }
      model = loaded.model;
      resume = loaded.trainState;
    }
    const save = { task: data.task, classNames: data.train.classNames, preprocessing: data.preprocessing, meta: { recipe: name, seed: cfg.seed, rnnlens: VERSION, ...(writer ? { run: writer.id } : {}) } };
    const series = writer ? new SeriesRecorder(writer) : undefined;
    const result = await train(model, data.train, trainCfg, {
      validation: data.validation.items.length > 0 ? data.validation : undefined,
      onProgress: opts.onProgress,
      resume,
      onStep: series && ((s) => series.onStep(s)),
      onEpochEnd: (rec, state) => {
        saveModel(modelDir, model, { ...save, trainState: state });
        if (writer) {
          series!.onEpochEnd(rec);
          for (const [k, v] of Object.entries(rec.train)) writer.logMetric(`train_${k}`, v, rec.epoch);
          for (const [k, v] of Object.entries(rec.validation ?? {})) writer.logMetric(`val_${k}`, v, rec.epoch);
        }
      },
    });
    // the final model carries the best weights (early stopping) and no resume state
    saveModel(modelDir, model, save);
    const ev = (ds: Dataset, continuous = true): Metrics => {
      if (ds.items.length === 0) return {};
      const m = evaluate(model, ds, data.task, { loss: trainCfg.loss }).metrics;
      // language models over consecutive windows of a text: also with the state carried across windows
      if (continuous && data.task === 'language-model' && streamable(model, ds)) m.bpcContinuous = evaluateContinuous(model, ds).bpc;
      return m;
    };
    const metrics = { train: ev(data.train, false), validation: ev(data.validation), test: ev(data.test) };
    const seconds = (performance.now() - t0) / 1000;
    if (writer) {
      writer.writeJson('history.json', result.history);
      writer.writeJson('distributions.json', result.distributions);
      writer.writeJson('metrics.json', metrics);
      const flat: Record<string, number> = {};
      for (const [split, m] of Object.entries(metrics)) for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) flat[`${split === 'validation' ? 'val' : split}_${k}`] = v;
      writer.finish('finished', { metrics: flat });
    }
    return { recipe: name, modelDir, model, modelConfig, data, metrics, history: result.history, result, seconds, runId: writer?.id };
  } catch (err) {
    writer?.fail(err);
    if (writer && !opts.out) rmSync(join(writer.dir, 'model'), { recursive: true, force: true });
    throw err;
  } finally {
    releaseLock?.();
  }
}

/** Two model configurations are the same when their JSON values are equal, whatever the key order. */
export function sameConfig(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): string => canonicalJson(JSON.parse(JSON.stringify(v)));
  return norm(a) === norm(b);
}
