import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spamAssassinRecords } from '../../src/data/builtin/spam.js';
import { charLmDataset, mobyDickSplits } from '../../src/data/builtin/moby-dick.js';
import { sensorDataset } from '../../src/data/builtin/sensor.js';
import { classCounts } from '../../src/data/dataset.js';
import { Tokenizer } from '../../src/data/tokenizer.js';
import { fitZScore } from '../../src/data/normalise.js';
import { splitDataset } from '../../src/data/split.js';

test('spam-assassin: 6,046 emails, 1,896 spam and 4,150 ham; body-only drops headers', () => {
  const recs = spamAssassinRecords({ part: 'body' });
  assert.equal(recs.length, 6046);
  assert.equal(recs.filter((r) => r.label === 'spam').length, 1896);
  assert.equal(recs.filter((r) => r.label === 'ham').length, 4150);
  assert.ok(
    recs.every((r) => !r.text.startsWith('From ')),
    'headers removed',
  );
  assert.match(recs[0]!.source, /^easy-ham-1\//);
});

test('char LM windows: tags are the inputs shifted by one', () => {
  const tok = Tokenizer.fit('char', ['abcdefg']);
  const ids = tok.encode('abcdefg');
  const ds = charLmDataset(ids, tok, { length: 3, stride: 2 });
  assert.deepEqual(
    ds.items.map((it) => tok.decode(it.x)),
    ['abc', 'cde'],
  );
  assert.deepEqual(
    ds.items.map((it) => tok.decode(it.tags!)),
    ['bcd', 'def'],
  );
});

test('moby-dick splits by whole sections with a char tokenizer from training text', () => {
  const m = mobyDickSplits({ length: 200 });
  assert.ok(
    m.train.items.length > 4000 && m.validation.items.length > 400 && m.test.items.length > 300,
  );
  assert.ok(m.tokenizer.size > 60 && m.tokenizer.size < 120);
  const it = m.validation.items[3]!;
  assert.deepEqual([...it.tags!.subarray(0, 199)], [...it.x.subarray(1)]);
  assert.equal(m.unknown.train.unknown, 0);
  assert.ok(m.unknown.validation.unknown / m.unknown.validation.tokens < 1e-3);
});

test('sensor: windows per mote with anomaly labels and per-step tags', () => {
  const ds = sensorDataset({ length: 20 });
  assert.equal(ds.items.length, 943);
  assert.deepEqual(classCounts(ds), [935, 8]);
  for (const it of ds.items) assert.equal(it.label, it.tags!.includes(1) ? 1 : 0);
  assert.deepEqual([...new Set(ds.items.map((it) => it.meta!.mote))], [1, 2, 3, 4]);
  const s = splitDataset(ds, { test: 0.25, seed: 1, stratify: true });
  assert.deepEqual(classCounts(s.test), [234, 2]);
  const z = fitZScore(s.train);
  assert.ok(z.mean[0]! > 20 && z.mean[0]! < 80, `humidity mean ${z.mean[0]}`);
});
