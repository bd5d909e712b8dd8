import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTraces } from '../../src/explain/internals/collect.js';
import { TraceStore, writeTraceStore } from '../../src/explain/internals/trace-store.js';
import { bracketDataset } from '../../src/data/synthetic/brackets.js';
import { createDataset } from '../../src/data/dataset.js';
import { SequenceModel } from '../../src/nn/model.js';
import { bracketModel } from './helpers.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'rnnlens-traces-'));
}

test('traces keep only real steps and equal the model trace of each sequence alone', () => {
  // variable lengths: padding must not leak into the stored rows
  const base = bracketDataset({ n: 7, seed: 2, length: 12 });
  const data = createDataset({
    ...base,
    items: base.items.map((it, i) => ({
      ...it,
      x: it.x.slice(0, 5 + i),
      steps: 5 + i,
      tags: it.tags!.slice(0, 5 + i),
      truth: undefined,
    })),
  });
  const model = bracketModel(4, 5);
  const ts = collectTraces(model, data, { batchSize: 3, fields: ['h', 'c', 'gates', 'preact'] });
  assert.equal(ts.totalSteps, 5 + 6 + 7 + 8 + 9 + 10 + 11);
  for (const s of [0, 4, 6]) {
    const it = data.items[s]!;
    const { trace } = model.forward(
      { ids: it.x as Int32Array, batch: 1, steps: it.steps, lengths: new Int32Array([it.steps]) },
      { trace: true },
    );
    const rows = ts.values[0]!.gates!;
    const a = ts.offsets[s]!;
    assert.deepEqual(
      Array.from(rows.data.subarray(a * 20, (a + it.steps) * 20)),
      Array.from(trace![0]!.gates),
    );
    assert.deepEqual(
      Array.from(ts.values[0]!.c!.data.subarray(a * 5, (a + it.steps) * 5)),
      Array.from(trace![0]!.c!),
    );
  }
});

test('the store reads back by sequence, step range, layer and unit, chunk by chunk', () => {
  const dir = tmp();
  try {
    const data = bracketDataset({ n: 23, seed: 3, length: 9 });
    const model = new SequenceModel({
      input: { kind: 'tokens', vocabSize: 9 },
      layers: [
        { kind: 'embedding', vocabSize: 9, dim: 4 },
        { kind: 'bidirectional', layer: { kind: 'gru', units: 3, returnSequences: true } },
        { kind: 'lstm', units: 4, returnSequences: true },
        { kind: 'dense', units: 5 },
      ],
    });
    const m = writeTraceStore(model, data, dir, { chunkSequences: 5, batchSize: 4 });
    assert.equal(m.chunks.length, 5);
    assert.deepEqual(
      m.layers.map((l) => l.key),
      ['bidirectional/forward', 'bidirectional/backward', 'lstm/forward'],
    );
    const bin = readdirSync(dir).filter((f) => f.endsWith('.bin'));
    const bytes = bin.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    // h + gates for two GRU directions (3 + 9 each), h + c + gates for the LSTM (4 + 4 + 16)
    assert.equal(bytes, 23 * 9 * 4 * (2 * (3 + 9) + 24));
    const all = collectTraces(model, data);
    const store = TraceStore.open(dir);
    assert.equal(store.totalSteps, 23 * 9);
    const r = store.read({
      layer: 'lstm/forward',
      field: 'c',
      sequence: 17,
      start: 2,
      end: 7,
      units: [3, 1],
    });
    assert.equal(r.steps, 5);
    const c = all.values[2]!.c!;
    for (let t = 0; t < 5; t++) {
      assert.equal(r.data[t * 2], c.data[(17 * 9 + 2 + t) * 4 + 3]);
      assert.equal(r.data[t * 2 + 1], c.data[(17 * 9 + 2 + t) * 4 + 1]);
    }
    const g = store.read({ layer: 'bidirectional/backward', field: 'gates', sequence: 22 });
    assert.deepEqual(
      Array.from(g.data),
      Array.from(all.values[1]!.gates!.data.subarray(22 * 81, 23 * 81)),
    );
    const back = store.toTraceSet(['h'], [4, 5, 6]);
    assert.deepEqual(
      Array.from(back.values[0]!.h!.data),
      Array.from(all.values[0]!.h!.data.subarray(4 * 27, 7 * 27)),
    );
    assert.throws(
      () => store.read({ layer: 'lstm', field: 'c', sequence: 1, start: 5, end: 12 }),
      /start\/end' expected a step range 0 <= start < end <= 9/,
    );
    assert.throws(
      () => store.read({ layer: 'bidirectional/forward', field: 'c', sequence: 1 }),
      /field' expected one of the stored fields of bidirectional\/forward \(h, gates\)/,
    );
    assert.throws(
      () => store.read({ layer: 'gru', field: 'h', sequence: 1 }),
      /layer' expected one of bidirectional\/forward/,
    );
    const small = TraceStore.open(dir, { maxBytes: 200 });
    assert.throws(
      () => small.read({ layer: 'lstm/forward', field: 'gates', sequence: 0 }),
      /needs 0\.0 MiB, more than the memory budget of 0\.0 MiB/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a request larger than the memory budget is refused before allocating', () => {
  const data = bracketDataset({ n: 50, seed: 1, length: 40 });
  const model = bracketModel(1, 64);
  assert.throws(
    () => collectTraces(model, data, { maxBytes: 1024 * 1024 }),
    /collectTraces: tracing 50 sequences \(2000 steps\) needs 2\.9 MiB, more than the memory budget of 1\.0 MiB/,
  );
});

test('hundreds of thousands of steps fit: 200 000 steps of a 16-unit LSTM in 48 MiB on disk', () => {
  const dir = tmp();
  try {
    const data = bracketDataset({ n: 500, seed: 4, length: 400 });
    const model = bracketModel(2, 16);
    const m = writeTraceStore(model, data, dir, {
      chunkSequences: 100,
      batchSize: 100,
      fields: ['h', 'c', 'gates'],
      maxBytes: 64 * 2 ** 20,
    });
    assert.equal(
      m.lengths.reduce((a, b) => a + b, 0),
      200000,
    );
    const store = TraceStore.open(dir, { maxBytes: 2 ** 20 });
    const r = store.read({ layer: 'lstm', field: 'h', sequence: 499, start: 390, end: 400 });
    assert.equal(r.data.length, 160);
    assert.throws(() => store.readMatrix('lstm', 'gates'), /more than the memory budget/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
