import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Parameter } from '../../src/core/parameter.js';
import { EarlyStopping } from '../../src/train/early-stopping.js';

function param(values: number[]): Parameter {
  return {
    name: 'w',
    shape: [values.length],
    value: Float64Array.from(values),
    grad: new Float64Array(values.length),
  };
}

test('EarlyStopping (min): stops after patience bad epochs and restores the best weights', () => {
  const p = param([0, 0]);
  const es = new EarlyStopping({ patience: 2, minDelta: 0.01 });
  const losses = [1.0, 0.8, 0.795, 0.9, 0.7, 0.71, 0.72];
  const decisions = losses.map((loss, e) => {
    p.value.fill(e); // weights after epoch e
    return es.update(loss, [p]);
  });
  assert.deepEqual(
    decisions.map((d) => d.improved),
    [true, true, false, false, true, false, false],
  );
  assert.deepEqual(
    decisions.map((d) => d.stop),
    [false, false, false, true, false, false, true],
  );
  assert.equal(es.best, 0.7);
  assert.equal(es.bestEpoch, 4);
  es.restore([p]);
  assert.deepEqual(Array.from(p.value), [4, 4]);
});

test('EarlyStopping (max) with state round trip through JSON', () => {
  const p = param([0]);
  const a = new EarlyStopping({ mode: 'max', patience: 1 });
  p.value[0] = 1;
  a.update(0.5, [p]);
  p.value[0] = 2;
  a.update(0.6, [p]);
  const b = new EarlyStopping({ mode: 'max', patience: 1 });
  b.loadState(JSON.parse(JSON.stringify(a.state())), [p]);
  p.value[0] = 3;
  assert.deepEqual(b.update(0.55, [p]), { improved: false, stop: true });
  b.restore([p]);
  assert.equal(p.value[0], 2);
  assert.equal(b.bestEpoch, 1);
});

test('EarlyStopping rejects bad input', () => {
  assert.throws(() => new EarlyStopping({ patience: -1 }), /patience/);
  assert.throws(() => new EarlyStopping({ minDelta: Number.NaN }), /minDelta/);
  const es = new EarlyStopping();
  assert.throws(() => es.restore([param([1])]), /no metric/);
  assert.throws(() => es.update(Number.NaN, [param([1])]), /metric.*finite/);
  es.update(1, [param([1])]);
  assert.throws(() => es.restore([param([1, 2])]), /params \(w\)/);
});
