import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDataset } from '../../src/data/dataset.js';
import { explorerData, EXPLORER_CAPS } from '../../src/explain/internals/explorer.js';
import { analyseInternals } from '../../src/explain/internals/analyse.js';
import { collectTraces, matrixOf } from '../../src/explain/internals/collect.js';
import { decodeState } from '../../web/src/explorer-match.js';
import { evenOffsets, handMadeTraces, trainedBracketModel } from './helpers.js';

const bytes = (b64: string): number[] => Array.from(Buffer.from(b64, 'base64'));

test('explorer data: kept sequences stratified by class, values quantised to one byte over [lo, hi]', () => {
  // 6 sequences x 2 steps, 2 units; classes 0 0 0 0 1 1
  const h = [
    [-1, 1, 0, 0.5],
    [0.2, 0.2, 0.4, 0.4],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [1, -0.5, 0.5, 0],
    [0.9, 0.9, 0.9, 0.9],
  ].flat();
  const gates = Array.from({ length: 6 * 2 * 8 }, (_, i) => (i % 8) / 7);
  const ts = handMadeTraces(h, gates, 12, 2, evenOffsets(6, 2));
  const ds = createDataset({
    name: 'toy',
    input: 'tokens',
    vocabSize: 5,
    target: 'class',
    classNames: ['ham', 'spam'],
    items: [0, 0, 0, 0, 1, 1].map((label) => ({ x: Int32Array.from([2, 3]), steps: 2, label })),
  });
  const tokens = Array.from({ length: 6 }, (_, s) => [`a${s}`, `b${s}`]);
  // room for 3: two of class 0 and one of class 1, in proportion (4 : 2)
  const e = explorerData(ts, ds, tokens, { sequences: 3 });
  assert.equal(e.format, 'rnnlens-explorer');
  assert.equal(e.analysed, 6);
  assert.deepEqual(
    e.sequences.map((s) => [s.id, s.label, s.tokens.join(' ')]),
    [
      ['0', 'ham', 'a0 b0'],
      ['1', 'ham', 'a1 b1'],
      ['4', 'spam', 'a4 b4'],
    ],
  );
  const hf = e.layers[0]!.fields.find((f) => f.name === 'h')!;
  // over the kept sequences 0, 1 and 4: min -1, max 1
  assert.deepEqual([hf.lo, hf.hi, hf.width], [-1, 1, 2]);
  assert.deepEqual(
    e.layers[0]!.fields.map((f) => f.name),
    ['h', 'gates'],
  );
  // q = round(255 (v + 1) / 2): -1 → 0, 1 → 255, 0 → 128 (127.5 rounds up), 0.5 → 191, 0.2 → 153, 0.4 → 179, -0.5 → 64
  assert.deepEqual(bytes(e.sequences[0]!.values['lstm/forward:h']!), [0, 255, 128, 191]);
  assert.deepEqual(bytes(e.sequences[1]!.values['lstm/forward:h']!), [153, 153, 179, 179]);
  assert.deepEqual(bytes(e.sequences[2]!.values['lstm/forward:h']!), [255, 64, 191, 128]);
  // the browser's decoder reads the same values back within (hi - lo) / 510
  const back = decodeState(e.sequences[2]!.values['lstm/forward:h']!, hf.lo, hf.hi);
  [1, -0.5, 0.5, 0].forEach((v, i) => assert.ok(Math.abs(back[i]! - v) <= 2 / 510 + 1e-7, `${back[i]} vs ${v}`));

  // a byte budget too small for the gates (3 seqs x 2 steps x 10 columns = 60 > 40) drops them;
  // one too small for the hidden states of every sequence keeps the first ones
  const noGates = explorerData(ts, ds, tokens, { sequences: 3, bytes: 40 });
  assert.deepEqual(noGates.layers[0]!.fields.map((f) => f.name), ['h']);
  assert.equal(noGates.sequences.length, 3);
  const two = explorerData(ts, ds, tokens, { sequences: 3, bytes: 8 });
  assert.deepEqual(two.sequences.map((s) => s.id), ['0', '1']);
  // a step cap keeps the first steps
  const short = explorerData(ts, ds, tokens, { steps: 1 });
  assert.equal(short.sequences.length, 6);
  assert.deepEqual(short.sequences[0]!.tokens, ['a0']);
  assert.equal(short.sequences[0]!.length, 2);
  assert.deepEqual(bytes(short.sequences[0]!.values['lstm/forward:h']!).length, 2);
});

test('explorer data of an internals run: tokens and states of the traced sequences, every field of the LSTM', async () => {
  const { model, data } = await trainedBracketModel();
  const r = analyseInternals(model, data, { maxSequences: 12, permutations: 9, projections: [], seed: 0 });
  const e = r.explorer!;
  assert.deepEqual(e.caps, EXPLORER_CAPS);
  assert.equal(e.sequences.length, 12);
  assert.deepEqual(e.sequences.map((s) => Number(s.id)), r.indices);
  assert.deepEqual(e.layers.map((l) => [l.key, l.fields.map((f) => f.name)]), [['lstm/forward', ['h', 'c', 'gates']]]);
  const direct = collectTraces(model, data, { sequences: r.indices });
  for (const f of e.layers[0]!.fields) {
    const { m } = matrixOf(direct, 'lstm/forward', f.name);
    e.sequences.forEach((s, k) => {
      const got = decodeState(s.values[`lstm/forward:${f.name}`]!, f.lo, f.hi);
      const a = direct.offsets[k]! * m.cols;
      assert.equal(got.length, s.tokens.length * m.cols);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - m.data[a + i]!));
      assert.ok(worst <= (f.hi - f.lo) / 510 + 1e-6, `${f.name} seq ${s.id}: error ${worst}`);
    });
  }
  // whole sequences (30 steps, under the step cap), one character token per step
  assert.ok(e.sequences.every((s) => s.length === 30 && s.tokens.length === 30 && s.tokens.every((t) => t.length === 1)));
});

test('explorer data of a numeric model: the value of a single feature as the token, else the step index', () => {
  const ts = handMadeTraces([0, 1, 0.5, 0.25], Array.from({ length: 2 * 8 }, () => 0.5), 2, 2, evenOffsets(1, 2));
  const one = createDataset({
    name: 'wave',
    input: 'numeric',
    features: 1,
    target: 'regression',
    targetSize: 1,
    items: [{ x: Float32Array.from([0.12345, -2]), steps: 2, values: Float32Array.from([1]) }],
  });
  const e = explorerData(ts, one, null);
  assert.deepEqual(e.sequences[0]!.tokens, ['0.123', '-2']);
  assert.equal(e.sequences[0]!.label, undefined);
  const two = createDataset({
    name: 'pairs',
    input: 'numeric',
    features: 2,
    target: 'regression',
    targetSize: 1,
    items: [{ x: Float32Array.from([1, 2, 3, 4]), steps: 2, values: Float32Array.from([1]) }],
  });
  assert.deepEqual(explorerData(ts, two, null).sequences[0]!.tokens, ['t0', 't1']);
  // constant gates: a unit range [0.5, 1.5] so every value is stored as 0
  const g = explorerData(ts, one, null).layers[0]!.fields.find((f) => f.name === 'gates')!;
  assert.deepEqual([g.lo, g.hi], [0.5, 1.5]);
  assert.ok(bytes(e.sequences[0]!.values['lstm/forward:gates']!).every((q) => q === 0));
});
