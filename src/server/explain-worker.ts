/**
 * The explain worker thread of the dashboard server: it loads models and recipe data (each kept
 * in a small least-recently-used cache) and computes explanations and item lists, so that a long
 * explanation never blocks the server and can be stopped at its time limit by ending the thread.
 * Messages: `{ id, op: 'explain' | 'items', model: { dir, stamp }, ... }`; replies
 * `{ id, ok: true, value }` or `{ id, ok: false, status, code, message }`. It only reads files.
 */
import { parentPort } from 'node:worker_threads';
import { RnnlensError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { loadModel } from '../train/checkpoint.js';
import type { RecipeData } from '../train/recipes.js';
import { HttpError, type ErrorCode } from './errors.js';
import { explainOne, listItems, loadRecipeData, recipeOf, splitOf } from './explain-compute.js';
import type { ExplainRequest, Split } from './explain-request.js';

export interface ModelRef {
  dir: string;
  /** Changes when model.json changes (its mtime and size): a cached model is then reloaded. */
  stamp: string;
}

export type WorkerMessage =
  | { id: number; op: 'explain'; model: ModelRef; request: ExplainRequest; maxSteps: number }
  | { id: number; op: 'items'; model: ModelRef; split: Split; offset: number; limit: number };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; status: number; code: ErrorCode; message: string };

/** A map that keeps its `size` most recently used entries. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(readonly size: number) {}
  get(key: string, make: () => V): V {
    if (this.map.has(key)) {
      const v = this.map.get(key)!;
      this.map.delete(key);
      this.map.set(key, v);
      return v;
    }
    const v = make();
    this.map.set(key, v);
    while (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
    return v;
  }
}

interface Loaded {
  m: LoadedAnyModel;
  meta: Record<string, unknown>;
}

const models = new Lru<Loaded>(4);
const datasets = new Lru<RecipeData>(2);

function model(ref: ModelRef): Loaded {
  return models.get(`${ref.dir}\n${ref.stamp}`, () => {
    let loaded;
    try {
      loaded = loadModel(ref.dir);
    } catch (err) {
      throw new HttpError(500, 'internal', `the model in ${ref.dir} cannot be loaded: ${(err as Error).message}`);
    }
    const { model: net, file } = loaded;
    const m: LoadedAnyModel = { model: net, format: 'native', task: file.task, preprocessing: file.preprocessing, path: ref.dir };
    if (file.classNames) m.classNames = file.classNames;
    return { m, meta: file.meta ?? {} };
  });
}

function dataset(l: Loaded, split: Split): Dataset {
  const { recipe, seed } = recipeOf(l.meta);
  return splitOf(l.m, datasets.get(`${recipe}\n${seed}`, () => loadRecipeData(recipe, seed)), recipe, split);
}

function handle(msg: WorkerMessage): unknown {
  const l = model(msg.model);
  if (msg.op === 'items') {
    const { total, items } = listItems(l.m, dataset(l, msg.split), msg.offset, msg.limit);
    return { split: msg.split, total, offset: msg.offset, limit: msg.limit, classNames: l.m.classNames ?? null, items };
  }
  return explainOne(l.m, msg.request, (split) => dataset(l, split), msg.maxSteps);
}

const port = parentPort;
if (!port) throw new RnnlensError('rnnlens explain worker: this file runs only as a worker thread');
port.on('message', (msg: WorkerMessage) => {
  let reply: WorkerReply;
  try {
    reply = { id: msg.id, ok: true, value: handle(msg) };
  } catch (err) {
    const h =
      err instanceof HttpError
        ? err
        : err instanceof RnnlensError
          ? new HttpError(400, 'bad_request', err.message)
          : new HttpError(500, 'internal', `internal error: ${(err as Error)?.message ?? String(err)}`);
    reply = { id: msg.id, ok: false, status: h.status, code: h.code, message: h.message };
  }
  port.postMessage(reply);
});
