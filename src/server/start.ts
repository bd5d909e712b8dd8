/**
 * Listening: binds 127.0.0.1 unless told otherwise. Any other address exposes the runs to the
 * network, so a token is then required: the one given, or a fresh random one that the caller
 * prints. The returned address already carries the token for the browser.
 */
import type { FastifyInstance } from 'fastify';
import { ArgumentError, describe } from '../core/errors.js';
import { RunStore } from '../runs/store.js';
import { createServer, type ServerLimits } from './app.js';
import { generateToken, isLoopback } from './auth.js';

export interface StartOptions {
  runsDir?: string;
  /** An open store (instead of runsDir). */
  store?: RunStore;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Host names accepted in the Host header besides loopback names and the bound host. */
  allowedHosts?: string[];
  webDir?: string | null;
  limits?: Partial<ServerLimits>;
}

export interface RunningServer {
  app: FastifyInstance;
  /** http://host:port/ plus `?token=` when a token is required. */
  url: string;
  host: string;
  port: number;
  token: string | null;
  /** True when the token was generated here (the caller should print it). */
  tokenGenerated: boolean;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 5178;

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const where = 'startServer';
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ArgumentError(where, 'port', 'an integer in [0, 65535]', describe(port));
  if (typeof host !== 'string' || host.length === 0)
    throw new ArgumentError(where, 'host', 'a host name or address', describe(host));
  if (
    options.token !== undefined &&
    (typeof options.token !== 'string' || options.token.length < 8)
  ) {
    throw new ArgumentError(
      where,
      'token',
      'a string of at least 8 characters',
      options.token === undefined ? 'undefined' : 'a shorter value',
    );
  }
  const loopback = isLoopback(host);
  if (!loopback && options.token === undefined) {
    throw new ArgumentError(
      where,
      '--token',
      `an access token when binding to ${host} (not a loopback address): pass --token T with T at least 8 random characters, e.g. --token "$(openssl rand -hex 16)"`,
      'none',
    );
  }
  const tokenGenerated = false;
  const token = options.token ?? null;
  const ownStore = options.store === undefined;
  const store = options.store ?? RunStore.open(options.runsDir ?? 'runs', { mustExist: false });
  const app = await createServer({
    store,
    token: token ?? undefined,
    webDir: options.webDir,
    limits: options.limits,
    // the bound name is always accepted; a wildcard bind answers to the names given
    allowedHosts: [...(options.allowedHosts ?? []), ...(host === '0.0.0.0' || host === '::' ? [] : [host])],
  });
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if (ownStore) store.close();
    throw new ArgumentError(
      where,
      'host/port',
      'an address this machine can listen on',
      `${host}:${port} (${(err as Error).message})`,
    );
  }
  const addr = app.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${boundPort}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return {
    app,
    url,
    host,
    port: boundPort,
    token,
    tokenGenerated,
    close: async () => {
      await app.close();
      if (ownStore) store.close();
    },
  };
}
