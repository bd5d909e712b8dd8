/** Test helpers: a private redis-server on a free loopback port (no persistence), and CLI children. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const hasRedis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
export const SKIP_REDIS = hasRedis ? false : 'redis-server is not installed (apt-get install redis-server); .ci/run installs it';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      break;
    } catch {
      c.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

export const cliArgs = (args: string[]): string[] => ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args];

/** Runs the CLI to completion. */
export function runCli(args: string[], timeoutMs = 240_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, cliArgs(args), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface WorkerProc {
  proc: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** Starts `rnnlens worker` as a child process; resolves once it says it is listening. */
export async function startWorkerProc(url: string, extra: string[] = []): Promise<WorkerProc> {
  const proc = spawn(process.execPath, cliArgs(['worker', '--redis', url, ...extra]), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${log}`)), 60_000);
    proc.stderr!.on('data', (d: Buffer) => {
      log += d;
      if (/worker on queue/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code}: ${log}`)));
  });
  return { proc, log: () => log, exited };
}
