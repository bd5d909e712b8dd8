import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intervene } from '../../src/causal/intervene.js';
import { subset } from '../../src/data/dataset.js';
import { DenseLayer } from '../../src/nn/dense.js';
import { SequenceModel } from '../../src/nn/model.js';
import { RecurrentLayer } from '../../src/nn/recurrent.js';
import { RunStore } from '../../src/runs/store.js';
import { evaluate } from '../../src/train/evaluate.js';
import { buildModelConfig, getRecipe } from '../../src/train/recipes.js';
import { train } from '../../src/train/trainer.js';

const recipe = getRecipe('brackets');
const data = recipe.load({ seed: 0 });
const test_ = subset(data.test, Array.from({ length: 120 }, (_, i) => i));
const trained = (async () => {
  const model = new SequenceModel(buildModelConfig(recipe.model, data.train, 'tagging'), { seed: 0 });
  await train(model, data.train, { ...recipe.train, epochs: 4, task: 'tagging' }, { validation: data.validation });
  return model;
})();
const layers = (m: SequenceModel) => ({ lstm: m.layers.find((l) => l instanceof RecurrentLayer) as RecurrentLayer, dense: m.layers.find((l) => l instanceof DenseLayer) as DenseLayer });
function clone(m: SequenceModel): SequenceModel {
  const c = SequenceModel.fromConfig(m.config());
  c.parameters().forEach((p, i) => p.value.set(m.parameters()[i]!.value));
  return c;
}

test('the step-by-step run reproduces the model: a no-op intervention leaves the metric of evaluate() and every output unchanged', async () => {
  const model = await trained;
  const want = evaluate(model, test_, 'tagging').metrics['stepAccuracy']!;
  const r = intervene(model, test_, { units: [0], mode: 'zero', steps: { from: 10_000 }, task: 'tagging', permutations: 0 });
  assert.ok(Math.abs(r.clean - want) < 1e-12, `${r.clean} vs evaluate ${want}`);
  assert.equal(r.intervened.metric, r.clean);
  assert.equal(r.intervened.outputChange, 0);
  assert.equal(r.random.p, null);
});

test('a unit nothing reads (zero head and recurrent weights out of it) has exactly no effect under any intervention', async () => {
  const model = clone(await trained);
  const { lstm, dense } = layers(model);
  const H = lstm.cell.hiddenSize;
  const u = 5;
  const C = dense.outputFeatures;
  for (let k = 0; k < C; k++) dense.kernel.value[u * C + k] = 0;
  lstm.U.value.fill(0, u * 4 * H, (u + 1) * 4 * H);
  for (const [mode, extra] of [['zero', {}], ['mean', {}], ['clamp', { value: 3 }], ['patch', {}]] as const)
    for (const state of ['h', 'c', 'both'] as const) {
      const r = intervene(model, test_, { units: [u], mode, state, ...extra, task: 'tagging', permutations: 0 });
      assert.ok(r.intervened.outputChange < 1e-7, `${mode}/${state}: output change ${r.intervened.outputChange}`);
      assert.equal(r.effect, 0, `${mode}/${state}`);
    }
});

test('when the head reads one unit only, zeroing it leaves the bias: the metric is the share of steps whose tag is argmax(bias)', async () => {
  const model = clone(await trained);
  const { lstm, dense } = layers(model);
  const H = lstm.cell.hiddenSize;
  const C = dense.outputFeatures;
  const u = 2;
  for (let j = 0; j < H; j++) if (j !== u) for (let k = 0; k < C; k++) dense.kernel.value[j * C + k] = 0;
  let best = 0;
  for (let k = 1; k < C; k++) if (dense.bias.value[k]! > dense.bias.value[best]!) best = k;
  let hits = 0;
  let steps = 0;
  for (const it of test_.items)
    for (let t = 0; t < it.steps; t++) {
      steps++;
      if (it.tags![t] === best) hits++;
    }
  const r = intervene(model, test_, { units: [u], mode: 'zero', state: 'h', task: 'tagging', permutations: 30 });
  assert.ok(Math.abs(r.intervened.metric - hits / steps) < 1e-12, `${r.intervened.metric} vs ${hits / steps}`);
  // the exact test enumerates all 15 other single units, and p counts those that hurt at least as much
  assert.equal(r.random.exact, true);
  assert.equal(r.random.permutations, H - 1);
  const atLeast = r.random.effects.filter((e) => e >= r.effect - 1e-12).length;
  assert.equal(r.random.p, (1 + atLeast) / H);
  assert.ok(r.effect > r.random.mean, `${r.effect} vs random mean ${r.random.mean}`);
  // the test over sequences compares with the average random set: its mean difference is exactly that gap
  const od = r.random.overData!;
  assert.ok(Math.abs(od.difference - (r.effect - r.random.mean)) < 1e-12, `${od.difference} vs ${r.effect - r.random.mean}`);
  assert.equal(od.df, test_.items.length - 1);
  assert.ok(od.p > 0 && od.p < 1);
});

test('the same seed gives the same result; random draws and patch donors depend on it', async () => {
  const model = await trained;
  const a = intervene(model, test_, { units: [1, 4], mode: 'patch', task: 'tagging', permutations: 8, seed: 3 });
  const b = intervene(model, test_, { units: [1, 4], mode: 'patch', task: 'tagging', permutations: 8, seed: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.random.exact, false);
  const c = intervene(model, test_, { units: [1, 4], mode: 'patch', task: 'tagging', permutations: 8, seed: 4 });
  assert.notDeepEqual(a.random.effects, c.random.effects);
});

test('bad interventions are refused with the argument, what was expected and what came', async () => {
  const model = await trained;
  const bad: [Parameters<typeof intervene>[2], RegExp][] = [
    [{ units: [16], mode: 'zero', task: 'tagging' }, /'units' expected unit indices in 0..15 \(the layer has 16 units\), received 16/],
    [{ units: [1, 1], mode: 'zero', task: 'tagging' }, /'units' expected distinct unit indices, received 1 twice/],
    [{ units: Array.from({ length: 16 }, (_, i) => i), mode: 'zero', task: 'tagging' }, /fewer than all 16 units/],
    [{ units: [], mode: 'zero', task: 'tagging' }, /'units' expected at least one unit/],
    [{ units: [0], mode: 'clamp', task: 'tagging' }, /'value' expected a finite number \(the clamp value\)/],
    [{ units: [0], mode: 'zero', value: 1, task: 'tagging' }, /'value' expected no value \(only clamp takes one; mode is zero\)/],
    [{ units: [0], mode: 'zero', steps: { from: 5, to: 5 }, task: 'tagging' }, /'steps.to' expected an integer > 5, received 5/],
    [{ units: [0], mode: 'zero', task: 'classification' }, /'task' expected a task matching dataset 'brackets\/test' \(its target is tags\), received classification/],
    [{ units: [0], mode: 'zero', layer: 'gru', task: 'tagging' }, /'layer' expected one of lstm, received "gru"/],
  ];
  for (const [opts, msg] of bad) assert.throws(() => intervene(model, test_, opts), msg);
});

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

test('rnnlens intervene: top:tags ranks on validation and tests on test, records a run; bad flags named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-intervene-'));
  try {
    const model = join(dir, 'model');
    const runs = join(dir, 'runs');
    const t = cli(['train', '--recipe', 'brackets', '--epochs', '3', '--out', model, '--runs-dir', runs, '--json']);
    assert.equal(t.status, 0, t.stderr);
    const x = cli(['intervene', '--model', model, '--units', 'top:tags:2', '--limit', '60', '--permutations', '10', '--runs-dir', runs, '--json']);
    assert.equal(x.status, 0, x.stderr);
    const r = JSON.parse(x.stdout);
    assert.equal(r.units.length, 2);
    assert.equal(r.ranked.length, 2);
    assert.equal(r.state, r.ranked[0].field);
    assert.equal(r.items, 60);
    assert.equal(r.random.effects.length, 10);
    assert.ok(r.effect > 0, `ablating the best depth units costs accuracy: ${r.effect}`);
    const store = RunStore.open(runs, { mustExist: true });
    try {
      const run = store.get(r.run);
      assert.equal(run.kind, 'intervene');
      assert.equal(run.metrics['effect'], r.effect);
      assert.deepEqual(store.artifacts(r.run).map((a) => a.name).sort(), ['fig-intervention.json', 'intervention.json']);
    } finally {
      store.close();
    }
    const cases: [string[], RegExp][] = [
      [['--units', '3', '--mode', 'erase'], /--mode expected zero, mean, clamp or patch, received "erase"/],
      [['--units', '3', '--mode', 'clamp'], /--mode clamp needs --value X/],
      [['--units', '3', '--steps', '5:3'], /--steps expected FROM:TO with 0 <= FROM < TO .*received "5:3"/],
      [['--units', '3,x'], /--units value 2 expected a unit index/],
      [['--units', 'top:nonsense'], /unknown annotation; expected tags or one of/],
      [['--units', '99'], /'units' expected unit indices in 0..15/],
      [['--units', '3', '--state', 'q'], /--state expected h, c or both, received "q"/],
    ];
    for (const [extra, msg] of cases) {
      const bad = cli(['intervene', '--model', model, '--no-record', '--permutations', '0', '--limit', '10', ...extra]);
      assert.equal(bad.status, 1, `${extra.join(' ')}: ${bad.stdout}`);
      assert.match(bad.stderr, msg);
      assert.doesNotMatch(bad.stderr, /\n\s+at /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
