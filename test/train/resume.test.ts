import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parameter } from '../../src/core/parameter.js';
import { Tensor } from '../../src/core/tensor.js';
import { clipGradNorm } from '../../src/train/clip.js';
import { mse } from '../../src/train/losses/index.js';
import { createOptimizer, type Optimizer } from '../../src/train/optimizers/index.js';
import { createSchedule, type LrSchedule } from '../../src/train/schedules.js';

// A tiny linear regression y = X·w trained with optimiser + schedule + clipping, one step per
// epoch; interrupting it, passing everything through JSON and resuming must give the same bits.
const X = [0.5, -1, 2, 1.5, 0.25, -0.5, -2, 1, 0.75, 1, 1, 1, 0.3, -0.7, 0.2, -1.2, 0.4, 0.9];
const W_TRUE = [1.5, -2, 0.5];
const ROWS = X.length / 3;
const Y = Array.from(
  { length: ROWS },
  (_, r) => X[3 * r]! * W_TRUE[0]! + X[3 * r + 1]! * W_TRUE[1]! + X[3 * r + 2]! * W_TRUE[2]!,
);

function freshParams(): Parameter[] {
  return [
    { name: 'w', shape: [3], value: new Float64Array([0.1, 0.2, -0.3]), grad: new Float64Array(3) },
  ];
}

/** One epoch: forward, MSE, backward (∂L/∂w = Xᵀ·∂L/∂p), clip, step, schedule; returns the loss. */
function epoch(params: Parameter[], opt: Optimizer, sched: LrSchedule): number {
  const w = params[0]!;
  const pred = new Float64Array(ROWS);
  for (let r = 0; r < ROWS; r++)
    pred[r] = X[3 * r]! * w.value[0]! + X[3 * r + 1]! * w.value[1]! + X[3 * r + 2]! * w.value[2]!;
  const { loss, grad } = mse(new Tensor([ROWS], pred), Y);
  opt.zeroGrad();
  for (let r = 0; r < ROWS; r++)
    for (let j = 0; j < 3; j++) w.grad[j] = w.grad[j]! + X[3 * r + j]! * grad[r]!;
  clipGradNorm(params, 1);
  opt.step();
  sched.step(loss);
  return loss;
}

const setups = [
  { opt: { type: 'adam', lr: 0.4 }, sched: { type: 'cosine', tMax: 16, warmupEpochs: 4 } },
  {
    opt: { type: 'sgd', lr: 0.2, momentum: 0.9, nesterov: true },
    sched: { type: 'plateau', patience: 1, factor: 0.5 },
  },
  {
    opt: { type: 'rmsprop', lr: 0.05, centered: true },
    sched: { type: 'step', stepSize: 5, gamma: 0.5 },
  },
];

for (const setup of setups) {
  test(`training resumed from a JSON checkpoint ends bit-identical: ${setup.opt.type} + ${setup.sched.type}`, () => {
    const EPOCHS = 20;
    const a = freshParams();
    const optA = createOptimizer(a, setup.opt);
    const schedA = createSchedule(optA, setup.sched);
    const losses = Array.from({ length: EPOCHS }, () => epoch(a, optA, schedA));
    assert.ok(
      losses[EPOCHS - 1]! < losses[0]! / 10,
      `loss fell from ${losses[0]} to ${losses[EPOCHS - 1]}`,
    );

    const b = freshParams();
    const optB = createOptimizer(b, setup.opt);
    const schedB = createSchedule(optB, setup.sched);
    for (let e = 0; e < 7; e++) epoch(b, optB, schedB);
    const checkpoint = JSON.stringify({
      optimizer: optB.config(),
      optimizerState: optB.state(),
      schedule: schedB.state(),
      weights: Array.from(b[0]!.value),
    });

    const saved = JSON.parse(checkpoint);
    const c = freshParams();
    c[0]!.value.set(saved.weights);
    const optC = createOptimizer(c, saved.optimizer);
    const schedC = createSchedule(optC, setup.sched);
    optC.loadState(saved.optimizerState);
    schedC.loadState(saved.schedule);
    for (let e = 7; e < EPOCHS; e++) epoch(c, optC, schedC);
    assert.deepEqual(c[0]!.value, a[0]!.value);
    assert.equal(optC.lr, optA.lr);
  });
}
