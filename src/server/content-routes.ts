/**
 * Contents: one artifact (JSON parsed, anything else streamed), the run's figure specs, the
 * comparison of several runs and the static report of selected runs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildReport } from '../report/build-report.js';
import { trainingCurves } from '../report/figures/training-curves.js';
import { curvePoints } from '../report/run-figures.js';
import type { RunStore } from '../runs/store.js';
import { readJsonArtifact, requireArtifact, requireFinishedRun, requireRun } from './access.js';
import type { ServerLimits } from './app.js';
import { HttpError } from './errors.js';
import { byteRange, mediaType, rangeHeaders } from './media.js';
import { dashboardFigures } from './run-figures.js';
import { summarise } from './runs-routes.js';
import {
  artifactParams,
  artifactQuery,
  reportBody,
  runParams,
  runsQuery,
  splitRunList,
  tokenOnlyQuery,
} from './schemas.js';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  figure: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  f32: 'application/octet-stream',
  file: 'application/octet-stream',
};

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

async function report(store: RunStore, runs: string[], title: string | undefined): Promise<string> {
  for (const id of runs) requireFinishedRun(store, id);
  return buildReport(runs, store, { title });
}

export function registerContentRoutes(
  app: FastifyInstance,
  store: RunStore,
  limits: ServerLimits,
): void {
  app.get(
    '/api/runs/:id/artifacts/:name',
    { schema: { params: artifactParams, querystring: artifactQuery } },
    async (request, reply) => {
      const { id, name } = request.params as { id: string; name: string };
      const { raw } = request.query as { raw: boolean };
      const { record, file, size } = requireArtifact(store, id, name);
      if (!raw && (record.kind === 'json' || record.kind === 'figure')) {
        return {
          run: id,
          artifact: record,
          content: readJsonArtifact(store, id, name, limits.jsonBytes),
        };
      }
      if (size > limits.rawBytes) {
        throw new HttpError(
          413,
          'too_large',
          `artifact '${name}' of run '${id}' has ${size} bytes, more than this server's limit of ${limits.rawBytes}`,
        );
      }
      // checked against the hash recorded when it was written before a byte is sent
      const sha = await sha256File(file);
      if (sha !== record.sha256) {
        throw new HttpError(
          409,
          'artifact_changed',
          `artifact '${name}' of run '${id}' changed after it was written (sha256 ${sha.slice(0, 12)}…, index has ${record.sha256.slice(0, 12)}…)`,
        );
      }
      const range = rangeHeaders(reply, byteRange(request.headers.range, size), size, name);
      void reply
        .type((record.kind === 'file' ? mediaType(name) : undefined) ?? CONTENT_TYPES[record.kind] ?? 'application/octet-stream')
        .header('x-rnnlens-sha256', record.sha256)
        .header('content-disposition', `${raw ? 'attachment' : 'inline'}; filename="${name}"`);
      if (record.kind === 'f32')
        void reply.header('x-rnnlens-shape', JSON.stringify(record.meta.shape ?? [size / 4]));
      return reply.send(range ? createReadStream(file, { start: range.start, end: range.end }) : createReadStream(file));
    },
  );

  app.get(
    '/api/runs/:id/figures',
    { schema: { params: runParams, querystring: tokenOnlyQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      requireFinishedRun(store, id);
      return { run: id, figures: dashboardFigures(store, id, limits.jsonBytes) };
    },
  );

  // training curves from the index's metric series: available while a run is still being
  // written (the dashboard polls it to show live curves)
  app.get(
    '/api/runs/:id/curves',
    { schema: { params: runParams, querystring: tokenOnlyQuery } },
    async (request) => {
      const { id } = request.params as { id: string };
      const run = requireRun(store, id);
      const points = curvePoints(store.metrics(id));
      return {
        run: id,
        status: run.status,
        spec: points.length > 0 ? trainingCurves({ points }) : null,
      };
    },
  );

  app.get('/api/compare', { schema: { querystring: runsQuery } }, async (request) => {
    const ids = splitRunList((request.query as { runs: string }).runs);
    if (ids.length > 50)
      throw new HttpError(400, 'bad_request', `compare: at most 50 runs, received ${ids.length}`);
    const runs = ids.map((id) => requireRun(store, id));
    const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
    // one curve per run and split: the split label carries the run id's random tail
    const points = runs.flatMap((r) =>
      curvePoints(store.metrics(r.id)).map((p) => ({
        ...p,
        split: `${r.id.slice(-8)} ${p.split}`,
      })),
    );
    const curves =
      points.length > 0
        ? trainingCurves({ points, title: 'Training curves of the selected runs' })
        : null;
    return { runs: runs.map(summarise), metricNames, curves };
  });

  app.get('/api/report', { schema: { querystring: runsQuery } }, async (request, reply) => {
    const q = request.query as { runs: string; title?: string };
    const html = await report(store, splitRunList(q.runs), q.title);
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.post(
    '/api/report',
    { schema: { body: reportBody, querystring: tokenOnlyQuery } },
    async (request, reply) => {
      const b = request.body as { runs: string[]; title?: string };
      const html = await report(store, [...new Set(b.runs)], b.title);
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
}
