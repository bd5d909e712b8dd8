/**
 * The dashboard's HTTP server (fastify): the JSON API under /api/ over a run store, and the built
 * web app (web/dist) as static files. `createServer` builds it without listening (tests use
 * `inject`); `startServer` (start.ts) listens and applies the host/token rules.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import type { RunStore } from '../runs/store.js';
import { installTokenCheck } from './auth.js';
import { installHardening } from './hardening.js';
import { registerContentRoutes } from './content-routes.js';
import { registerExplainRoutes } from './explain-routes.js';
import { errorBody, installErrorHandling } from './errors.js';
import { registerRunRoutes } from './runs-routes.js';
import { registerSeriesRoutes } from './series-routes.js';

export interface ServerLimits {
  /** Largest request body (bytes); larger is 413. */
  bodyBytes: number;
  /** Largest JSON artifact the API parses (bytes); larger ones are only downloadable raw. */
  jsonBytes: number;
  /** Largest artifact the API streams (bytes). */
  rawBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyBytes: 64 * 1024,
  jsonBytes: 32 * 1024 * 1024,
  rawBytes: 1024 * 1024 * 1024,
};

export interface ServerOptions {
  store: RunStore;
  /** Required on every /api/ request when set. */
  token?: string;
  /** Folder of the built web app; default the package's web/dist; null serves the API only. */
  webDir?: string | null;
  limits?: Partial<ServerLimits>;
  /** Host names accepted in the Host header besides the loopback names ('*': any). */
  allowedHosts?: readonly string[];
  /** Report requests per client per minute (default 30). */
  reportPerMinute?: number;
  /** fastify's logger (off by default: nothing below the CLI prints). */
  logger?: boolean;
}

/** The package's web/dist, found by walking up from this file (works from src/ and dist/src/). */
export function defaultWebDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'web', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (existsSync(join(dir, 'package.json'))) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>rnnlens</title>
<body><h1>rnnlens</h1><p>The dashboard has not been built. Run <code>npm run build:web</code>
(or <code>node scripts/build-web.mjs</code>) and restart <code>rnnlens serve</code>. The JSON API is
available under <a href="/api/runs">/api/runs</a>.</p></body></html>`;

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyBytes,
    // long ids must reach schema validation (a clear 400) instead of a route-not-found
    routerOptions: { maxParamLength: 1000 },
  });
  installErrorHandling(app);
  installHardening(app, { allowedHosts: options.allowedHosts, reportPerMinute: options.reportPerMinute });
  if (options.token !== undefined) installTokenCheck(app, options.token);
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.routeOptions.url ?? request.url).startsWith('/api'))
      void reply.header('cache-control', 'no-store');
    return payload;
  });

  const store = options.store;
  app.get('/api/health', async () => ({ ok: true, version: VERSION, runsDir: store.root }));
  registerRunRoutes(app, store, limits);
  registerContentRoutes(app, store, limits);
  registerExplainRoutes(app, store, limits);
  registerSeriesRoutes(app, store);

  const webDir = options.webDir === undefined ? defaultWebDir() : options.webDir;
  if (webDir !== null && existsSync(join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: resolve(webDir),
      index: ['index.html'],
      wildcard: true,
    });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api')) {
      return reply
        .code(404)
        .send(
          errorBody(
            404,
            'not_found',
            `no API endpoint ${request.method} ${request.url.split('?')[0]}`,
          ),
        );
    }
    return reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send(`not found: ${request.url.split('?')[0]}`);
  });
  return app;
}
