/**
 * The executors against a real Redis (a private redis-server on a free loopback port) and real
 * `rnnlens worker` child processes: the same fold metrics and out-of-fold predictions locally
 * (1 and 3 threads) and on Redis (1 and 3 workers); a worker killed with SIGKILL mid-fold; a job
 * that fails on bad input (once, with its error, the worker still alive); Redis unreachable at
 * the start and lost mid-run; SIGTERM finishing the active job.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ArtifactStore, toBytes } from '../../src/distributed/artifacts.js';
import { decode, encode } from '../../src/distributed/codec.js';
import { LocalExecutor, parseExecutor } from '../../src/distributed/executor.js';
import { RedisExecutor, queueStatus } from '../../src/distributed/redis.js';
import { prepareCrossValidation, runCrossValidation } from '../../src/verify/cv.js';
import { createDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/core/rng.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { SKIP_REDIS, runCli, startRedis, startWorkerProc, type RedisServer, type WorkerProc } from './redis-server.js';

const sameNumbers = (a: { folds: { metrics: unknown }[]; oof?: unknown; summary: unknown }, b: typeof a): void => {
  assert.deepEqual(a.folds.map((f) => f.metrics), b.folds.map((f) => f.metrics));
  assert.deepEqual(a.summary, b.summary);
  assert.deepEqual(a.oof, b.oof);
};

describe('job codec', () => {
  it('round-trips typed arrays bit for bit, non-finite numbers and nesting', () => {
    const v = { a: new Float64Array([1 / 3, -0, 1e-310]), b: [new Int32Array([1, -2]), { c: new Float32Array([Math.PI]) }], d: NaN, e: -Infinity, s: 'x', u: undefined };
    const back = decode<typeof v>(JSON.parse(JSON.stringify(encode(v))));
    assert.ok(back.a instanceof Float64Array);
    assert.deepEqual(Array.from(back.a), Array.from(v.a));
    assert.ok(Object.is(back.a[1], -0));
    assert.ok(back.b[0] instanceof Int32Array);
    assert.equal((back.b[1] as { c: Float32Array }).c[0], Math.fround(Math.PI));
    assert.ok(Number.isNaN(back.d));
    assert.equal(back.e, -Infinity);
    assert.equal('u' in back, false);
  });
});

describe('executor spec', () => {
  it('accepts local and redis URLs, and names the argument otherwise', () => {
    assert.deepEqual(parseExecutor(undefined), { type: 'local' });
    assert.deepEqual(parseExecutor('redis://10.0.0.2:6379'), { type: 'redis', url: 'redis://10.0.0.2:6379' });
    assert.throws(() => parseExecutor('10.0.0.2:6379'), /--executor.*'local' or a Redis URL.*"10\.0\.0\.2:6379"/);
  });
});

describe('local executor', () => {
  it('gives the same folds with 1 and 3 threads', async () => {
    const prep = () => prepareCrossValidation({ recipe: 'motif', folds: 3, trainConfig: { epochs: 2 } });
    const one = await runCrossValidation(prep(), { executor: new LocalExecutor(1) });
    const three = new LocalExecutor(3);
    try {
      sameNumbers(one, await runCrossValidation(prep(), { executor: three }));
    } finally {
      await three.close();
    }
  });
});

describe('redis executor', { skip: SKIP_REDIS, timeout: 600_000 }, () => {
  let redis: RedisServer;
  const workers: WorkerProc[] = [];
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'rnnlens-dist-'));
    dirs.push(d);
    return d;
  };
  const worker = async (extra: string[] = [], url = redis.url): Promise<WorkerProc> => {
    const w = await startWorkerProc(url, ['--lock-seconds', '2', ...extra]);
    workers.push(w);
    return w;
  };
  const stopWorkers = async (): Promise<void> => {
    for (const w of workers.splice(0)) {
      if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      await w.exited;
    }
  };
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await stopWorkers();
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const cvArgs = ['cv', '--recipe', 'motif', '--folds', '3', '--epochs', '2', '--no-record', '--json'];

  it('cv gives the same fold metrics and predictions locally and with 1 and 3 workers', async () => {
    const local = await runCli(cvArgs);
    assert.equal(local.status, 0, local.stderr);
    const expected = JSON.parse(local.stdout);
    await worker();
    const one = await runCli([...cvArgs, '--executor', redis.url]);
    assert.equal(one.status, 0, one.stderr);
    sameNumbers(JSON.parse(one.stdout), expected);
    await worker();
    await worker();
    const st = await queueStatus(redis.url);
    assert.equal(st.workers.length, 3);
    const three = await runCli([...cvArgs, '--executor', redis.url]);
    assert.equal(three.status, 0, three.stderr);
    sameNumbers(JSON.parse(three.stdout), expected);
    // the folds were spread over more than one worker
    const busy = workers.filter((w) => /fold \d \(cv-fold-.*\) done/.test(w.log().split('concurrency')[1] ?? ''));
    assert.ok(busy.length >= 1);
    const status = await runCli(['queue', 'status', '--redis', redis.url, '--json']);
    assert.equal(status.status, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.workers.length, 3);
    assert.equal(s.counts.failed, 0);
    assert.equal(s.counts.completed, 6);
    await stopWorkers();
  });

  it('certify over a dataset gives the same results in this thread, in 2 threads and on a Redis worker', async () => {
    const dir = tmp();
    const model = join(dir, 'motif');
    const trained = await runCli(['train', '--recipe', 'motif', '--epochs', '1', '--hidden', '8', '--out', model, '--no-record']);
    assert.equal(trained.status, 0, trained.stderr);
    const args = ['certify', '--no-record', '--model', model, '--dataset', '--limit', '9', '--eps', '0.01', '--method', 'ibp', '--json'];
    const strip = (out: string): unknown => {
      const j = JSON.parse(out) as Record<string, unknown>;
      delete j['executor'];
      return j;
    };
    const inline = await runCli(args);
    assert.equal(inline.status, 0, inline.stderr);
    const expected = strip(inline.stdout) as { results: unknown[]; summary: { n: number; certifiedAccuracy: number } };
    assert.equal(expected.results.length, 9);
    assert.equal(expected.summary.n, 9);
    const threads = await runCli([...args, '--parallel', '2', '--chunk', '2']);
    assert.equal(threads.status, 0, threads.stderr);
    assert.deepEqual(strip(threads.stdout), expected);
    const w = await worker();
    const remote = await runCli([...args, '--executor', redis.url, '--chunk', '4']);
    assert.equal(remote.status, 0, remote.stderr);
    assert.equal(JSON.parse(remote.stdout).executor, redis.url);
    assert.deepEqual(strip(remote.stdout), expected);
    assert.match(w.log(), /input 8 \(certify-chunk-.*\) done/);
    // a model the worker cannot read fails the job once, with the reason
    const bad = await runCli(['certify', '--no-record', '--model', model, '--dataset', 'spam', '--limit', '2', '--eps', '0.01', '--executor', redis.url]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /spam/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    await stopWorkers();
  });

  it('explain-bench: one job per dataset gives the same rows in this thread, in 2 threads and on a Redis worker', async () => {
    const args = ['explain-bench', '--datasets', 'ismail-Middle-gaussian,motif', '--methods', 'saliency', '--no-tsr', '--train-size', '60', '--test-size', '4', '--epochs', '2', '--no-record', '--json'];
    const inline = await runCli(args);
    assert.equal(inline.status, 0, inline.stderr);
    const expected = JSON.parse(inline.stdout) as { results: Array<{ dataset: string; method: string; aupr: number | null }> };
    assert.deepEqual(expected.results.map((r) => `${r.dataset}/${r.method}`), ['ismail-Middle-gaussian/random', 'ismail-Middle-gaussian/saliency', 'motif/random', 'motif/saliency']);
    assert.ok(expected.results.every((r) => typeof r.aupr === 'number'));
    const threads = await runCli([...args, '--parallel', '2']);
    assert.equal(threads.status, 0, threads.stderr);
    assert.deepEqual(JSON.parse(threads.stdout), expected);
    const w = await worker();
    const remote = await runCli([...args, '--executor', redis.url]);
    assert.equal(remote.status, 0, remote.stderr);
    assert.deepEqual(JSON.parse(remote.stdout), expected);
    assert.match(w.log(), /dataset motif \(explain-bench-dataset-.*\) done/);
    await stopWorkers();
  });

  it('explain over a dataset: the same attributions in this thread, in 2 threads, on a Redis worker, and as from a file', async () => {
    const dir = tmp();
    const model = join(dir, 'motif');
    const trained = await runCli(['train', '--recipe', 'motif', '--epochs', '1', '--hidden', '8', '--out', model, '--no-record']);
    assert.equal(trained.status, 0, trained.stderr);
    const args = ['explain', '--no-record', '--model', model, '--dataset', '--limit', '6', '--chunk', '3', '--method', 'smoothgrad', '--json'];
    const strip = (out: string): Record<string, unknown> => {
      const j = JSON.parse(out) as Record<string, unknown>;
      delete j['executor'];
      return j;
    };
    const inline = await runCli(args);
    assert.equal(inline.status, 0, inline.stderr);
    const expected = strip(inline.stdout) as { n: number; attributions: number[][][]; labels: number[] };
    assert.equal(expected.n, 6);
    assert.equal(expected.attributions.length, 6);
    assert.equal(expected.labels.length, 6);
    const threads = await runCli([...args, '--parallel', '2']);
    assert.equal(threads.status, 0, threads.stderr);
    assert.deepEqual(strip(threads.stdout), expected);
    await worker();
    const remote = await runCli([...args, '--executor', redis.url]);
    assert.equal(remote.status, 0, remote.stderr);
    assert.equal(JSON.parse(remote.stdout).executor, redis.url);
    assert.deepEqual(strip(remote.stdout), expected);
    await stopWorkers();
    // one chunk of a deterministic method equals the same sequences given in a file
    const ig = await runCli(['explain', '--no-record', '--model', model, '--dataset', '--limit', '3', '--chunk', '3', '--method', 'integrated-gradients', '--json']);
    assert.equal(ig.status, 0, ig.stderr);
    const fromData = JSON.parse(ig.stdout) as { attributions: number[][][]; outputs: number[] };
    const { getRecipe } = await import('../../src/train/recipes.js');
    const test = getRecipe('motif').load({ seed: 0 }).test;
    const file = join(dir, 'three.json');
    writeFileSync(file, JSON.stringify({ tokens: test.items.slice(0, 3).map((it) => Array.from(it.x)) }));
    const fromFile = await runCli(['explain', '--no-record', '--model', model, '--input', file, '--method', 'integrated-gradients', '--json']);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const f = JSON.parse(fromFile.stdout) as { attributions: number[][][]; outputs: number[] };
    assert.deepEqual(f.outputs, fromData.outputs);
    assert.deepEqual(f.attributions.map((seq, b) => seq.slice(0, fromData.attributions[b]!.length)), fromData.attributions);
    // options that do not apply are refused with the flag named
    const check = await runCli(['explain', '--no-record', '--model', model, '--dataset', '--method', 'saliency', '--check']);
    assert.equal(check.status, 1);
    assert.match(check.stderr, /--check .* is for --input/);
    const spread = await runCli(['explain', '--no-record', '--model', model, '--input', file, '--method', 'saliency', '--parallel', '2']);
    assert.equal(spread.status, 1);
    assert.match(spread.stderr, /--executor and --parallel spread the sequences of --dataset/);
    assert.doesNotMatch(check.stderr + spread.stderr, /\n\s+at /);
  });

  it('a worker killed with SIGKILL mid-fold loses nothing: another worker reruns the fold, same numbers', async () => {
    const args = ['cv', '--recipe', 'motif', '--folds', '2', '--epochs', '25', '--no-record', '--json'];
    const local = await runCli(args);
    assert.equal(local.status, 0, local.stderr);
    const victim = await worker();
    const run = runCli([...args, '--executor', redis.url]);
    // wait until the victim is in the middle of a fold, then kill it
    const deadline = Date.now() + 60_000;
    for (;;) {
      const st = await queueStatus(redis.url);
      if ((st.counts.active ?? 0) > 0) break;
      assert.ok(Date.now() < deadline, 'no job became active');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    victim.proc.kill('SIGKILL');
    await victim.exited;
    assert.doesNotMatch(victim.log(), /done in/, 'the victim should have been killed before finishing a fold');
    const rescuer = await worker();
    const res = await run;
    assert.equal(res.status, 0, res.stderr);
    sameNumbers(JSON.parse(res.stdout), JSON.parse(local.stdout));
    assert.match(rescuer.log(), /fold 1 .* done/);
    assert.match(rescuer.log(), /fold 2 .* done/);
    await stopWorkers();
  });

  it('a job that fails on bad input fails once, with its error, and the worker keeps serving', async () => {
    const w = await worker();
    const prep = prepareCrossValidation({ recipe: 'motif', folds: 2, trainConfig: { epochs: 1 } });
    const bad = { ...prep, source: undefined, plans: [{ ...prep.plans[0]!, test: Int32Array.from([0, 99_999]) }] };
    const ex = await RedisExecutor.connect(redis.url);
    try {
      const before = (await queueStatus(redis.url)).counts.failed ?? 0;
      await assert.rejects(runCrossValidation(bad, { executor: ex }), /fold 1 failed on a worker: .*indices.*99999/);
      const st = await queueStatus(redis.url);
      assert.equal((st.counts.failed ?? 0) - before, 1, 'failed exactly once');
      assert.equal(st.counts.waiting ?? 0, 0);
      assert.match(w.log(), /failed: .*99999/);
      // still alive: a good batch goes through the same worker
      const good = await runCrossValidation(prepareCrossValidation({ recipe: 'motif', folds: 2, trainConfig: { epochs: 1 } }), { executor: ex });
      assert.equal(good.folds.length, 2);
    } finally {
      await ex.close();
      await stopWorkers();
    }
  });

  it('data that is not a built-in recipe goes through the artifact store (Redis, or a folder when large)', async () => {
    const rng = new Rng(3);
    const items = Array.from({ length: 60 }, (_, i) => {
      const x = new Float32Array(8 * 2).map(() => rng.normal());
      x[0] = i % 2 ? 2 : -2;
      return { x, steps: 8, label: i % 2 };
    });
    const dataset = createDataset({ name: 'toy', input: 'numeric', features: 2, target: 'class', classNames: ['a', 'b'], items });
    const modelConfig = buildModelConfig({ cell: 'gru', hidden: 4, layers: 1 }, dataset, 'classification');
    const prep = () => prepareCrossValidation({ dataset, modelConfig, trainConfig: { epochs: 2, batchSize: 16 }, folds: 2 });
    const local = await runCrossValidation(prep());
    const dir = tmp();
    await worker(['--artifacts', dir]);
    for (const limit of [undefined, 1024]) {
      const ex = await RedisExecutor.connect(redis.url, { artifacts: dir, redisArtifactLimit: limit });
      try {
        sameNumbers(await runCrossValidation(prep(), { executor: ex }), local);
      } finally {
        await ex.close();
      }
    }
    // the large form left one content-addressed file
    const sub = readdirSync(dir);
    assert.equal(sub.length, 1);
    assert.equal(readdirSync(join(dir, sub[0]!)).length, 1);
    await stopWorkers();
  });

  it('the artifact store refuses corrupt or missing artifacts with a clear message', async () => {
    const conn = new Redis(redis.url);
    const dir = tmp();
    try {
      const store = new ArtifactStore(conn, dir, 16);
      const small = await new ArtifactStore(conn).put(toBytes({ a: 1 }));
      assert.equal(small.where, 'redis');
      const ref = await store.put(toBytes({ big: new Float64Array(100) }));
      assert.equal(ref.where, 'dir');
      const file = join(dir, ref.id.slice(0, 2), ref.id);
      writeFileSync(file, 'truncated');
      await assert.rejects(store.get(ref), /corrupt/);
      await assert.rejects(new ArtifactStore(conn).get(ref), /start this worker with --artifacts pointing at the folder/);
      await assert.rejects(new ArtifactStore(conn, undefined, 16).put(toBytes(new Float64Array(100))), /above the 0\.0 MiB kept in Redis; pass --artifacts DIR/);
      await assert.rejects(store.get({ ...small, id: 'f'.repeat(64) }), /not in Redis/);
    } finally {
      conn.disconnect();
    }
  });

  it('SIGTERM lets the worker finish its active fold, then exit 0', async () => {
    const w = await worker();
    const run = runCli(['cv', '--recipe', 'motif', '--folds', '2', '--epochs', '10', '--no-record', '--json', '--executor', redis.url]);
    const deadline = Date.now() + 60_000;
    while (((await queueStatus(redis.url)).counts.active ?? 0) === 0) {
      assert.ok(Date.now() < deadline, 'no job became active');
      await new Promise((r) => setTimeout(r, 100));
    }
    w.proc.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.log());
    assert.match(w.log(), /stopping; finishing 1 active job/);
    assert.match(w.log(), /done in/);
    await worker();
    const res = await run;
    assert.equal(res.status, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).folds.length, 2);
    await stopWorkers();
  });

  it('Redis unreachable: cv and worker fail at once with the URL, no stack trace', async () => {
    const { freePort } = await import('./redis-server.js');
    const url = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [[...cvArgs, '--executor', url], ['worker', '--redis', url], ['queue', 'status', '--redis', url]]) {
      const t0 = Date.now();
      const res = await runCli(args, 60_000);
      assert.equal(res.status, 1, res.stderr);
      assert.match(res.stderr, new RegExp(`cannot reach Redis at ${url.replace(/[/.]/g, '\\$&')}: .*ECONNREFUSED`));
      assert.doesNotMatch(res.stderr, /\n\s+at /);
      assert.ok(Date.now() - t0 < 30_000);
    }
    const bad = await runCli([...cvArgs, '--executor', 'redis-at-home']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--executor/);
  });

  it('Redis lost mid-run: the command fails with the URL instead of hanging', async () => {
    const own = await startRedis();
    try {
      await worker([], own.url);
      const ex = await RedisExecutor.connect(own.url, { lostAfterMs: 2000, pollMs: 250 });
      const prep = prepareCrossValidation({ recipe: 'motif', folds: 2, trainConfig: { epochs: 200 } });
      const run = runCrossValidation(prep, { executor: ex });
      await new Promise((r) => setTimeout(r, 3000));
      await own.stop();
      const t0 = Date.now();
      await assert.rejects(run, new RegExp(`lost the connection to Redis at ${own.url.replace(/[/.]/g, '\\$&')}`));
      assert.ok(Date.now() - t0 < 15_000);
      await ex.close();
    } finally {
      await stopWorkers();
      await own.stop();
    }
  });
});
