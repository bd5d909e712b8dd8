// The curves view's smoothing against values worked out by hand from its definition
// (m_n = w m_{n-1} + (1 - w) y_n from m_0 = 0, shown as m_n / (1 - w^n)).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smooth } from '../../web/src/smoothing.js';

const close = (a: number[], b: number[]): void => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-12, `point ${i}: ${x} vs ${b[i]}`));
};

describe('curve smoothing (debiased exponential moving average)', () => {
  it('w = 0.5 on 1, 2, 4: m = 0.5, 1.25, 2.625 over 1 - 0.5^n = 0.5, 0.75, 0.875', () => {
    close(smooth([1, 2, 4], 0.5), [1, 5 / 3, 3]);
  });
  it('w = 0.9 on 10, 0, 5: m = 1, 0.9, 1.31 over 0.1, 0.19, 0.271', () => {
    close(smooth([10, 0, 5], 0.9), [10, 90 / 19, 1.31 / 0.271]);
  });
  it('the first point is never pulled towards zero, and a constant stays constant', () => {
    close(smooth([3, 3, 3, 3], 0.99), [3, 3, 3, 3]);
  });
  it('w = 0 leaves the values as they are', () => {
    assert.deepEqual(smooth([0.3, -2, 7], 0), [0.3, -2, 7]);
  });
  it('a non-finite value is shown as it is and does not enter the average', () => {
    const s = smooth([1, Infinity, 2], 0.5);
    assert.equal(s[1], Infinity);
    close([s[0]!, s[2]!], [1, 5 / 3]);
  });
  it('refuses a weight outside [0, 1)', () => {
    assert.throws(() => smooth([1], 1), /weight must be in \[0, 1\), received 1/);
    assert.throws(() => smooth([1], -0.1), /received -0.1/);
  });
});
