import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

test('dynamics: a trained 3-bit flip-flop GRU has exactly 8 stable fixed points, one per memory state; run recorded; bad input named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-dynamics-'));
  try {
    const model = join(dir, 'model');
    const runs = join(dir, 'runs');
    const t = cli(['train', '--recipe', 'flipflop', '--out', model, '--runs-dir', runs, '--json']);
    assert.equal(t.status, 0, t.stderr);
    assert.ok(JSON.parse(t.stdout).metrics.test.stepAccuracy > 0.99);
    const d = cli(['dynamics', '--model', model, '--runs-dir', runs, '--json']);
    assert.equal(d.status, 0, d.stderr);
    const r = JSON.parse(d.stdout);
    assert.equal(r.counts.stableFixed, 8, JSON.stringify(r.counts));
    assert.ok(r.counts.saddle >= 1, 'saddles separate the basins');
    assert.equal(r.lineAttractor.detected, false);
    const stable = r.points.filter((p: { kind: string; stability: string }) => p.kind === 'fixed' && p.stability === 'stable');
    for (const p of stable) assert.ok(p.q < 1e-12 && p.radius < 1, `stable point q=${p.q} radius=${p.radius}`);
    const store = RunStore.open(runs, { mustExist: true });
    try {
      const run = store.get(r.run);
      assert.equal(run.kind, 'dynamics');
      assert.equal(run.metrics['stableFixedPoints'], 8);
      assert.deepEqual(store.artifacts(r.run).map((a) => a.name).sort(), ['dynamics.json', 'fig-fixed-points.json']);
    } finally {
      store.close();
    }
    const cases: [string[], RegExp][] = [
      [['--input', '1,x'], /--input value 2 expected a finite number, received "x"/],
      [['--input', '1,2'], /argument 'input' expected 3 values \(the input features of gru\/forward\), received 2/],
      [['--layer', 'nope'], /argument 'layer' expected one of gru\/forward, received "nope"/],
      [['--split', 'dev'], /--split expected train, validation or test, received "dev"/],
      [['--lr', '-1'], /--lr expected a positive number, received "-1"/],
      [['--input-token', 'a'], /--input-token needs a token model/],
    ];
    for (const [extra, msg] of cases) {
      const bad = cli(['dynamics', '--model', model, '--no-record', '--starts', '4', '--iterations', '10', ...extra]);
      assert.equal(bad.status, 1, `${extra.join(' ')}: ${bad.stdout}`);
      assert.match(bad.stderr, msg);
      assert.doesNotMatch(bad.stderr, /\n\s+at /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
