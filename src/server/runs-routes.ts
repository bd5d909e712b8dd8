/**
 * Runs: list (filters, paging), details, metric series, artifact list, model structure and the
 * sequence list that linked views select from.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { RunStore } from '../runs/store.js';
import type { RunRecord } from '../runs/types.js';
import { keyMetrics } from '../runs/metric-order.js';
import { hasArtifact, readJsonArtifact, requireFinishedRun, requireRun } from './access.js';
import { HttpError } from './errors.js';
import { listQuery, metricsQuery, runParams, tokenOnlyQuery } from './schemas.js';
import type { ServerLimits } from './app.js';

/** A run as listed (no config: configs can be large). */
export type RunSummary = Omit<RunRecord, 'config'> & { stale: boolean };

/** The artifact holding the run's sequences, `[{ id?, label?, text?, ... }]`, for the linked list. */
export const SEQUENCES_ARTIFACT = 'sequences.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function summarise(run: RunRecord): RunSummary {
  const { config: _config, ...rest } = run;
  return { ...rest, stale: run.status === 'running' && !alive(run.pid) };
}

function matches(run: RunRecord, q: string): boolean {
  const needle = q.toLowerCase();
  return [run.id, run.kind, run.tags.join(' '), JSON.stringify(run.config)].some((s) =>
    s.toLowerCase().includes(needle),
  );
}

/** The model config of a run: `config.modelConfig` (train runs) or the saved `model/model.json`. */
export function modelConfigOf(store: RunStore, run: RunRecord, maxBytes: number): unknown {
  const cfg = run.config as { modelConfig?: unknown } | null;
  if (cfg && typeof cfg === 'object' && cfg.modelConfig) return cfg.modelConfig;
  const file = join(store.root, run.id, 'model', 'model.json');
  if (existsSync(file) && statSync(file).size <= maxBytes) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { config?: unknown; model?: unknown };
    return saved.config ?? saved.model ?? saved;
  }
  return null;
}

export function registerRunRoutes(
  app: FastifyInstance,
  store: RunStore,
  limits: ServerLimits,
): void {
  app.get('/api/runs', { schema: { querystring: listQuery } }, async (request) => {
    const q = request.query as {
      kind?: string;
      status?: RunRecord['status'];
      tag?: string;
      q?: string;
      offset: number;
      limit: number;
    };
    let runs = store.list({ kind: q.kind, status: q.status, tag: q.tag });
    if (q.q !== undefined) runs = runs.filter((r) => matches(r, q.q!));
    const page = runs.slice(q.offset, q.offset + q.limit).map(summarise);
    // the columns a list has room for: the most telling metrics of the runs on this page
    const metricNames = keyMetrics(page.flatMap((r) => Object.keys(r.metrics)), 6);
    return { total: runs.length, offset: q.offset, limit: q.limit, runs: page, metricNames };
  });

  app.get(
    '/api/runs/:id',
    { schema: { params: runParams, querystring: tokenOnlyQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      const run = requireRun(store, id);
      const metrics = store.metrics(id);
      const series = [...new Set(metrics.filter((m) => m.step !== null).map((m) => m.name))];
      let modelConfig: unknown;
      try {
        modelConfig = modelConfigOf(store, run, limits.jsonBytes);
      } catch {
        modelConfig = null; // an unreadable model file only hides the structure view
      }
      return {
        run,
        stale: summarise(run).stale,
        artifacts: store.artifacts(id),
        series,
        modelConfig,
        hasSequences: run.status !== 'running' && hasArtifact(store, id, SEQUENCES_ARTIFACT),
        // the final metrics a result-first page leads with
        keyMetrics: keyMetrics(Object.keys(run.metrics), 8),
      };
    },
  );

  app.get(
    '/api/runs/:id/metrics',
    { schema: { params: runParams, querystring: metricsQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      const { name } = request.query as { name?: string };
      requireRun(store, id);
      return { run: id, metrics: store.metrics(id, name) };
    },
  );

  app.get(
    '/api/runs/:id/artifacts',
    { schema: { params: runParams, querystring: tokenOnlyQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      const run = requireRun(store, id);
      return { run: id, status: run.status, artifacts: store.artifacts(id) };
    },
  );

  app.get(
    '/api/runs/:id/model',
    { schema: { params: runParams, querystring: tokenOnlyQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      const run = requireRun(store, id);
      const config = modelConfigOf(store, run, limits.jsonBytes);
      if (config === null)
        throw new HttpError(
          404,
          'not_found',
          `run '${id}' has no model configuration (no config.modelConfig and no model/model.json)`,
        );
      return { run: id, config };
    },
  );

  app.get(
    '/api/runs/:id/sequences',
    {
      schema: {
        params: runParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            q: { type: 'string', maxLength: 200 },
            token: { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { offset, limit, q } = request.query as { offset: number; limit: number; q?: string };
      requireFinishedRun(store, id);
      if (!hasArtifact(store, id, SEQUENCES_ARTIFACT))
        throw new HttpError(
          404,
          'unknown_artifact',
          `run '${id}' has no artifact '${SEQUENCES_ARTIFACT}'`,
        );
      const all = readJsonArtifact(store, id, SEQUENCES_ARTIFACT, limits.jsonBytes);
      if (!Array.isArray(all))
        throw new HttpError(
          500,
          'internal',
          `artifact '${SEQUENCES_ARTIFACT}' of run '${id}' is not an array`,
        );
      // every item gets its position as `index`; `seq` (the linked id) is its own id or the index
      let items = all.map((it, index) => {
        const o: Record<string, unknown> =
          it && typeof it === 'object' ? (it as Record<string, unknown>) : { value: it };
        return { ...o, index, seq: String(o.seq ?? o.id ?? index) };
      });
      if (q) {
        const needle = q.toLowerCase();
        items = items.filter((it) => JSON.stringify(it).toLowerCase().includes(needle));
      }
      return {
        run: id,
        total: items.length,
        offset,
        limit,
        items: items.slice(offset, offset + limit),
      };
    },
  );
}
