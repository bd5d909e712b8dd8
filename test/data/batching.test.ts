import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.js';
import { ArgumentError } from '../../src/core/errors.js';
import { createDataset, classCounts, type Item } from '../../src/data/dataset.js';
import { makeBatches, TAG_PAD } from '../../src/data/batching.js';
import { splitBy, splitDataset } from '../../src/data/split.js';
import { applyZScore, fitZScore } from '../../src/data/normalise.js';
import { summarizeDataset } from '../../src/data/summary.js';

function numericDs(lengths: number[], D = 2) {
  const items: Item[] = lengths.map((T, i) => ({
    x: Float32Array.from({ length: T * D }, (_, j) => i * 100 + j + 1),
    steps: T,
    label: i % 3,
    meta: { speaker: `s${i % 4}`, take: i },
  }));
  return createDataset({
    name: 'toy',
    input: 'numeric',
    features: D,
    target: 'class',
    classNames: ['a', 'b', 'c'],
    items,
  });
}

test('numeric batches are batch-first, zero padded at the end, with lengths and masks', () => {
  const ds = numericDs([3, 1, 2]);
  const [b] = makeBatches(ds, { batchSize: 3 });
  assert.equal(b!.steps, 3);
  assert.deepEqual([...b!.lengths], [3, 1, 2]);
  assert.deepEqual([...b!.mask], [1, 1, 1, 1, 0, 0, 1, 1, 0]);
  const x = b!.x as Float32Array; // [B=3, T=3, D=2]
  assert.deepEqual([...x.subarray(0, 6)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...x.subarray(6, 12)], [101, 102, 0, 0, 0, 0]);
  assert.deepEqual([...x.subarray(12, 18)], [201, 202, 203, 204, 0, 0]);
  assert.deepEqual([...b!.labels!], [0, 1, 2]);
});

test('token batches pad with PAD=0 and tags with -1', () => {
  const ds = createDataset({
    name: 'tags',
    input: 'tokens',
    vocabSize: 10,
    target: 'tags',
    items: [
      { x: Int32Array.of(2, 3, 4), steps: 3, tags: Int32Array.of(1, 0, 1) },
      { x: Int32Array.of(5), steps: 1, tags: Int32Array.of(2) },
    ],
  });
  const [b] = makeBatches(ds, { batchSize: 2 });
  assert.deepEqual([...b!.x], [2, 3, 4, 5, 0, 0]);
  assert.deepEqual([...b!.tags!], [1, 0, 1, 2, TAG_PAD, TAG_PAD]);
  assert.equal(b!.labels, undefined);
});

test('shuffled, bucketed batching keeps every item exactly once and reduces padding', () => {
  const rng = new Rng(5);
  const lengths = Array.from({ length: 101 }, () => 1 + rng.int(40));
  const ds = numericDs(lengths, 1);
  const pad = (bs: ReturnType<typeof makeBatches>) =>
    bs.reduce((s, b) => s + b.size * b.steps - b.lengths.reduce((a, l) => a + l, 0), 0);
  const plain = makeBatches(ds, { batchSize: 8, shuffle: true, rng: new Rng(1) });
  const bucketed = makeBatches(ds, {
    batchSize: 8,
    shuffle: true,
    rng: new Rng(1),
    bucketByLength: true,
  });
  for (const bs of [plain, bucketed]) {
    const seen = bs.flatMap((b) => [...b.indices]).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: 101 }, (_, i) => i),
    );
    for (const b of bs) b.indices.forEach((i, k) => assert.equal(b.lengths[k], lengths[i]));
  }
  assert.ok(
    pad(bucketed) * 4 < pad(plain),
    `bucketed padding ${pad(bucketed)} vs plain ${pad(plain)}`,
  );
  // deterministic for a seed; different order for another seed
  const again = makeBatches(ds, {
    batchSize: 8,
    shuffle: true,
    rng: new Rng(1),
    bucketByLength: true,
  });
  assert.deepEqual(
    again.map((b) => [...b.indices]),
    bucketed.map((b) => [...b.indices]),
  );
  const other = makeBatches(ds, {
    batchSize: 8,
    shuffle: true,
    rng: new Rng(2),
    bucketByLength: true,
  });
  assert.notDeepEqual(
    other.map((b) => [...b.indices]),
    bucketed.map((b) => [...b.indices]),
  );
  assert.equal(makeBatches(ds, { batchSize: 8, dropLast: true }).length, 12);
});

test('batching errors', () => {
  const ds = numericDs([1, 2]);
  assert.throws(() => makeBatches(ds, { batchSize: 0 }), ArgumentError);
  assert.throws(() => makeBatches(ds, { batchSize: 2, shuffle: true }), /rng/);
});

test('dataset validation: wrong sizes, NaN, labels out of range are named', () => {
  const base = {
    name: 'bad',
    input: 'numeric' as const,
    features: 2,
    target: 'class' as const,
    classNames: ['a', 'b'],
  };
  assert.throws(
    () => createDataset({ ...base, items: [{ x: new Float32Array(3), steps: 2, label: 0 }] }),
    /item 0.*'x' expected 4 values/,
  );
  assert.throws(
    () => createDataset({ ...base, items: [{ x: Float32Array.of(1, NaN), steps: 1, label: 0 }] }),
    /finite numbers, received NaN at step 0, feature 1/,
  );
  assert.throws(
    () => createDataset({ ...base, items: [{ x: new Float32Array(2), steps: 1, label: 2 }] }),
    /class index in \[0, 2\)/,
  );
  assert.throws(
    () =>
      createDataset({
        name: 't',
        input: 'tokens',
        vocabSize: 4,
        target: 'none',
        items: [{ x: Int32Array.of(5), steps: 1 }],
      }),
    /token ids in \[0, 4\)/,
  );
  const tagged = (tags: Int32Array, classNames?: string[]) =>
    createDataset({
      name: 'lm',
      input: 'tokens',
      vocabSize: 4,
      target: 'tags',
      ...(classNames ? { classNames } : {}),
      items: [{ x: Int32Array.of(2, 3), steps: 2, tags }],
    });
  assert.throws(
    () => tagged(Int32Array.of(2, 4)),
    /per-step classes in \[0, 4\), received 4 at step 1/,
  );
  assert.throws(
    () => tagged(Int32Array.of(2, 1), ['o', 'b']),
    /per-step classes in \[0, 2\), received 2 at step 0/,
  );
  assert.throws(() => tagged(Int32Array.of(1)), /an Int32Array of 2 per-step classes/);
  assert.equal(tagged(Int32Array.of(3, 0)).items.length, 1);
});

test('random split: seeded, disjoint, complete; stratified keeps class proportions', () => {
  const ds = numericDs(Array.from({ length: 90 }, () => 2));
  const s = splitDataset(ds, { validation: 0.2, test: 0.1, seed: 3, stratify: true });
  assert.deepEqual(
    [s.train.items.length, s.validation.items.length, s.test.items.length],
    [63, 18, 9],
  );
  assert.deepEqual(classCounts(s.test), [3, 3, 3]);
  assert.deepEqual(classCounts(s.validation), [6, 6, 6]);
  const all = [...s.train.items, ...s.validation.items, ...s.test.items]
    .map((it) => it.meta!.take as number)
    .sort((a, b) => a - b);
  assert.deepEqual(
    all,
    Array.from({ length: 90 }, (_, i) => i),
  );
  const again = splitDataset(ds, { validation: 0.2, test: 0.1, seed: 3, stratify: true });
  assert.deepEqual(
    again.test.items.map((it) => it.meta!.take),
    s.test.items.map((it) => it.meta!.take),
  );
  assert.throws(() => splitDataset(ds, { validation: 0.6, test: 0.5, seed: 1 }), /sum below 1/);
});

test('split by a rule on metadata (e.g. one speaker held out)', () => {
  const ds = numericDs(Array.from({ length: 12 }, () => 1));
  const s = splitBy(ds, (it) => (it.meta!.speaker === 's1' ? 'test' : 'train'));
  assert.equal(s.test.items.length, 3);
  assert.ok(s.test.items.every((it) => it.meta!.speaker === 's1'));
  assert.ok(s.train.items.every((it) => it.meta!.speaker !== 's1'));
});

test('z-score fitted on training items only, applied to others, stored in settings', () => {
  const mk = (vals: number[][]) =>
    createDataset({
      name: 'z',
      input: 'numeric',
      features: 2,
      target: 'none',
      items: vals.map((v) => ({ x: Float32Array.from(v), steps: v.length / 2 })),
    });
  const train = mk([
    [1, 10, 3, 10],
    [5, 40],
  ]); // feature 0: 1,3,5 -> mean 3, sd sqrt(8/3); feature 1: 10,10,40 -> mean 20
  const test = mk([[1000, 20]]);
  const z = fitZScore(train);
  assert.deepEqual(z.mean, [3, 20]);
  assert.ok(Math.abs(z.std[0]! - Math.sqrt(8 / 3)) < 1e-12);
  assert.ok(Math.abs(z.std[1]! - Math.sqrt(200)) < 1e-12);
  const t2 = applyZScore(test, z);
  assert.ok(Math.abs(t2.items[0]!.x[0]! - (1000 - 3) / Math.sqrt(8 / 3)) < 1e-3);
  assert.equal(t2.items[0]!.x[1], 0);
  assert.deepEqual(t2.settings.normalisation, z);
  assert.equal(test.items[0]!.x[0], 1000, 'input dataset untouched');
});

test('an out-of-memory-sized batch is refused before allocating', () => {
  const huge = createDataset({
    name: 'huge',
    input: 'numeric',
    features: 1,
    target: 'none',
    items: [],
  });
  // items are only described (length fields), never allocated at that size
  huge.items.push(
    { x: new Float32Array(0), steps: 2 ** 20 } as Item,
    { x: new Float32Array(0), steps: 2 ** 20 } as Item,
  );
  const many = Array.from({ length: 300 }, () => 0);
  assert.throws(
    () => makeBatches({ ...huge, items: many.map(() => huge.items[0]!) }, { batchSize: 300 }),
    /would need 3\.146e\+8 values, more than the limit/,
  );
});

test('summary: counts, lengths and class balance by name', () => {
  const s = summarizeDataset(numericDs([3, 1, 2, 6]));
  assert.deepEqual(s.steps, { min: 1, max: 6, mean: 3, total: 12 });
  assert.deepEqual(s.classes, { a: 2, b: 1, c: 1 });
  assert.equal(s.items, 4);
});
