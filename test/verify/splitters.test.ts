import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  groupKFold,
  kFold,
  leaveOneGroupOut,
  repeatedStratifiedKFold,
  shuffleSplit,
  stratifiedKFold,
  timeSeriesSplit,
  type Split,
} from '../../src/verify/splitters.js';
import { loadFixture } from './helpers.js';

const fx = loadFixture('splitters.json');

function asLists(splits: Split[]) {
  return splits.map((s) => ({ train: Array.from(s.train), test: Array.from(s.test) }));
}

test('splitters give exactly sklearn 1.2 indices (KFold, StratifiedKFold, GroupKFold, LeaveOneGroupOut, TimeSeriesSplit)', () => {
  for (const c of fx.cases) {
    let got: Split[];
    switch (c.kind) {
      case 'kFold':
        got = kFold(c.n, { k: c.k });
        break;
      case 'stratifiedKFold':
        got = stratifiedKFold(c.y, { k: c.k });
        break;
      case 'groupKFold':
        got = groupKFold(c.groups, { k: c.k });
        break;
      case 'leaveOneGroupOut':
        got = leaveOneGroupOut(c.groups);
        break;
      case 'timeSeriesSplit':
        got = timeSeriesSplit(c.n, {
          k: c.k,
          gap: c.gap,
          ...(c.maxTrainSize !== null ? { maxTrainSize: c.maxTrainSize } : {}),
          ...(c.testSize !== null ? { testSize: c.testSize } : {}),
        });
        break;
      default:
        throw new Error(`unknown case ${c.kind}`);
    }
    assert.deepEqual(asLists(got), c.folds, `${c.kind} ${JSON.stringify({ n: c.n, k: c.k })}`);
  }
});

/** Every index in exactly one test fold; train = complement of test. */
function assertPartition(splits: Split[], n: number) {
  const seen = new Int32Array(n);
  for (const s of splits) {
    for (const i of s.test) seen[i]! += 1;
    const inTest = new Set(s.test);
    for (const i of s.train) assert.ok(!inTest.has(i), 'train and test overlap');
    assert.equal(s.train.length + s.test.length, n, 'train ∪ test covers the data');
  }
  assert.ok(
    seen.every((v) => v === 1),
    'each sample in exactly one test fold',
  );
}

const labelsArb = fc.integer({ min: 2, max: 6 }).chain((k) =>
  fc.record({
    k: fc.constant(k),
    y: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: k * 2, maxLength: 60 }),
    seed: fc.integer(),
    shuffle: fc.boolean(),
  }),
);

test('property: k-fold folds are disjoint, cover the data and differ in size by at most one', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 50 }),
      fc.integer(),
      fc.boolean(),
      (k, extra, seed, shuffle) => {
        const n = k + extra;
        const splits = kFold(n, { k, shuffle, seed });
        assertPartition(splits, n);
        const sizes = splits.map((s) => s.test.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
      },
    ),
    { numRuns: 150 },
  );
});

test('property: stratified k-fold partitions and balances each class within one between folds', () => {
  fc.assert(
    fc.property(labelsArb, ({ k, y, seed, shuffle }) => {
      const counts = new Map<number, number>();
      for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
      fc.pre([...counts.values()].some((c) => c >= k));
      const splits = stratifiedKFold(y, { k, shuffle, seed, onWarning: () => {} });
      assertPartition(splits, y.length);
      for (const cls of counts.keys()) {
        const per = splits.map((s) => Array.from(s.test).filter((i) => y[i] === cls).length);
        assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${cls}: ${per}`);
      }
    }),
    { numRuns: 150 },
  );
});

test('property: a group never spans train and test (group k-fold, leave-one-group-out)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 60 }),
      (k, groups) => {
        fc.pre(new Set(groups).size >= k);
        for (const splits of [groupKFold(groups, { k }), leaveOneGroupOut(groups)]) {
          assertPartition(splits, groups.length);
          for (const s of splits) {
            const testGroups = new Set(Array.from(s.test, (i) => groups[i]));
            for (const i of s.train)
              assert.ok(!testGroups.has(groups[i]!), `group ${groups[i]} in train and test`);
          }
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('property: time-series splits train strictly before test, minus the gap, within maxTrainSize', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.integer({ min: 10, max: 80 }),
      fc.integer({ min: 0, max: 3 }),
      fc.option(fc.integer({ min: 1, max: 20 })),
      (k, n, gap, maxTrainSize) => {
        fc.pre(n - gap - Math.floor(n / (k + 1)) * k > 0);
        const splits = timeSeriesSplit(n, {
          k,
          gap,
          ...(maxTrainSize !== null ? { maxTrainSize } : {}),
        });
        assert.equal(splits.length, k);
        let prevTrain = 0;
        for (const s of splits) {
          assert.ok(s.train.length > 0);
          assert.ok(s.train[s.train.length - 1]! + gap < s.test[0]!, 'train ends gap before test');
          if (maxTrainSize !== null) assert.ok(s.train.length <= maxTrainSize);
          else assert.ok(s.train.length >= prevTrain, 'expanding window');
          prevTrain = s.train.length;
          for (let i = 1; i < s.test.length; i++)
            assert.equal(s.test[i], s.test[i - 1]! + 1, 'contiguous test block');
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('shuffle-split and repeated stratified k-fold are seeded, disjoint and reproducible', () => {
  const a = shuffleSplit(50, { splits: 5, testSize: 0.2, seed: 3 });
  const b = shuffleSplit(50, { splits: 5, testSize: 0.2, seed: 3 });
  assert.deepEqual(asLists(a), asLists(b));
  assert.notDeepEqual(asLists(a), asLists(shuffleSplit(50, { splits: 5, testSize: 0.2, seed: 4 })));
  for (const s of a) {
    assert.equal(s.test.length, 10);
    assert.equal(s.train.length, 40);
    const t = new Set(s.test);
    assert.ok(Array.from(s.train).every((i) => !t.has(i)));
  }
  const y = Array.from({ length: 30 }, (_, i) => i % 3);
  const rep = repeatedStratifiedKFold(y, { k: 5, repeats: 3, seed: 1 });
  assert.equal(rep.length, 15);
  for (let r = 0; r < 3; r++) assertPartition(rep.slice(r * 5, r * 5 + 5), 30);
  assert.notDeepEqual(asLists(rep.slice(0, 5)), asLists(rep.slice(5, 10)), 'repeats differ');
});

test('splitters reject impossible settings with clear errors and warn on small classes', () => {
  assert.throws(
    () => kFold(3, { k: 5 }),
    /argument 'k' expected at most the number of samples \(3\), received 5/,
  );
  assert.throws(() => kFold(10, { k: 1 }), /argument 'k' expected an integer >= 2/);
  assert.throws(
    () => stratifiedKFold([0, 0, 1, 1], { k: 3 }),
    /at most the number of members of some class/,
  );
  const warnings: string[] = [];
  stratifiedKFold([0, 0, 0, 0, 1, 1], { k: 3, onWarning: (m) => warnings.push(m) });
  assert.match(warnings[0]!, /least populated class has only 2 members, fewer than k=3/);
  assert.throws(() => groupKFold([1, 1, 2, 2], { k: 3 }), /at most the number of groups \(2\)/);
  assert.throws(() => timeSeriesSplit(5, { k: 5 }), /k \+ 1 folds at most the number of samples/);
  assert.throws(() => timeSeriesSplit(10, { k: 4, gap: 3 }), /n - gap - testSize\*k > 0/);
  assert.throws(() => leaveOneGroupOut([7, 7, 7]), /at least 2 distinct groups/);
  assert.throws(() => stratifiedKFold([], { k: 2 }), /argument 'y' expected a non-empty array/);
});
