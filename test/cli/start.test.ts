import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store.js';

const root = new URL('../..', import.meta.url).pathname;

test('start: the whole story runs end to end (motif, no comparison, no server) and records every stage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-start-'));
  try {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'start', '--recipe', 'motif', '--epochs', '2', '--no-compare', '--no-serve', '--runs-dir', join(dir, 'runs'), '--out', join(dir, 'report.html')], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /\[6\/6 .*writing the report/);
    assert.match(res.stdout, /scorecard: completeness \w+, deletion \w+, sanity \w+/);
    assert.match(res.stdout, /\d\/3 certified at ε = 0.01/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(html.length > 10_000 && !/src="https?:/.test(html), 'a self-contained report');
    const store = RunStore.open(join(dir, 'runs'), { mustExist: true });
    try {
      const kinds = store.list().map((r) => r.kind).sort();
      assert.deepEqual(kinds, ['certify', 'explain', 'internals', 'train']);
      for (const r of store.list()) assert.equal(r.status, 'finished');
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start: a bad option is a clear error and leaves no runs behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-start-'));
  try {
    const res = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'start', '--recipe', 'nope', '--no-serve', '--runs-dir', join(dir, 'runs')], { cwd: root, encoding: 'utf8' });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /recipe.*name.*one of motif/);
    assert.ok(!existsSync(join(dir, 'report.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
