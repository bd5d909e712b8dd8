/**
 * Defences every response and request goes through, whatever the bind address:
 * - a Host-header allow-list (loopback names by default, plus `allowedHosts`): a page on another
 *   site that rebinds its DNS name to 127.0.0.1 reaches this server with its own name as Host and
 *   is refused, so it cannot read runs from a loopback server that has no token;
 * - security headers (CSP, nosniff, frame denial, no referrer);
 * - a small rate limit on the report endpoint, which renders figures and costs CPU.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1', '[::1]'];

/** The host name of a Host header value, lower-cased, without the port (IPv6 keeps its brackets off). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

export function normaliseHost(h: string): string {
  const t = h.trim().toLowerCase();
  return t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
}

// Vega compiles its expressions with the Function constructor, hence 'unsafe-eval'; styles are
// set inline by React and vega-embed. Nothing is loaded from another origin.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface HardeningOptions {
  /** Host names accepted in the Host header besides the loopback names. */
  allowedHosts?: readonly string[];
  /** Report requests per client per minute (default 30). */
  reportPerMinute?: number;
}

export function installHardening(app: FastifyInstance, options: HardeningOptions = {}): void {
  const allowed = new Set([...LOOPBACK_HOSTS, ...(options.allowedHosts ?? [])].map(normaliseHost));
  const anyHost = allowed.has('*');
  app.addHook('onRequest', async (request) => {
    if (anyHost) return;
    const header = request.headers.host;
    const name = typeof header === 'string' ? hostName(header) : '';
    if (!allowed.has(name) && !/^127\.\d+\.\d+\.\d+$/.test(name)) {
      throw new HttpError(
        403,
        'host_not_allowed',
        `host ${JSON.stringify(header ?? '')} is not one this server answers to (allowed: ${[...allowed].join(', ')}; add one with --allowed-host)`,
      );
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cross-origin-opener-policy', 'same-origin');
    return payload;
  });
  // numbers in query strings must be finite: '1e309' would otherwise coerce to Infinity (and pass)
  app.addHook('preValidation', async (request) => {
    const q = request.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return;
    for (const [k, v] of Object.entries(q)) {
      if (typeof v === 'string' && /^\s*[+-]?(\d|\.\d|inf)/i.test(v) && !Number.isFinite(Number(v)) && !Number.isNaN(Number(v))) {
        throw new HttpError(400, 'bad_request', `query parameter '${k}' must be a finite number, received ${JSON.stringify(v.slice(0, 40))}`);
      }
    }
  });
  const perMinute = options.reportPerMinute ?? 30;
  const hits = new Map<string, number[]>();
  app.addHook('onRequest', async (request) => {
    if ((request.routeOptions.url ?? '') !== '/api/report') return;
    const now = Date.now();
    const key = request.ip;
    const recent = (hits.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= perMinute) {
      throw new HttpError(429, 'rate_limited', `at most ${perMinute} report requests a minute; try again in a minute`);
    }
    recent.push(now);
    hits.set(key, recent);
    if (hits.size > 10_000) hits.clear();
  });
}
