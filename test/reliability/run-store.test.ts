import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../../src/runs/store.js';
import { SequenceModel } from '../../src/nn/model.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test', 'reliability', 'cli-child.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'rnnlens-store-'));

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function twoRuns(root: string): string[] {
  const s = RunStore.open(root);
  const ids: string[] = [];
  for (const k of [1, 2]) {
    const w = s.createRun({ kind: 'train', config: { k }, tags: [`t${k}`] });
    w.writeJson('metrics.json', { accuracy: k / 4 });
    w.logMetric('loss', 1 / k, 1);
    w.logMetric('loss', 0.5 / k, 2);
    w.finish('finished', { metrics: { accuracy: k / 4 } });
    ids.push(w.id);
  }
  s.close();
  return ids;
}

describe('the run index is rebuilt from the run folders', () => {
  it('an emptied index.sqlite: runs ls lists every run, with artifacts and metrics', () => {
    const root = tmp();
    const ids = twoRuns(root);
    for (const f of readdirSync(root)) if (f.startsWith('index.sqlite')) writeFileSync(join(root, f), '');
    const r = cli(['runs', 'ls', '--runs-dir', root, '--json']);
    assert.equal(r.code, 0, r.err);
    const listed = (JSON.parse(r.out) as { id: string }[]).map((x) => x.id).sort();
    assert.deepEqual(listed, [...ids].sort());
    const s = RunStore.open(root);
    try {
      assert.deepEqual(s.readJson(ids[1]!, 'metrics.json'), { accuracy: 0.5 });
      assert.deepEqual(s.metrics(ids[0]!, 'loss').map((m) => m.value), [1, 0.5]);
      assert.equal(s.get(ids[1]!).metrics.accuracy, 0.5);
    } finally {
      s.close();
    }
  });

  it('a corrupt index is set aside and rebuilt', () => {
    const root = tmp();
    const ids = twoRuns(root);
    for (const f of readdirSync(root)) if (f.startsWith('index.sqlite-')) writeFileSync(join(root, f), '');
    writeFileSync(join(root, 'index.sqlite'), Buffer.alloc(8192, 0x5a));
    const r = cli(['runs', 'ls', '--runs-dir', root, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as unknown[]).length, ids.length);
    assert.ok(readdirSync(root).some((f) => f.startsWith('index.sqlite.corrupt-')), 'the corrupt file is kept aside');
  });

  it('a run whose writer died shows as interrupted, and run.json agrees with the index', () => {
    const root = tmp();
    const code = `import { RunStore } from '${join(ROOT, 'src/runs/store.ts')}'; const s = RunStore.open(${JSON.stringify(root)}); s.createRun({ kind: 'train' }); process.exit(0);`;
    const c = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    const r = cli(['runs', 'ls', '--runs-dir', root]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\binterrupted\b/);
    const s = RunStore.open(root);
    try {
      const [run] = s.list();
      const self = JSON.parse(readFileSync(join(root, run!.id, 'run.json'), 'utf8')) as { status: string; id: string };
      assert.equal(self.status, run!.status);
      assert.equal(self.id, run!.id);
    } finally {
      s.close();
    }
  });

  it('temp files left by a killed save are removed by the next save', () => {
    const dir = join(tmp(), 'm');
    const model = new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'lstm', units: 2 }, { kind: 'dense', units: 2 }] });
    saveModel(dir, model, { task: 'classification' });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = join(dir, `.model.json.tmp-${dead}-abcd1234`);
    writeFileSync(stale, '{"torn":');
    saveModel(dir, model, { task: 'classification' });
    assert.equal(existsSync(stale), false);
    loadModel(dir);
  });
});
