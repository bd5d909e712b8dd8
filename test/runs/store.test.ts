import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store.js';
import { RnnlensError, ArgumentError } from '../../src/core/errors.js';
import { VERSION } from '../../src/version.js';

function tempStore(): { store: RunStore; dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-runs-'));
  const store = RunStore.open(dir);
  return { store, dir, done: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('RunStore: a run records config, seed, versions, fingerprint, metrics and artifacts', () => {
  const { store, dir, done } = tempStore();
  try {
    const run = store.createRun({ kind: 'train', config: { cell: 'lstm', hidden: 8 }, seed: 42, dataFingerprint: 'sha256:ab', tags: ['smoke'] });
    assert.match(run.id, /^\d{8}-\d{6}-\d{3}-[0-9a-f]{8}$/);
    assert.equal(store.get(run.id).status, 'running');
    run.logMetric('loss', 0.9, 0);
    run.logMetric('loss', 0.5, 1);
    run.logMetric('val_loss', 0.7, 0);
    const a = run.writeJson('history.json', { epochs: 2 });
    assert.equal(a.bytes, readFileSync(join(dir, run.id, 'history.json')).length);
    run.writeText('notes.txt', 'héllo');
    run.writeFloat32('weights.f32', new Float32Array([1.5, -2, 3, 4, 5, 6]), [2, 3]);
    const src = join(dir, 'model.bin');
    writeFileSync(src, Buffer.from([1, 2, 3]));
    run.writeFile('model.bin', src);
    run.finish('finished', { metrics: { accuracy: 0.875 } });

    const d = store.show(run.id);
    assert.equal(d.run.status, 'finished');
    assert.ok(d.run.finished);
    assert.deepEqual(d.run.config, { cell: 'lstm', hidden: 8 });
    assert.equal(d.run.seed, 42);
    assert.deepEqual(d.run.versions, { rnnlens: VERSION, node: process.version });
    assert.equal(d.run.dataFingerprint, 'sha256:ab');
    assert.deepEqual(d.run.tags, ['smoke']);
    assert.deepEqual(d.run.metrics, { accuracy: 0.875 });
    assert.deepEqual(d.metrics.map((m) => [m.name, m.step, m.value]), [['loss', 0, 0.9], ['loss', 1, 0.5], ['val_loss', 0, 0.7]]);
    assert.deepEqual(d.artifacts.map((x) => x.name), ['history.json', 'model.bin', 'notes.txt', 'weights.f32']);
    assert.ok(d.artifacts.every((x) => /^[0-9a-f]{64}$/.test(x.sha256)));

    assert.deepEqual(store.readJson(run.id, 'history.json'), { epochs: 2 });
    assert.equal(store.readText(run.id, 'notes.txt'), 'héllo');
    const w = store.readFloat32(run.id, 'weights.f32');
    assert.deepEqual(Array.from(w.data), [1.5, -2, 3, 4, 5, 6]);
    assert.deepEqual(w.shape, [2, 3]);
    assert.deepEqual([...store.readArtifact(run.id, 'model.bin').bytes], [1, 2, 3]);
    // the folder describes itself; no temporary files are left behind
    const meta = JSON.parse(readFileSync(join(dir, run.id, 'run.json'), 'utf8'));
    assert.equal(meta.status, 'finished');
    assert.ok(!readdirSync(join(dir, run.id)).some((f) => f.includes('.tmp-')));
    assert.throws(() => run.logMetric('loss', 1, 2), /already finished/);
  } finally {
    done();
  }
});

test('RunStore: ls filters by kind and status, newest first; rm removes folder and rows', () => {
  const { store, dir, done } = tempStore();
  try {
    const a = store.createRun({ kind: 'train' });
    a.finish();
    const b = store.createRun({ kind: 'explain' });
    b.fail(new Error('boom'));
    const c = store.createRun({ kind: 'train' });
    assert.deepEqual(store.list().map((r) => r.id), [c.id, b.id, a.id]);
    assert.deepEqual(store.list({ kind: 'train' }).map((r) => r.id), [c.id, a.id]);
    assert.deepEqual(store.list({ status: 'failed' }).map((r) => r.id), [b.id]);
    assert.equal(store.get(b.id).error, 'boom');
    assert.throws(() => store.list({ status: 'done' as never }), ArgumentError);
    c.finish();
    store.remove(a.id);
    assert.ok(!existsSync(join(dir, a.id)));
    assert.equal(store.has(a.id), false);
    assert.deepEqual(store.list().map((r) => r.id), [c.id, b.id]);
  } finally {
    done();
  }
});

test('RunStore: record() finishes on success and marks failed with the message on error', async () => {
  const { store, done } = tempStore();
  try {
    const ok = await store.record({ kind: 'cv' }, (run) => {
      run.logMetric('fold_acc', 0.8, 0);
      return 7;
    });
    assert.equal(ok.result, 7);
    assert.equal(store.get(ok.id).status, 'finished');
    await assert.rejects(store.record({ kind: 'certify' }, () => Promise.reject(new Error('solver diverged'))), /solver diverged/);
    const failed = store.list({ kind: 'certify' })[0]!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, 'solver diverged');
  } finally {
    done();
  }
});

test('RunStore: bad input gives clear errors (ids, traversal, running runs, deleted or changed artifacts)', () => {
  const { store, dir, done } = tempStore();
  try {
    assert.throws(() => store.get('nope'), (e: Error) => e instanceof RnnlensError && /no run with id 'nope'/.test(e.message));
    for (const bad of ['../etc', 'a/b', 'a.b', '', 'x'.repeat(129)]) {
      assert.throws(() => store.get(bad), (e: Error) => e instanceof ArgumentError && /run id/.test(e.message), bad);
    }
    assert.throws(() => store.createRun({ kind: 'Train!' }), /kind/);
    const run = store.createRun({ kind: 'train' });
    for (const bad of ['../x.json', '.hidden', 'a/b.json', 'a..b', 'run.json']) {
      assert.throws(() => run.writeJson(bad, {}), ArgumentError, bad);
    }
    assert.throws(() => run.logMetric('loss', NaN), /not NaN/);
    assert.throws(() => run.writeFloat32('w.f32', new Float32Array(6), [4, 2]), /shape/);
    run.writeJson('a.json', { x: 1 });
    assert.throws(() => store.readJson(run.id, 'a.json'), /still being written \(process \d+ is still writing it\)/);
    assert.throws(() => store.remove(run.id), /still being written/);
    run.finish();
    assert.throws(() => store.readJson(run.id, 'b.json'), /has no artifact 'b.json'/);
    writeFileSync(join(dir, run.id, 'a.json'), '{"x": 2}');
    assert.throws(() => store.readJson(run.id, 'a.json'), /changed after it was written/);
    unlinkSync(join(dir, run.id, 'a.json'));
    assert.throws(() => store.readJson(run.id, 'a.json'), /is in the index but its file .* is missing/);
  } finally {
    done();
  }
});

function runChild(dir: string, n: number, tag: string): Promise<void> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/runs/concurrent-writer.ts', dir, String(n), tag], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolveP() : reject(new Error(`child ${tag} exited ${code}: ${err}`))));
  });
}

test('RunStore: two processes writing at once keep the index sound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-runs-conc-'));
  try {
    const N = 120;
    await Promise.all([runChild(dir, N, 'a'), runChild(dir, N, 'b')]);
    const store = RunStore.open(dir);
    try {
      assert.equal(store.integrityCheck(), 'ok');
      const runs = store.list();
      assert.equal(runs.length, 2 * N);
      assert.equal(new Set(runs.map((r) => r.id)).size, 2 * N);
      assert.equal(store.list({ tag: 'a' }).length, N);
      assert.ok(runs.every((r) => r.status === 'finished'));
      // the two writers really overlapped in time (otherwise this test would prove nothing)
      const span = (tag: string) => {
        const t = store.list({ tag }).map((r) => Date.parse(r.created));
        return [Math.min(...t), Math.max(...t)] as const;
      };
      const [a0, a1] = span('a');
      const [b0, b1] = span('b');
      assert.ok(a0 < b1 && b0 < a1, `writers did not overlap: a ${a0}..${a1}, b ${b0}..${b1}`);
      for (const r of runs) {
        assert.equal(store.artifacts(r.id).length, 2);
        assert.equal(store.metrics(r.id).length, 3);
        const cfg = r.config as { i: number; tag: string };
        assert.deepEqual(store.readJson(r.id, 'result.json'), { i: cfg.i, tag: cfg.tag });
      }
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RunStore: a run whose writer died is reported as stale, still refused for reading, removable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-runs-stale-'));
  try {
    await runChild(dir, 1, 'abandon');
    const store = RunStore.open(dir);
    try {
      const [run] = store.list();
      assert.equal(run!.status, 'running');
      assert.equal(store.show(run!.id).stale, true);
      assert.throws(() => store.readJson(run!.id, 'partial.json'), /still being written \(its writer \(process \d+\) is gone without finishing it\)/);
      store.remove(run!.id);
      assert.equal(store.list().length, 0);
    } finally {
      store.close();
    }
    assert.throws(() => RunStore.open(join(dir, 'missing'), { mustExist: true }), /no run store at/);
    assert.equal(existsSync(join(dir, 'missing')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
