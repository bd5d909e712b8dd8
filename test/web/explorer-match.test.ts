// The unit explorer's select-and-match rule on hand-made states, with exact results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeState,
  onSteps,
  rankMatches,
  selectUnits,
  stepVector,
  type StateMatrix,
} from '../../web/src/explorer-match.js';

/** rows: one array of unit values per step */
const m = (rows: number[][]): StateMatrix => ({ data: rows.flat(), steps: rows.length, width: rows[0]!.length });

// 6 steps x 4 units
//   unit 0: on over steps 2-3 only            -> on in range, off before and after
//   unit 1: on over steps 1-4                  -> on in range but also just before/after
//   unit 2: on at step 2, off at 3             -> not on across the range
//   unit 3: on over steps 2-3 and at step 5    -> off at 1 and 4: selected too
const query = m([
  [0.0, 0.0, 0.0, 0.0],
  [0.1, 0.9, 0.0, 0.2],
  [0.8, 0.9, 0.7, 0.6],
  [0.9, 0.8, 0.1, 0.5],
  [0.2, 0.9, 0.0, 0.1],
  [0.0, 0.0, 0.0, 0.9],
]);

describe('explorer select (LSTMVis rule)', () => {
  it('keeps units on across the range and off just before and just after it', () => {
    assert.deepEqual(selectUnits(query, 2, 4, 0.3), [0, 3]);
    // a higher threshold drops unit 3 (0.5 at step 3)
    assert.deepEqual(selectUnits(query, 2, 4, 0.55), [0]);
  });
  it('has no before-step at the start and no after-step at the end of the sequence', () => {
    // range [4, 6): only unit 1 at step 4 and unit 3 at step 5: nobody on at both
    assert.deepEqual(selectUnits(query, 4, 6, 0.3), []);
    // range [5, 6): unit 3 is on at the last step and off at step 4
    assert.deepEqual(selectUnits(query, 5, 6, 0.3), [3]);
    // range [1, 5) with unit 1: on over 1-4, off at 0 and 5
    assert.deepEqual(selectUnits(query, 1, 5, 0.3), [1]);
    // a reversed range is the same range; an empty one selects nothing
    assert.deepEqual(selectUnits(query, 4, 2, 0.3), [0, 3]);
    assert.deepEqual(selectUnits(query, 3, 3, 0.3), []);
  });
  it('uses strict comparisons: a value equal to the threshold is neither on nor off', () => {
    const edge = m([[0.3], [0.5], [0.1]]);
    assert.deepEqual(selectUnits(edge, 1, 2, 0.3), []); // 0.3 before the range is not "off"
    assert.deepEqual(selectUnits(edge, 1, 2, 0.2), []); // 0.3 before is "on", not off
    assert.deepEqual(selectUnits(m([[0.2], [0.5], [0.1]]), 1, 2, 0.3), [0]);
  });
});

describe('explorer match', () => {
  const a = m([
    [0.9, 0.9],
    [0.9, 0.1],
    [0.9, 0.9],
    [0.9, 0.9],
  ]); // both on at steps 0, 2, 3: count 3, longest 2
  const b = m([
    [0.1, 0.9],
    [0.9, 0.9],
    [0.9, 0.9],
    [0.9, 0.9],
  ]); // steps 1-3: count 3, longest 3
  const c = m([
    [0.1, 0.1],
    [0.1, 0.1],
  ]); // never
  const d = m([
    [0.9, 0.9],
    [0.1, 0.1],
  ]); // step 0: count 1
  it('marks the steps where every selected unit is on', () => {
    assert.deepEqual(Array.from(onSteps(a, [0, 1], 0.3)), [1, 0, 1, 1]);
    assert.deepEqual(Array.from(onSteps(a, [0], 0.3)), [1, 1, 1, 1]);
    assert.deepEqual(Array.from(onSteps(a, [], 0.3)), [0, 0, 0, 0]);
  });
  it('ranks by count of such steps, then by longest run, then corpus order; drops sequences without any', () => {
    const r = rankMatches([a, b, c, d], [0, 1], 0.3);
    assert.deepEqual(
      r.map((x) => [x.index, x.count, x.longest, Array.from(x.on).join('')]),
      [
        [1, 3, 3, '0111'],
        [0, 3, 2, '1011'],
        [3, 1, 1, '10'],
      ],
    );
    // unit 0 alone: a is on at all four steps, b at three
    assert.deepEqual(
      rankMatches([a, b, c, d], [0], 0.3).map((x) => [x.index, x.count, x.longest]),
      [
        [0, 4, 4],
        [1, 3, 3],
        [3, 1, 1],
      ],
    );
    assert.deepEqual(rankMatches([a, b], [], 0.3), []);
  });
  it('reads a step vector and decodes quantised bytes', () => {
    assert.deepEqual(stepVector(query, 3), [0.9, 0.8, 0.1, 0.5]);
    // bytes 0, 128, 255 over [-1, 1]
    const v = decodeState(btoa(String.fromCharCode(0, 128, 255)), -1, 1);
    assert.deepEqual(Array.from(v), [-1, Math.fround(-1 + (128 * 2) / 255), 1]);
  });
});
