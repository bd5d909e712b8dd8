/**
 * Hyperparameter sweeps: search-space parsing and its errors, grid order (the cartesian product),
 * seeded random search inside its (log) ranges, scores equal to separate cross-validations on the
 * same folds (through a thread executor), lower-is-better metrics, and `rnnlens sweep` end to end.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor, openExecutor, type Batch, type Executor } from '../../src/distributed/executor.js';
import { RnnlensError } from '../../src/core/errors.js';
import type { CvFoldShared } from '../../src/distributed/handlers.js';
import { buildFigure } from '../../src/report/figures/index.js';
import { RunStore } from '../../src/runs/store.js';
import { prepareCrossValidation, runCrossValidation } from '../../src/verify/cv.js';
import {
  generatePoints,
  gridPoints,
  metricDirection,
  parseParam,
  parseSearchSpace,
  randomPoints,
  rankPoints,
  runSweep,
  sweep,
  type SweepPointResult,
} from '../../src/verify/sweep.js';
import { SKIP_REDIS, startRedis, startWorkerProc } from '../distributed/redis-server.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

// tiny cross-validations: motif, 2 folds, 1 epoch, batch 64, the plain TypeScript backend
const tiny = { recipe: 'motif', folds: 2, seed: 3, trainConfig: { epochs: 1, batchSize: 64 }, backend: 'ts' as const };

describe('sweep: search space', () => {
  it('parses lists, integer ranges, uniform and log ranges, choices and aliases', () => {
    assert.deepEqual(parseParam('lr=0.001,0.003,0.01').domain, { kind: 'list', values: [0.001, 0.003, 0.01] });
    assert.equal(parseParam('batch-size=16,32').spec.name, 'batchSize');
    assert.equal(parseParam('weight-decay=0,1e-4').spec.name, 'weightDecay');
    assert.deepEqual(parseParam('epochs=2..6').domain, { kind: 'range', lo: 2, hi: 6, log: false });
    assert.deepEqual(parseParam('lr=log:1e-4..1e-2').domain, { kind: 'range', lo: 1e-4, hi: 1e-2, log: true });
    assert.deepEqual(parseParam('dropout=0..0.5').domain, { kind: 'range', lo: 0, hi: 0.5, log: false });
    assert.deepEqual(parseParam('cell=lstm, gru').domain, { kind: 'list', values: ['lstm', 'gru'] });
    assert.deepEqual(parseParam('bidirectional=true,false').domain, { kind: 'list', values: [true, false] });
  });

  it('errors name the --param, what was expected and what was received', () => {
    assert.throws(() => parseParam('learningrate=0.1'), /--param "learningrate=0\.1" expected a parameter name among lr \(learning-rate, learningRate\), weightDecay .*hidden.*, received "learningrate"/);
    assert.throws(() => parseParam('lr=0.1,abc'), /--param "lr=0\.1,abc" expected numbers > 0 for lr, received "abc"/);
    assert.throws(() => parseParam('lr=0,0.1'), /expected numbers > 0 for lr, received "0"/);
    assert.throws(() => parseParam('hidden=16,32.5'), /--param "hidden=16,32\.5" expected integers >= 1 for hidden, received "32\.5"/);
    assert.throws(() => parseParam('dropout=0.2,1'), /expected numbers >= 0 and < 1 for dropout, received "1"/);
    assert.throws(() => parseParam('cell=lstm,transformer'), /expected values of cell among lstm, gru, rnn, received "transformer"/);
    assert.throws(() => parseParam('lr='), /--param "lr=" expected a non-empty list or range of numbers > 0 for lr, received an empty list/);
    assert.throws(() => parseParam('lr=,'), /received an empty list/);
    assert.throws(() => parseParam('lr=0.1,,0.2'), /without empty entries/);
    assert.throws(() => parseParam('lr'), /--param "lr" expected NAME=VALUES/);
    assert.throws(() => parseParam('lr=0.1,0.1'), /expected distinct values, received "0\.1" twice/);
    assert.throws(() => parseParam('epochs=6..2'), /expected a range lo\.\.hi with lo < hi, received 6\.\.2/);
    assert.throws(() => parseParam('weightDecay=log:0..1'), /log:lo\.\.hi with lo > 0/);
    assert.throws(() => parseSearchSpace([]), /--param expected at least one NAME=VALUES/);
    assert.throws(() => parseSearchSpace(['lr=0.1', 'learning-rate=0.2']), /expected each parameter once, received lr twice/);
  });

  it('grid: the cartesian product in order (first parameter slowest), integer ranges expanded, at most maxPoints', () => {
    const space = parseSearchSpace(['lr=0.001,0.01', 'hidden=16,32', 'epochs=2..4']);
    const pts = gridPoints(space);
    assert.equal(pts.length, 12);
    const expected = [0.001, 0.01].flatMap((lr) => [16, 32].flatMap((hidden) => [2, 3, 4].map((epochs) => ({ lr, hidden, epochs }))));
    assert.deepEqual(pts, expected);
    assert.deepEqual(Object.keys(pts[0]!), ['lr', 'hidden', 'epochs']);
    assert.throws(() => gridPoints(parseSearchSpace(['hidden=1..30', 'epochs=1..20'])), /the grid expected at most 500 points \(--max-points\), received 600 \(hidden 30 × epochs 20\); shorten the lists or use --search random --trials N/);
    assert.throws(() => gridPoints(parseSearchSpace(['lr=0.001,0.01', 'batchSize=8,16']), 3), /at most 3 points .*received 4/);
    assert.throws(() => gridPoints(parseSearchSpace(['lr=0.001..0.01'])), /--param "lr=0\.001\.\.0\.01" expected a comma list for --search grid .*need --search random/);
    assert.throws(() => generatePoints(parseSearchSpace(['lr=0.001,0.01']), { trials: 5 }), /--trials expected only with --search random/);
  });

  it('random: reproducible for a seed, inside the ranges, log-uniform on log ranges, integers rounded', () => {
    const space = parseSearchSpace(['lr=log:1e-5..1e-1', 'dropout=0..0.5', 'hidden=8..64', 'epochs=log:1..100', 'cell=lstm,gru']);
    const a = randomPoints(space, 400, 7);
    assert.deepEqual(randomPoints(space, 400, 7), a);
    assert.notDeepEqual(randomPoints(space, 400, 8), a);
    assert.equal(a.length, 400);
    for (const p of a) {
      const lr = p.lr as number;
      assert.ok(lr >= 1e-5 && lr <= 1e-1, `lr ${lr}`);
      assert.equal(lr, Number(lr.toPrecision(4)));
      assert.ok((p.dropout as number) >= 0 && (p.dropout as number) <= 0.5);
      assert.ok(Number.isInteger(p.hidden) && (p.hidden as number) >= 8 && (p.hidden as number) <= 64);
      assert.ok(Number.isInteger(p.epochs) && (p.epochs as number) >= 1 && (p.epochs as number) <= 100);
      assert.ok(p.cell === 'lstm' || p.cell === 'gru');
    }
    // log-uniform: each decade of lr holds about a quarter of the draws (uniform would put 90 % in the top one)
    for (let d = -5; d < -1; d++) {
      const share = a.filter((p) => (p.lr as number) >= 10 ** d && (p.lr as number) < 10 ** (d + 1)).length / a.length;
      assert.ok(share > 0.17 && share < 0.33, `decade 1e${d}: ${share}`);
    }
    const uniformLow = a.filter((p) => (p.dropout as number) < 0.25).length / a.length;
    assert.ok(uniformLow > 0.4 && uniformLow < 0.6, `dropout below the middle: ${uniformLow}`);
    // a small discrete space gives its distinct points only, with a warning
    const warnings: string[] = [];
    const few = randomPoints(parseSearchSpace(['cell=lstm,gru']), 5, 1, { onWarning: (m) => warnings.push(m) });
    assert.equal(few.length, 2);
    assert.match(warnings[0]!, /only 2 distinct points of the 5 trials/);
    assert.throws(() => randomPoints(space, 501, 1), /--trials expected an integer in \[1, 500\], received 501/);
  });

  it('direction: lower-is-better metrics are minimised; failed points rank last', () => {
    assert.equal(metricDirection('accuracy'), 'max');
    assert.equal(metricDirection('r2'), 'max');
    for (const m of ['loss', 'logLoss', 'rmse', 'mae', 'bpc', 'perplexity']) assert.equal(metricDirection(m), 'min');
    const pt = (index: number, mean: number | null): SweepPointResult => ({ index, params: { lr: index }, status: mean === null ? 'failed' : 'finished', mean, sd: 0, ci: null, scores: [], summary: {}, seconds: 0 });
    const pts = [pt(0, 0.5), pt(1, null), pt(2, 0.2), pt(3, 0.9), pt(4, 0.2)];
    assert.deepEqual(rankPoints(pts, 'min').map((p) => p.index), [2, 4, 0, 3, 1]);
    assert.deepEqual(rankPoints(pts, 'max').map((p) => p.index), [3, 0, 2, 4, 1]);
  });
});

describe('sweep: runs', () => {
  it('grid scores equal separate cross-validations with those settings (same folds, thread executor)', async () => {
    const executor = new LocalExecutor(2);
    let r;
    try {
      r = await sweep({ ...tiny, params: ['lr=0.003,0.02', 'hidden=4,6'], executor });
    } finally {
      await executor.close();
    }
    assert.equal(r.metric, 'accuracy');
    assert.equal(r.direction, 'max');
    assert.equal(r.points.length, 4);
    const byIndex = [...r.points].sort((a, b) => a.index - b.index);
    assert.deepEqual(byIndex.map((p) => p.params), [{ lr: 0.003, hidden: 4 }, { lr: 0.003, hidden: 6 }, { lr: 0.02, hidden: 4 }, { lr: 0.02, hidden: 6 }]);
    for (const p of byIndex) {
      const prep = prepareCrossValidation({ ...tiny, model: { hidden: p.params.hidden as number } });
      prep.setup.trainConfig.optimizer = { ...(prep.setup.trainConfig.optimizer ?? { type: 'adam' }), lr: p.params.lr as number };
      const cv = await runCrossValidation(prep);
      const s = cv.summary.accuracy!;
      assert.equal(p.status, 'finished');
      assert.equal(p.mean, s.mean);
      assert.equal(p.sd, s.sd);
      assert.deepEqual(p.ci, s.ci);
      assert.deepEqual(p.scores, cv.folds.map((f) => f.metrics.accuracy));
      assert.equal(p.summary.logLoss!.mean, cv.summary.logLoss!.mean);
    }
    // sorted best first; best is the first
    for (let i = 1; i < r.points.length; i++) assert.ok(r.points[i - 1]!.mean! >= r.points[i]!.mean!);
    assert.equal(r.best, r.points[0]);
  });

  it('a lower-is-better metric picks the minimum; random search through runSweep is reproducible', async () => {
    const prep = prepareCrossValidation({ ...tiny, model: { hidden: 4 } });
    const opts = { params: ['lr=log:0.001..0.05'], search: 'random' as const, trials: 2, seed: 11, metric: 'logLoss', model: { hidden: 4 } };
    const r = await runSweep(prep, opts);
    assert.equal(r.direction, 'min');
    assert.equal(r.points.length, 2);
    assert.ok(r.points[0]!.mean! <= r.points[1]!.mean!);
    assert.equal(r.best!.mean, Math.min(...r.points.map((p) => p.mean!)));
    assert.deepEqual(
      r.points.map((p) => p.params).sort((a, b) => (a.lr as number) - (b.lr as number)),
      randomPoints(parseSearchSpace(opts.params), 2, 11).sort((a, b) => (a.lr as number) - (b.lr as number)),
    );
    const again = await runSweep(prep, opts);
    assert.deepEqual(again.points.map((p) => [p.params, p.mean]), r.points.map((p) => [p.params, p.mean]));
  });

  it('a point whose jobs fail is kept as failed and ranked last; a machinery error stops the sweep', async () => {
    // an executor (standing in for Redis workers) on which the folds of lr=0.5 throw, and lr=0.7 loses the connection
    const local = new LocalExecutor(1);
    const flaky: Executor = {
      name: 'flaky',
      run<S, I, R>(batch: Batch<S, I, R>): Promise<R[]> {
        const lr = (batch.shared as unknown as CvFoldShared).setup.trainConfig.optimizer?.lr;
        if (lr === 0.5) return Promise.reject(new RnnlensError('fold 1 failed on a worker: crossValidate: training diverged'));
        if (lr === 0.7) return Promise.reject(new RnnlensError('lost the connection to Redis at redis://x for 30 s'));
        return local.run(batch);
      },
      close: () => local.close(),
    };
    const prep = prepareCrossValidation({ ...tiny, model: { hidden: 4 } });
    const warnings: string[] = [];
    const r = await runSweep(prep, { params: ['lr=0.5,0.01'], executor: flaky, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(r.points.map((p) => [p.params.lr, p.status]), [[0.01, 'finished'], [0.5, 'failed']]);
    assert.equal(r.points[1]!.mean, null);
    assert.match(r.points[1]!.error!, /training diverged/);
    assert.equal(r.best!.params.lr, 0.01);
    assert.ok(warnings.some((w) => /point 1 \(lr=0\.5\) failed: fold 1 failed on a worker/.test(w)));
    await assert.rejects(runSweep(prep, { params: ['lr=0.5'], executor: flaky }), /sweep: every point failed; the first: fold 1 failed on a worker/);
    await assert.rejects(runSweep(prep, { params: ['lr=0.01,0.7'], executor: flaky }), /lost the connection to Redis/);
  });

  it('checks the metric and parameters against the recipe before training', async () => {
    const prep = prepareCrossValidation({ ...tiny });
    await assert.rejects(runSweep(prep, { params: ['lr=0.01'], metric: 'rmse' }), /--metric expected one of accuracy, balancedAccuracy, .* \(a classification task\), received "rmse"/);
    await assert.rejects(runSweep(prep, { params: ['patience=1,2'] }), /--param "patience=1,2" expected a training config with early stopping/);
    const adding = prepareCrossValidation({ recipe: 'adding', folds: 2, trainConfig: { epochs: 1 }, backend: 'ts' });
    await assert.rejects(runSweep(adding, { params: ['embedding=4,8'] }), /--param "embedding=4,8" expected a token model .*received adding with numeric inputs/);
    await assert.rejects(runSweep(prep, { params: ['hidden=1..30', 'epochs=1..20'] }), /at most 500 points/);
  });
});

describe('sweep on the Redis executor', { skip: SKIP_REDIS, timeout: 120_000 }, () => {
  it('every point goes through one Redis executor; the numbers equal the local ones', async () => {
    const redis = await startRedis();
    const w = await startWorkerProc(redis.url, ['--concurrency', '2']);
    try {
      const opts = { ...tiny, params: ['lr=0.003,0.02'], model: { hidden: 4 } };
      const executor = await openExecutor(redis.url);
      let remote;
      try {
        remote = await sweep({ ...opts, executor });
      } finally {
        await executor.close();
      }
      const local = await sweep(opts);
      assert.deepEqual(
        remote.points.map((p) => [p.params, p.mean, p.sd, p.ci, p.scores]),
        local.points.map((p) => [p.params, p.mean, p.sd, p.ci, p.scores]),
      );
      assert.match(w.log(), /fold 2 \(cv-fold-/);
    } finally {
      w.proc.kill('SIGKILL');
      await w.exited;
      await redis.stop();
    }
  });
});

describe('rnnlens sweep (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-sweep-'));
  const small = ['--recipe', 'motif', '--folds', '2', '--epochs', '1', '--batch-size', '64', '--backend', 'ts', '--seed', '3'];

  it('--json prints points best first and the best; records a sweep run with sweep.json', () => {
    const runs = join(dir, 'runs');
    const res = cli(['sweep', ...small, '--param', 'hidden=4,6', '--param', 'lr=0.01', '--json', '--runs-dir', runs]);
    assert.equal(res.status, 0, res.stderr);
    const j = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(j), ['metric', 'direction', 'search', 'points', 'best']);
    assert.equal(j.metric, 'accuracy');
    assert.equal(j.direction, 'max');
    assert.equal(j.points.length, 2);
    assert.deepEqual(j.points.map((p: { index: number }) => p.index).sort(), [0, 1]);
    assert.deepEqual(j.best, j.points[0]);
    assert.ok(j.points[0].mean >= j.points[1].mean);
    for (const k of ['index', 'params', 'status', 'mean', 'sd', 'ci', 'scores', 'seconds', 'summary']) assert.ok(k in j.points[0], k);
    assert.match(res.stderr, /sweep: \d+\/4 +point 1\/2 \(hidden=4 lr=0\.01\)/);
    const store = RunStore.open(runs, { mustExist: true });
    try {
      const [rec] = store.list({ kind: 'sweep' });
      assert.equal(rec!.status, 'finished');
      assert.equal(rec!.metrics.best_accuracy_mean, j.best.mean);
      assert.equal(rec!.metrics.best_hidden, j.best.params.hidden);
      const saved = store.readJson(rec!.id, 'sweep.json') as { points: unknown[] };
      assert.deepEqual(saved.points, j.points);
      // the dashboard figure: one bar per point with its interval, best first
      const fig = store.readJson(rec!.id, 'fig-sweep.json') as { figure: string; title: string; data: { rows: { group: string; value: number }[] } };
      assert.equal(fig.figure, 'error-bars');
      assert.deepEqual(fig.data.rows.map((r) => r.value), j.points.map((p: { mean: number }) => p.mean));
      assert.equal(fig.data.rows[0]!.group, 'hidden=' + j.best.params.hidden + ' lr=0.01');
      assert.ok(buildFigure(fig.figure, fig.data, fig.title));
    } finally {
      store.close();
    }
  });

  it('bad --param: exit 1, one clear line, no stack trace', () => {
    const res = cli(['sweep', ...small, '--param', 'lr=0.01,fast', '--no-record']);
    assert.equal(res.status, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /rnnlens: sweep: --param "lr=0\.01,fast" expected numbers > 0 for lr, received "fast"/);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
    const unknown = cli(['sweep', ...small, '--param', 'momentum=0.9', '--no-record']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /expected a parameter name among lr .*received "momentum"/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  });

  it('after: clean up', () => rmSync(dir, { recursive: true, force: true }));
});
