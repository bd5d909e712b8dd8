/**
 * `rnnlens serve [--port P] [--host H] [--token T] [--runs-dir D]`: the dashboard and its JSON API
 * over a run store. Loopback by default; another host requires a token (given, or generated and
 * printed). Runs until interrupted (Ctrl-C).
 */
import type { Command } from 'commander';
import { DEFAULT_PORT, startServer, type RunningServer } from '../server/start.js';
import { intOption } from './options.js';
import type { CliOutput } from './runs.js';

const stdout: CliOutput = { write: (t) => void process.stdout.write(t) };

interface ServeCliOptions {
  port: number;
  host: string;
  token?: string;
  allowedHost?: string[];
  runsDir: string;
  webDir?: string;
}

/** Starts the server and prints where it listens; resolves with the running server. */
export async function serve(o: ServeCliOptions, out: CliOutput = stdout): Promise<RunningServer> {
  const server = await startServer({
    runsDir: o.runsDir,
    host: o.host,
    port: o.port,
    token: o.token,
    allowedHosts: o.allowedHost,
    webDir: o.webDir,
  });
  out.write(`rnnlens dashboard: ${server.url}\n`);
  if (server.tokenGenerated)
    out.write(`access token (generated; pass --token to choose one): ${server.token}\n`);
  else if (server.token) out.write('access token required: the one given with --token\n');
  out.write(`runs: ${o.runsDir} · press Ctrl-C to stop\n`);
  return server;
}

export function registerServe(program: Command, out: CliOutput = stdout): void {
  program
    .command('serve')
    .description('serve the web dashboard and its JSON API over a run store')
    .option(
      '--port <port>',
      'port to listen on (0 picks a free one)',
      intOption('--port', true),
      DEFAULT_PORT,
    )
    .option('--host <host>', 'address to bind; anything but loopback requires --token', '127.0.0.1')
    .option('--token <token>', 'access token required on every API request (required off loopback)')
    .option('--allowed-host <name...>', 'host names the server answers to besides loopback and --host (DNS-rebinding guard)')
    .option('--runs-dir <dir>', 'folder of the run store', 'runs')
    .option('--web-dir <dir>', 'folder of the built dashboard (default: the package web/dist)')
    .action(async (o: ServeCliOptions) => {
      const server = await serve(o, out);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

export const register = (program: Command): void => registerServe(program);
