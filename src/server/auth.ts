/**
 * The access token. On loopback the API is open (only this machine can reach it); bound to any
 * other address every API request must carry the token, as `Authorization: Bearer T`, an
 * `X-Rnnlens-Token: T` header or a `?token=T` query parameter. Compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** 32 random bytes as URL-safe text. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function presented(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = request.headers['x-rnnlens-token'];
  if (typeof header === 'string') return header;
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function apiPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true; // undecodable: treat as protected
  }
  return /^\/+api(\/|$)/i.test(decoded) || /^\/+api(\/|$)/i.test(path);
}

/** Requires `token` on every request under /api/. */
export function installTokenCheck(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (request) => {
    // decide by the route that matched, not by the raw URL: the router decodes the path, so
    // '/%61pi/runs' reaches '/api/runs' while its raw URL does not start with '/api'. Only the
    // app's static files (routes outside /api) are public; unmatched requests need the token too.
    // The static files' wildcard route also matches unknown /api/ paths, so the decoded path
    // decides too: every /api/* path, known or not, needs the token.
    const route = request.routeOptions.url;
    if (route !== undefined && !route.startsWith('/api') && !apiPath(request.url)) return;
    const got = presented(request);
    if (got === undefined)
      throw new HttpError(
        401,
        'unauthorized',
        'this server requires an access token: send it as "Authorization: Bearer <token>" or ?token=<token>',
      );
    if (!same(got, token))
      throw new HttpError(401, 'unauthorized', 'the access token does not match');
  });
}
