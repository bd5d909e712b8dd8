import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/rng.js';
import type { TraceSet } from '../../src/explain/internals/collect.js';
import { runProbes } from '../../src/probe/probe.js';
import { RunStore } from '../../src/runs/store.js';

/** 60 sequences of 20 steps; per step an annotation (4 levels), an input type (one of 40 tokens) independent of it, and states made by `state`. */
function synthetic(state: (label: number, type: number, rng: Rng) => number[]) {
  const rng = new Rng(5);
  const S = 60;
  const T = 20;
  const N = S * T;
  const offsets = Int32Array.from({ length: S + 1 }, (_, s) => s * T);
  const values = new Float64Array(N);
  const types: string[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < N; i++) {
    const label = rng.int(4);
    const type = rng.int(40);
    values[i] = label;
    types.push(`tok${type}`);
    rows.push(state(label, type, rng));
  }
  const d = rows[0]!.length;
  const ts: TraceSet = {
    layers: [{ key: 'gru/forward', layer: 'gru', direction: 'forward', cell: 'gru', units: d, gateCount: 3, gateNames: ['r', 'z', 'n'], fields: ['h'] }],
    sequences: Int32Array.from({ length: S }, (_, s) => s),
    offsets,
    totalSteps: N,
    values: [{ h: { data: Float32Array.from(rows.flat()), rows: N, cols: d, offsets } }],
  };
  return { ts, annotation: { name: 'synthetic', values }, types };
}
const oneHot = (k: number, n: number, rng: Rng, noise: number) => Array.from({ length: n }, (_, j) => (j === k ? 1 : 0) + noise * rng.normal());

test('states that encode the annotation: the probes solve it and are selective (the control task, random labels per type, stays near chance)', () => {
  const { ts, annotation, types } = synthetic((label, _type, rng) => [...oneHot(label, 4, rng, 0.1), rng.normal(), rng.normal()]);
  const r = runProbes(ts, annotation, types, { probes: ['linear', 'mlp'], mlp: { epochs: 15 } });
  assert.deepEqual([r.classes, r.labels, r.steps, r.types, r.folds], [['0', '1', '2', '3'], 'levels', 1200, 40, 5]);
  for (const row of r.rows) {
    assert.ok(row.task.mean > 0.99, `${row.probe} task ${row.task.mean}`);
    assert.ok(row.control.mean < r.controlMajority.mean + 0.05, `${row.probe} control ${row.control.mean} vs its majority ${r.controlMajority.mean}`);
    assert.ok(row.selectivity.low > 0.5, `${row.probe} selectivity ${JSON.stringify(row.selectivity)}`);
    assert.equal(row.byStep.length, 20);
    assert.ok(row.byStep.every((s) => s.n === 60 && s.accuracy > 0.95));
  }
});

test('states that encode only the input type: the control task is solved by memorising types and the annotation is not; selectivity is negative', () => {
  const { ts, annotation, types } = synthetic((_label, type, rng) => oneHot(type, 40, rng, 0.1));
  const r = runProbes(ts, annotation, types, { probes: ['linear'] });
  const row = r.rows[0]!;
  assert.ok(row.task.mean < 0.35, `task ${row.task.mean} (chance 0.25)`);
  assert.ok(row.control.mean > 0.9, `control ${row.control.mean}`);
  assert.ok(row.selectivity.high < -0.5, JSON.stringify(row.selectivity));
});

test('pure noise: task, control and majority all at chance, the selectivity interval covers 0', () => {
  const { ts, annotation, types } = synthetic((_l, _t, rng) => [rng.normal(), rng.normal(), rng.normal()]);
  const r = runProbes(ts, annotation, types, { probes: ['linear'] });
  const row = r.rows[0]!;
  assert.ok(Math.abs(row.task.mean - 0.25) < 0.06 && Math.abs(row.control.mean - r.majority.mean) < 0.15, JSON.stringify(row));
  assert.ok(row.selectivity.low < 0 && row.selectivity.high > -0.2, JSON.stringify(row.selectivity));
});

test('a continuous annotation is cut into quantile bins; bad options are named', () => {
  const { ts, types } = synthetic((l, _t, rng) => [l + 0.1 * rng.normal()]);
  const rng = new Rng(2);
  const values = Float64Array.from({ length: ts.totalSteps }, () => rng.normal());
  const r = runProbes(ts, { name: 'x', values }, types, { probes: ['linear'], bins: 4 });
  assert.equal(r.labels, 'bins');
  assert.equal(r.classes.length, 4);
  assert.throws(() => runProbes(ts, { name: 'x', values }, types, { folds: 1 }), /'folds' expected an integer >= 2, received 1/);
  assert.throws(() => runProbes(ts, { name: 'x', values: new Float64Array(3) }, types), /'annotation' expected 1200 values \(one per traced step\), received 3/);
  assert.throws(() => runProbes(ts, { name: 'x', values: new Float64Array(ts.totalSteps) }, types), /the annotation x takes one value \(0\) on the 1200 probed steps/);
  assert.throws(() => runProbes(ts, { name: 'x', values }, types, { probes: ['svm' as 'linear'] }), /'probes' expected some of linear, mlp/);
});

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

test('rnnlens probe: a brackets LSTM encodes nesting depth linearly and selectively; run recorded; bad flags named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-probe-'));
  try {
    const model = join(dir, 'model');
    const runs = join(dir, 'runs');
    const t = cli(['train', '--recipe', 'brackets', '--out', model, '--runs-dir', runs, '--json']);
    assert.equal(t.status, 0, t.stderr);
    const p = cli(['probe', '--model', model, '--probe', 'linear', '--max-steps', '1200', '--runs-dir', runs, '--json']);
    assert.equal(p.status, 0, p.stderr);
    const r = JSON.parse(p.stdout);
    assert.equal(r.annotation, 'tags');
    assert.deepEqual(r.rows.map((x: { field: string }) => x.field), ['h', 'c']);
    for (const row of r.rows) {
      assert.ok(row.task.mean > 0.95, `${row.field} task ${row.task.mean}`);
      assert.ok(row.selectivity.low > 0.1, `${row.field} selectivity ${JSON.stringify(row.selectivity)}`);
    }
    const store = RunStore.open(runs, { mustExist: true });
    try {
      assert.equal(store.get(r.run).kind, 'probe');
      assert.deepEqual(store.artifacts(r.run).map((a) => a.name).sort(), ['fig-probe-selectivity.json', 'probe.json']);
    } finally {
      store.close();
    }
    const cases: [string[], RegExp][] = [
      [['--probe', 'svm'], /--probe expected linear, mlp or both, received "svm"/],
      [['--annotation', 'quotes'], /the annotation quotes takes one value \(0\) on the \d+ probed steps; there is nothing to predict/],
      [['--annotation', 'nope'], /unknown annotation "nope"; expected tags or one of/],
      [['--folds', '1'], /--folds expected an integer >= 2, received 1/],
      [['--layer', 'gru'], /--layer expected one of lstm\/forward, received "gru"/],
      [['--c', '0'], /--c expected a positive number, received "0"/],
    ];
    for (const [extra, msg] of cases) {
      const bad = cli(['probe', '--model', model, '--no-record', '--max-steps', '200', '--probe', 'linear', ...extra]);
      assert.equal(bad.status, 1, `${extra.join(' ')}: ${bad.stdout}`);
      assert.match(bad.stderr, msg);
      assert.doesNotMatch(bad.stderr, /\n\s+at /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
