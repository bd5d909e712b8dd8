/**
 * The Explain page's API: the recorded models, the attribution methods with their parameters,
 * a model's dataset items, and POST /api/explain, which explains one input with one method.
 * Explanations run in one worker thread (explain-worker.ts) with a time limit: past it the thread
 * is ended and the request answered 504; with too many requests waiting, 503. Nothing here
 * writes to the run store. The access token is checked by the hook every /api/ route has.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { methodCatalog } from '../explain/param-specs.js';
import { startWorker } from '../distributed/pool.js';
import type { RunStore } from '../runs/store.js';
import type { ServerLimits } from './app.js';
import { HttpError } from './errors.js';
import { recordedModels, requireModel } from './explain-models.js';
import { EXPLAIN_LIMITS, parseExplainRequest, SPLITS, type Split } from './explain-request.js';
import type { WorkerMessage, WorkerReply } from './explain-worker.js';
import { RUN_ID_PATTERN } from './schemas.js';

export interface ExplainRouteOptions {
  /** Time limit of one explanation or item list, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Requests running or waiting at most (default 4); more are answered 503. */
  maxQueue?: number;
}

export const DEFAULT_EXPLAIN_TIMEOUT_MS = 30_000;

/** A message to the worker without its id (the thread numbers them). */
type Job = WorkerMessage extends infer J ? (J extends unknown ? Omit<J, 'id'> : never) : never;

/** One worker thread that runs jobs one at a time, each with a time limit. */
class ExplainThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private closed = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly maxQueue: number,
  ) {}

  private start(): Worker {
    const here = fileURLToPath(import.meta.url);
    const file = fileURLToPath(new URL(`./explain-worker${extname(here)}`, import.meta.url));
    const w = startWorker(file);
    w.unref();
    return w;
  }

  private stop(): void {
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }

  run(job: Job): Promise<unknown> {
    if (this.closed) return Promise.reject(new HttpError(503, 'busy', 'the server is shutting down'));
    if (this.waiting >= this.maxQueue)
      return Promise.reject(new HttpError(503, 'busy', `the server is explaining ${this.waiting} requests already (at most ${this.maxQueue} at a time); try again in a moment`));
    this.waiting++;
    const p = this.chain.then(() => this.once(job));
    this.chain = p.catch(() => undefined);
    return p.finally(() => void this.waiting--);
  }

  private once(job: Job): Promise<unknown> {
    const w = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (r: WorkerReply): void => {
        if (r.id !== id) return;
        done();
        if (r.ok) resolve(r.value);
        else reject(new HttpError(r.status, r.code, r.message));
      };
      const onError = (err: Error): void => {
        done();
        this.stop();
        reject(new HttpError(500, 'internal', `the explain worker failed: ${err.message}`));
      };
      const onExit = (code: number): void => {
        done();
        if (this.worker === w) this.worker = null;
        reject(new HttpError(500, 'internal', `the explain worker stopped (exit code ${code})`));
      };
      const timer = setTimeout(() => {
        done();
        this.stop();
        reject(
          new HttpError(
            504,
            'timeout',
            `the explanation was stopped after the time limit of ${this.timeoutMs / 1000} s; choose fewer samples, steps or permutations, a larger occlusion window or a shorter input`,
          ),
        );
      }, this.timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ ...job, id });
    });
  }

  close(): void {
    this.closed = true;
    this.stop();
  }
}

const itemsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    split: { type: 'string', enum: [...SPLITS], default: 'test' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: EXPLAIN_LIMITS.maxItems, default: 50 },
    token: { type: 'string', maxLength: 256 },
  },
} as const;

const modelParams = {
  type: 'object',
  required: ['run'],
  additionalProperties: false,
  properties: { run: { type: 'string', pattern: RUN_ID_PATTERN } },
} as const;

export function registerExplainRoutes(app: FastifyInstance, store: RunStore, limits: ServerLimits, options: ExplainRouteOptions = {}): void {
  const thread = new ExplainThread(options.timeoutMs ?? DEFAULT_EXPLAIN_TIMEOUT_MS, options.maxQueue ?? 4);
  app.addHook('onClose', async () => thread.close());

  app.get('/api/models', async () => ({ models: recordedModels(store, limits.jsonBytes) }));

  app.get('/api/methods', async () => ({ methods: methodCatalog(), limits: EXPLAIN_LIMITS }));

  app.get('/api/models/:run/items', { schema: { params: modelParams, querystring: itemsQuery } }, async (request) => {
    const { run } = request.params as { run: string };
    const { split, offset, limit } = request.query as { split: Split; offset: number; limit: number };
    const { ref } = requireModel(store, run, limits.jsonBytes);
    const value = (await thread.run({ op: 'items', model: ref, split, offset, limit })) as Record<string, unknown>;
    return { run, ...value };
  });

  app.post('/api/explain', async (request) => {
    const req = parseExplainRequest(request.body);
    const { ref } = requireModel(store, req.run, limits.jsonBytes);
    return thread.run({ op: 'explain', model: ref, request: req, maxSteps: EXPLAIN_LIMITS.maxSteps });
  });
}
