import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, type DType } from '../../src/core/tensor.js';
import { ArgumentError } from '../../src/core/errors.js';
import {
  binaryCrossEntropy,
  crossEntropy,
  huber,
  logSoftmax,
  mae,
  mse,
  sequenceCrossEntropy,
  softmax,
  type LossResult,
} from '../../src/train/losses/index.js';
import { assertClose, fixture } from './helpers.js';

interface LossCase {
  name: string;
  kind: string;
  shape: number[];
  logits?: number[];
  predictions?: number[];
  targets: number[];
  weights?: number[] | null;
  labelSmoothing?: number;
  ignoreIndex?: number | null;
  reduction?: 'mean' | 'sum';
  lengths?: number[];
  posWeight?: number[] | null;
  delta?: number | null;
  loss: number;
  grad: number[];
}

function run(c: LossCase, dtype: DType, useMask: boolean): LossResult {
  const input = Tensor.from(c.shape, c.logits ?? c.predictions!, dtype);
  const ce = {
    ...(c.weights ? { weights: c.weights } : {}),
    ...(c.labelSmoothing ? { labelSmoothing: c.labelSmoothing } : {}),
    ...(c.ignoreIndex != null ? { ignoreIndex: c.ignoreIndex } : {}),
    ...(c.reduction ? { reduction: c.reduction } : {}),
  };
  switch (c.kind) {
    case 'cross-entropy':
      return crossEntropy(input, c.targets, ce);
    case 'sequence-cross-entropy': {
      const [b, t] = c.shape as [number, number];
      if (!useMask) return sequenceCrossEntropy(input, c.targets, { ...ce, lengths: c.lengths! });
      const mask = new Float32Array(b * t);
      for (let i = 0; i < b; i++) mask.fill(1, i * t, i * t + c.lengths![i]!);
      // padded targets hold garbage that must never be read
      const targets = c.targets.map((y, k) => (mask[k] ? y : 999));
      return sequenceCrossEntropy(input, targets, { ...ce, mask });
    }
    case 'binary-cross-entropy':
      return binaryCrossEntropy(input, c.targets, c.posWeight ? { posWeight: c.posWeight } : {});
    case 'mse':
      return mse(input, c.targets);
    case 'mae':
      return mae(input, c.targets);
    case 'huber':
      return huber(input, c.targets, { delta: c.delta! });
    default:
      throw new Error(`unknown loss kind ${c.kind}`);
  }
}

const cases = fixture<LossCase[]>('losses.json');

for (const c of cases) {
  test(`loss matches PyTorch (float64): ${c.name}`, () => {
    const r = run(c, 'float64', false);
    assert.ok(r.grad instanceof Float64Array);
    assertClose([r.loss], [c.loss], 1e-12, 1e-15, 'loss');
    assertClose(r.grad, c.grad, 1e-12, 1e-15, 'grad');
  });
  test(`loss matches PyTorch (float32): ${c.name}`, () => {
    const r = run(c, 'float32', true);
    assert.ok(r.grad instanceof Float32Array);
    assertClose([r.loss], [c.loss], 1e-6, 1e-7, 'loss');
    assertClose(r.grad, c.grad, 1e-6, 1e-7, 'grad');
  });
}

test('softmax/logSoftmax: rows sum to one, stable for huge logits, log matches', () => {
  const z = Tensor.from([2, 3], [1000, 1001, 1002, -5, 0, 5], 'float64');
  const p = softmax(z).data;
  const lp = logSoftmax(z).data;
  for (let r = 0; r < 2; r++) {
    assertClose([p[3 * r]! + p[3 * r + 1]! + p[3 * r + 2]!], [1], 1e-15, 0, 'row sum');
    for (let j = 0; j < 3; j++)
      assertClose([Math.log(p[3 * r + j]!)], [lp[3 * r + j]!], 1e-12, 0, 'log p');
  }
  // the first row is the second shifted by a constant, up to the middle value: same distribution
  assertClose([lp[2]! - lp[0]!], [2], 1e-12, 0, 'shift invariance');
  assert.ok(softmax(Tensor.from([1, 2], [1, 2])).data instanceof Float32Array);
});

test('crossEntropy: a confident correct prediction has near-zero loss, a wrong one large', () => {
  const good = crossEntropy(Tensor.from([1, 3], [20, 0, 0], 'float64'), [0]);
  const bad = crossEntropy(Tensor.from([1, 3], [20, 0, 0], 'float64'), [1]);
  assert.ok(good.loss < 1e-8);
  assertClose([bad.loss], [20 + Math.log(1 + 2 * Math.exp(-20))], 1e-12, 0, 'wrong');
});

test('crossEntropy: every row ignored gives loss 0 and a zero gradient', () => {
  const r = crossEntropy(Tensor.from([2, 2], [1, 2, 3, 4], 'float64'), [-1, -1], {
    ignoreIndex: -1,
  });
  assert.equal(r.loss, 0);
  assert.deepEqual(Array.from(r.grad), [0, 0, 0, 0]);
});

test('losses reject bad input with errors naming the argument', () => {
  const z = Tensor.from([2, 3], [0, 1, 2, 3, 4, 5]);
  assert.throws(
    () => crossEntropy(z, [0, 3]),
    (e: unknown) =>
      e instanceof ArgumentError && /targets/.test(e.message) && /3 at index 1/.test(e.message),
  );
  assert.throws(() => crossEntropy(z, [0, 1.5]), /1\.5 at index 1/);
  assert.throws(() => crossEntropy(z, [0]), /targets.*2 class indices.*1 values/);
  assert.throws(
    () => crossEntropy(Tensor.from([2, 3], [0, NaN, 2, 3, 4, 5]), [0, 1]),
    /logits.*NaN at flat index 1/,
  );
  assert.throws(() => crossEntropy(z, [0, 1], { weights: [1, 1] }), /weights.*3 class weights/);
  assert.throws(() => crossEntropy(z, [0, 1], { labelSmoothing: 1.5 }), /labelSmoothing/);
  assert.throws(() => crossEntropy(Tensor.from([6], [0, 1, 2, 3, 4, 5]), [0]), /logits.*\[N, C\]/);
  const seq = Tensor.from([2, 2, 3], new Array(12).fill(0));
  assert.throws(() => sequenceCrossEntropy(seq, [0, 0, 0, 0], { lengths: [1, 3] }), /lengths\[1\]/);
  assert.throws(
    () => sequenceCrossEntropy(seq, [0, 0, 0, 0], { mask: [1, 1, 1] }),
    /mask.*4 values/,
  );
  assert.throws(() => sequenceCrossEntropy(seq, [0, 0, 0, 7], { lengths: [2, 2] }), /7 at index 3/);
  assert.throws(() => binaryCrossEntropy(Tensor.from([2], [0, 1]), [0, 2]), /targets.*\[0, 1\]/);
  assert.throws(() => mse(Tensor.from([2], [0, 1]), [0]), /targets.*2 values/);
  assert.throws(() => huber(Tensor.from([1], [0]), [0], { delta: 0 }), /delta/);
});

test('binaryCrossEntropy is finite for extreme logits', () => {
  const r = binaryCrossEntropy(Tensor.from([2], [800, -800], 'float64'), [0, 1]);
  assertClose([r.loss], [800], 1e-12, 0, 'loss');
  assertClose(r.grad, [0.5, -0.5], 1e-12, 0, 'grad');
});
