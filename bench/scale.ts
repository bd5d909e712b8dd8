/**
 * Scaling of the Redis executor on this machine: a private redis-server on a free loopback port,
 * 1, 2 and 4 `rnnlens worker` processes (concurrency 1 each), and two commands that fan out:
 *   - `cv --recipe fsdd --group-by speaker` (one fold per held-out speaker group), and
 *   - `certify --dataset` over 200 test items of a motif LSTM with 8 units (CROWN, ε = 0.005),
 * each also run with the local executor in one thread as the reference. The cv command runs twice
 * with the same workers: cold (each worker first loads the recipe's data, as the command itself
 * does) and warm (the workers have it cached, as long-lived workers do). Every distributed run must
 * print the same numbers as the reference (checked). Prints wall times, the speed-up, the job
 * time per worker (from the workers' logs), Redis commands per job (INFO stats), and the model
 * T(N) = serial + jobs·t_job / N fitted from the runs, with what N machines would give.
 *   npx tsx bench/scale.ts [--workers 1,2,4] [--items 200] [--fsdd-epochs 6] [--skip cv|certify] [--json]
 * Needs redis-server (apt-get install redis-server); the cv part needs ../shared/data/fsdd.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli, startRedis, startWorkerProc, type WorkerProc } from '../test/distributed/redis-server.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const json = args.includes('--json');
const workerCounts = opt('--workers', '1,2,4').split(',').map(Number);
const items = Number(opt('--items', '200'));
const fsddEpochs = opt('--fsdd-epochs', '6');
const skip = opt('--skip', '');
const say = (s: string): void => void process.stderr.write(s + '\n');

if (spawnSync('redis-server', ['--version']).status !== 0) {
  say('bench/scale: redis-server is not installed (apt-get install redis-server)');
  process.exit(2);
}

interface Case {
  name: string;
  args: string[];
  /** run again with the same workers (their data cache warm) */
  warm: boolean;
  /** the output with what legitimately differs between runs (timings, executor name) removed */
  numbers: (stdout: string) => unknown;
}

const work = mkdtempSync(join(tmpdir(), 'rnnlens-scale-'));
const cases: Case[] = [];
const dropTimes = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (k, x: unknown) => (/seconds|^ms$|duration|elapsed|executor|^time/i.test(k) ? undefined : x)));
if (skip !== 'cv') {
  if (existsSync('../shared/data/fsdd/recordings')) {
    cases.push({
      name: `cv fsdd, speaker groups, ${fsddEpochs} epochs`,
      args: ['cv', '--recipe', 'fsdd', '--group-by', 'speaker', '--epochs', fsddEpochs, '--no-record', '--json'],
      warm: true,
      numbers: (out) => {
        const j = JSON.parse(out) as { folds: { metrics: unknown }[]; summary: unknown };
        return { folds: j.folds.map((f) => f.metrics), summary: j.summary };
      },
    });
  } else say('bench/scale: ../shared/data/fsdd/recordings is absent; the cv fsdd case is skipped');
}
if (skip !== 'certify') {
  const model = join(work, 'motif');
  say('training the motif LSTM (hidden 8) that certify uses ...');
  const t = await runCli(['train', '--recipe', 'motif', '--epochs', '5', '--hidden', '8', '--out', model, '--no-record']);
  if (t.status !== 0) throw new Error(t.stderr);
  cases.push({
    name: `certify ${items} motif test items, CROWN ε=0.005`,
    args: ['certify', '--model', model, '--dataset', '--limit', String(items), '--eps', '0.005', '--method', 'crown', '--json'],
    warm: false,
    numbers: (out) => dropTimes(JSON.parse(out)),
  });
}

interface Row {
  case: string;
  executor: string;
  workers: number;
  seconds: number;
  speedup: number;
  jobs: number;
  jobSecondsPerWorker: number;
  redisCommandsPerJob: number | null;
  same: boolean;
}
const rows: Row[] = [];
const redis = await startRedis();
const info = new Redis(redis.url);
const commandsSoFar = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec(await info.info('stats'))![1]);
try {
  for (const c of cases) {
    say(`\n${c.name}: local executor, one thread ...`);
    let t0 = performance.now();
    const ref = await runCli(c.args, 3_600_000);
    const t1 = (performance.now() - t0) / 1000;
    if (ref.status !== 0) throw new Error(`${c.name}: ${ref.stderr}`);
    const expected = JSON.stringify(c.numbers(ref.stdout));
    rows.push({ case: c.name, executor: 'local', workers: 1, seconds: t1, speedup: 1, jobs: 0, jobSecondsPerWorker: 0, redisCommandsPerJob: null, same: true });
    say(`  ${t1.toFixed(1)} s`);
    for (const n of workerCounts) {
      const workers: WorkerProc[] = [];
      for (let i = 0; i < n; i++) workers.push(await startWorkerProc(redis.url));
      for (const pass of c.warm ? ['cold', 'warm'] : ['']) {
        const logStart = workers.map((w) => w.log().length);
        const before = await commandsSoFar();
        t0 = performance.now();
        const r = await runCli([...c.args, '--executor', redis.url], 3_600_000);
        const secs = (performance.now() - t0) / 1000;
        if (r.status !== 0) throw new Error(`${c.name} with ${n} workers: ${r.stderr}`);
        const commands = (await commandsSoFar()) - before;
        const jobTimes = workers.flatMap((w, i) => [...w.log().slice(logStart[i]).matchAll(/done in ([\d.]+) s/g)].map((m) => Number(m[1])));
        const same = JSON.stringify(c.numbers(r.stdout)) === expected;
        const row: Row = { case: c.name, executor: pass ? `redis, ${pass}` : 'redis', workers: n, seconds: secs, speedup: t1 / secs, jobs: jobTimes.length, jobSecondsPerWorker: jobTimes.reduce((a, b) => a + b, 0) / n, redisCommandsPerJob: jobTimes.length ? commands / jobTimes.length : null, same };
        rows.push(row);
        say(`  ${n} worker(s)${pass ? `, ${pass}` : ''}: ${secs.toFixed(1)} s, speed-up ${row.speedup.toFixed(2)}×, ${row.jobs} jobs, ${row.redisCommandsPerJob?.toFixed(0)} Redis commands per job, same numbers: ${same}`);
        if (!same) say(`  DIFFERENT NUMBERS with ${n} workers`);
      }
      for (const w of workers) w.proc.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  }
} finally {
  info.disconnect();
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}

// T(N) = s + p / N, fitted by least squares over the Redis runs of each case
const models = cases.map((c) => {
  // only runs with a core per worker: beyond that the workers share cores and say nothing of N machines
  const rs = rows.filter((r) => r.case === c.name && (r.executor === 'redis' || r.executor === 'redis, warm') && r.workers <= cpus().length);
  const xs = rs.map((r) => 1 / r.workers);
  const ys = rs.map((r) => r.seconds);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const p = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx : 0;
  const s = my - p * mx;
  const one = rs.find((r) => r.workers === 1);
  return { case: c.name, serialSeconds: s, parallelSeconds: p, jobsPerSecondPerWorker: one && one.jobs ? one.jobs / one.jobSecondsPerWorker : null, predicted: Object.fromEntries([1, 2, 4, 8, 16, 32].map((n) => [n, s + p / n])) };
});
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
if (json) process.stdout.write(JSON.stringify({ machine, rows, models }) + '\n');
else {
  console.log(`\nmachine: ${machine}; workers are processes on this machine, concurrency 1 each\n`);
  console.log('| case | executor | workers | wall s | speed-up | jobs | job s per worker | Redis commands per job | same numbers |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.case} | ${r.executor} | ${r.workers} | ${r.seconds.toFixed(1)} | ${r.speedup.toFixed(2)}× | ${r.jobs || '-'} | ${r.jobs ? r.jobSecondsPerWorker.toFixed(1) : '-'} | ${r.redisCommandsPerJob === null ? '-' : r.redisCommandsPerJob.toFixed(0)} | ${r.same ? 'yes' : 'NO'} |`);
  console.log('\nmodel T(N) = serial + parallel / N, fitted to the (warm) Redis runs with a core per worker (N machines):\n');
  console.log('| case | serial s | parallel s | jobs/s per worker | N=8 | N=16 | N=32 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const m of models)
    console.log(`| ${m.case} | ${m.serialSeconds.toFixed(1)} | ${m.parallelSeconds.toFixed(1)} | ${m.jobsPerSecondPerWorker?.toFixed(3) ?? '-'} | ${m.predicted[8]!.toFixed(1)} s | ${m.predicted[16]!.toFixed(1)} s | ${m.predicted[32]!.toFixed(1)} s |`);
}
if (rows.some((r) => !r.same)) process.exitCode = 1;
