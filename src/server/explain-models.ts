/**
 * The models the Explain page can pick: every finished training run whose run folder holds the
 * saved model (`model/model.json`), described from that file alone (no weights are read): the
 * recipe, the kind of input (token ids with the vocabulary size and whether text can be typed, or
 * numeric rows with their feature count and typical length) and the class names.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { RunStore } from '../runs/store.js';
import type { RunRecord } from '../runs/types.js';
import type { ModelFile } from '../train/checkpoint.js';
import { requireFinishedRun } from './access.js';
import { HttpError } from './errors.js';
import type { ModelRef } from './explain-worker.js';

export type ModelInputInfo =
  | { kind: 'tokens'; vocabSize: number; text: boolean; maxLength: number | null }
  | { kind: 'numeric'; features: number; typicalLength: number | null };

export interface ModelEntry {
  run: string;
  created: string;
  recipe: string | null;
  task: string | null;
  cell: string | null;
  input: ModelInputInfo;
  classNames: string[] | null;
  outputs: number | null;
  metrics: Record<string, number>;
}

/** The model folder of a run, when it is a real folder inside the run's own folder. */
function modelDirOf(store: RunStore, id: string): string | null {
  const dir = join(store.root, id, 'model');
  const file = join(dir, 'model.json');
  if (!existsSync(file) || lstatSync(dir).isSymbolicLink() || lstatSync(file).isSymbolicLink()) return null;
  const runDir = realpathSync(join(store.root, id));
  return realpathSync(dir).startsWith(runDir + sep) ? dir : null;
}

const cache = new Map<string, { stamp: string; entry: ModelEntry | null }>();

function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function describeModel(run: RunRecord, f: ModelFile): ModelEntry | null {
  if (f?.format !== 'rnnlens-model' || !f.config?.input) return null;
  const pre = f.preprocessing ?? {};
  const synthetic = pre['synthetic'] as { length?: unknown } | undefined;
  const spec = f.config.input;
  const input: ModelInputInfo =
    spec.kind === 'tokens'
      ? { kind: 'tokens', vocabSize: spec.vocabSize, text: Boolean(pre['tokenizer']), maxLength: numberOr(pre['maxLength']) }
      : { kind: 'numeric', features: spec.features, typicalLength: numberOr(synthetic?.length) ?? numberOr(pre['length']) };
  const meta = f.meta ?? {};
  const cfg = (run.config ?? {}) as { recipe?: unknown; model?: { cell?: unknown } };
  const last = f.config.layers?.[f.config.layers.length - 1] as { units?: unknown } | undefined;
  return {
    run: run.id,
    created: run.created,
    recipe: typeof meta['recipe'] === 'string' ? meta['recipe'] : typeof cfg.recipe === 'string' ? cfg.recipe : null,
    task: f.task ?? null,
    cell: typeof cfg.model?.cell === 'string' ? cfg.model.cell : null,
    input,
    classNames: f.classNames ?? null,
    outputs: numberOr(last?.units),
    metrics: run.metrics,
  };
}

/** The model of one run and the stamp that tells when it changed; null when it has none. */
function modelOf(store: RunStore, run: RunRecord, maxBytes: number): { ref: ModelRef; entry: ModelEntry } | null {
  const dir = modelDirOf(store, run.id);
  if (!dir) return null;
  const st = statSync(join(dir, 'model.json'));
  const stamp = `${st.mtimeMs}:${st.size}`;
  const key = join(store.root, run.id);
  let hit = cache.get(key);
  if (!hit || hit.stamp !== stamp) {
    let entry: ModelEntry | null = null;
    if (st.size <= maxBytes) {
      try {
        entry = describeModel(run, JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelFile);
      } catch {
        entry = null; // an unreadable model file is not offered
      }
    }
    hit = { stamp, entry };
    cache.set(key, hit);
    if (cache.size > 1000) cache.delete(cache.keys().next().value!);
  }
  return hit.entry ? { ref: { dir, stamp }, entry: { ...hit.entry, metrics: run.metrics } } : null;
}

/** Every finished training run with a saved model, newest first. */
export function recordedModels(store: RunStore, maxBytes: number): ModelEntry[] {
  return store
    .list({ kind: 'train', status: 'finished' })
    .map((run) => modelOf(store, run, maxBytes)?.entry ?? null)
    .filter((e): e is ModelEntry => e !== null);
}

/** The model of a run for a request: 404 when the run is unknown or has no model. */
export function requireModel(store: RunStore, id: string, maxBytes: number): { ref: ModelRef; entry: ModelEntry } {
  const run = requireFinishedRun(store, id);
  const got = modelOf(store, run, maxBytes);
  if (!got)
    throw new HttpError(404, 'not_found', `run '${id}' has no saved model to explain (expected model/model.json in its run folder)`);
  return got;
}
