import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parameter } from '../../src/core/parameter.js';
import { allocFloat, type DType } from '../../src/core/tensor.js';
import { createOptimizer, type Optimizer } from '../../src/train/optimizers/index.js';
import { assertClose, fixture } from './helpers.js';

interface OptimCase {
  name: string;
  type: string;
  options: Record<string, unknown>;
  dtype: DType;
  shapes: number[][];
  lrs: number[];
  init: number[][];
  grads: number[][][];
  after: number[][][];
}

const cases = fixture<OptimCase[]>('optimizers.json');

/** PyTorch option names → rnnlens config. */
function configOf(c: OptimCase): Record<string, unknown> {
  const names: Record<string, string> = { weight_decay: 'weightDecay' };
  const out: Record<string, unknown> = { type: c.type };
  for (const [k, v] of Object.entries(c.options)) out[names[k] ?? k] = v;
  return out;
}

function paramsOf(c: OptimCase): Parameter[] {
  return c.shapes.map((shape, i) => {
    const value = allocFloat(c.dtype, c.init[i]!.length);
    value.set(c.init[i]!);
    return { name: `p${i}`, shape, value, grad: allocFloat(c.dtype, value.length) };
  });
}

function runSteps(
  c: OptimCase,
  opt: Optimizer,
  params: Parameter[],
  from: number,
  to: number,
): void {
  for (let k = from; k < to; k++) {
    opt.lr = c.lrs[k]!;
    params.forEach((p, i) => p.grad.set(c.grads[k]![i]!));
    opt.step();
  }
}

for (const c of cases) {
  test(`optimiser matches PyTorch over ${c.lrs.length} steps: ${c.name}`, () => {
    const params = paramsOf(c);
    const opt = createOptimizer(params, configOf(c));
    const [rtol, atol] = c.dtype === 'float64' ? [1e-12, 1e-14] : [1e-6, 1e-7];
    for (let k = 0; k < c.lrs.length; k++) {
      runSteps(c, opt, params, k, k + 1);
      params.forEach((p, i) =>
        assertClose(p.value, c.after[k]![i]!, rtol, atol, `step ${k + 1} ${p.name}`),
      );
    }
    assert.equal(opt.stepCount, c.lrs.length);
  });

  test(`optimiser is deterministic and resumes bit-identically from JSON state: ${c.name}`, () => {
    const a = paramsOf(c);
    const b = paramsOf(c);
    const optA = createOptimizer(a, configOf(c));
    const optB = createOptimizer(b, configOf(c));
    runSteps(c, optA, a, 0, 3);
    runSteps(c, optB, b, 0, 3);
    a.forEach((p, i) => assert.deepEqual(p.value, b[i]!.value));

    // interrupted after step 1: save, rebuild from config() and state, continue
    const r = paramsOf(c);
    const first = createOptimizer(r, configOf(c));
    runSteps(c, first, r, 0, 1);
    const saved = JSON.parse(JSON.stringify({ config: first.config(), state: first.state() }));
    const resumed = createOptimizer(r, saved.config);
    resumed.loadState(saved.state);
    runSteps(c, resumed, r, 1, 3);
    a.forEach((p, i) => assert.deepEqual(r[i]!.value, p.value, `resumed ${p.name}`));
  });
}

test('createOptimizer rejects bad configs naming the option', () => {
  const params = paramsOf(cases[0]!);
  assert.throws(
    () => createOptimizer(params, { type: 'adagrad', lr: 1 }),
    /invalid optimiser config.*type/,
  );
  assert.throws(() => createOptimizer(params, { type: 'sgd' }), /lr/);
  assert.throws(() => createOptimizer(params, { type: 'adam', lr: -1 }), /lr/);
  assert.throws(() => createOptimizer(params, { type: 'adam', learningRate: 0.1 }), /learningRate/);
  assert.throws(
    () => createOptimizer(params, { type: 'sgd', lr: 0.1, nesterov: true }),
    /nesterov.*momentum > 0/,
  );
  assert.throws(() => createOptimizer([], { type: 'sgd', lr: 0.1 }), /params.*non-empty/);
  const opt = createOptimizer(params, { type: 'adam' });
  assert.throws(() => {
    opt.lr = Number.NaN;
  }, /lr.*finite/);
});

test('loadState refuses a state for another optimiser or other parameters', () => {
  const params = paramsOf(cases[0]!);
  const adam = createOptimizer(params, { type: 'adam' });
  const sgd = createOptimizer(params, { type: 'sgd', lr: 0.1, momentum: 0.9 });
  assert.throws(() => sgd.loadState(adam.state()), /state\.type.*"sgd".*"adam"/);
  const other = paramsOf(cases[0]!).map((p) => ({ ...p, name: `x_${p.name}` }));
  assert.throws(
    () => createOptimizer(other, { type: 'adam' }).loadState(adam.state()),
    /parameters/,
  );
  const bad = adam.state();
  bad.buffers['exp_avg']![1] = [1, 2];
  assert.throws(() => adam.loadState(bad), /exp_avg\[1\].*4 values/);
});

test('optimiser config() round-trips with defaults filled in', () => {
  const params = paramsOf(cases[0]!);
  assert.deepEqual(createOptimizer(params, { type: 'adamw' }).config(), {
    type: 'adamw',
    lr: 0.001,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0.01,
    amsgrad: false,
  });
  assert.deepEqual(createOptimizer(params, { type: 'rmsprop', centered: true }).config(), {
    type: 'rmsprop',
    lr: 0.01,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: true,
  });
});
