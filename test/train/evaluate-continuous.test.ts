import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charLmDataset } from '../../src/data/builtin/moby-dick.js';
import { subset } from '../../src/data/dataset.js';
import { Tokenizer } from '../../src/data/tokenizer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { evaluate } from '../../src/train/evaluate.js';
import { train } from '../../src/train/trainer.js';
import { evaluateContinuous } from '../../src/train/evaluate-continuous.js';
import { logSoftmax } from '../../src/train/losses/index.js';
import { Tensor } from '../../src/core/tensor.js';
import type { Dataset } from '../../src/data/dataset.js';

const TEXT =
  'Call me Ishmael. Some years ago - never mind how long precisely - having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.';
const tok = Tokenizer.fit('char', [TEXT], { lowercase: false });
const ids = tok.encode(TEXT);
const ds = charLmDataset(ids, tok, { length: 9 });

function model(cell: 'gru' | 'lstm' | 'rnn', layers = 1, seed = 3): SequenceModel {
  return new SequenceModel(
    buildModelConfig({ cell, hidden: 6, layers, embedding: 4 }, ds, 'language-model'),
    { backend: 'ts64', seed },
  );
}

/** Mean NLL (nats) of the windows `runs` when each run is fed as ONE long sequence from a zero state. */
function direct(m: SequenceModel, d: Dataset, runs: number[][]): { nll: number; n: number } {
  let nll = 0;
  let n = 0;
  for (const run of runs) {
    const x = Int32Array.from(run.flatMap((i) => Array.from(d.items[i]!.x as Int32Array)));
    const y = run.flatMap((i) => Array.from(d.items[i]!.tags!));
    const out = m.predict({ ids: x, batch: 1, steps: x.length, lengths: Int32Array.of(x.length) });
    const C = (out as { features: number }).features;
    const lp = logSoftmax(new Tensor([x.length, C], (out as { data: Float64Array }).data)).data;
    y.forEach((t, s) => {
      nll -= lp[s * C + t]!;
      n++;
    });
  }
  return { nll, n };
}

const chunk = (n: number, streams: number): number[][] => {
  const per = Math.ceil(n / streams);
  const out: number[][] = [];
  for (let s = 0; s * per < n; s++)
    out.push(Array.from({ length: Math.min(n, (s + 1) * per) - s * per }, (_, k) => s * per + k));
  return out;
};

test('continuous evaluation equals running each run of windows as one long sequence', () => {
  for (const [cell, layers] of [
    ['gru', 1],
    ['lstm', 2],
    ['rnn', 1],
  ] as const) {
    const m = model(cell, layers);
    for (const streams of [1, 3, 7]) {
      const r = evaluateContinuous(m, ds, { streams });
      const ref = direct(m, ds, chunk(ds.items.length, streams));
      assert.equal(r.steps, ref.n);
      assert.ok(Math.abs(r.loss - ref.nll / ref.n) < 1e-10, `${cell} ${streams}: ${r.loss} vs ${ref.nll / ref.n}`);
      assert.ok(Math.abs(r.bpc - ref.nll / ref.n / Math.LN2) < 1e-10);
      assert.equal(r.restarts, chunk(ds.items.length, streams).length);
    }
    // the float32 WebAssembly backend carries its own state type and agrees
    const f32 = evaluateContinuous(m.to('wasm'), ds, { streams: 3 });
    assert.ok(Math.abs(f32.loss - evaluateContinuous(m, ds, { streams: 3 }).loss) < 1e-4, `${cell} wasm ${f32.loss}`);
    // with one window per run it is the windowed evaluation
    const w = evaluateContinuous(m, ds, { streams: ds.items.length });
    assert.ok(Math.abs(w.bpc - evaluate(m, ds, 'language-model').metrics.bpc!) < 1e-10);
  }
});

test('continuous evaluation restarts from a zero state where the text has a gap', () => {
  const m = model('lstm');
  // drop window 5: windows 0-4 and 6.. are two separate stretches of text
  const keep = Array.from({ length: ds.items.length }, (_, i) => i).filter((i) => i !== 5);
  const gap = subset(ds, keep);
  const r = evaluateContinuous(m, gap, { streams: 1 });
  assert.equal(r.restarts, 2);
  const ref = direct(m, gap, [
    [0, 1, 2, 3, 4],
    Array.from({ length: gap.items.length - 5 }, (_, k) => 5 + k),
  ]);
  assert.ok(Math.abs(r.loss - ref.nll / ref.n) < 1e-10);
  // the windows may come in any order: they are sorted by their start in the text
  const shuffled = subset(ds, [...keep].reverse());
  assert.ok(Math.abs(evaluateContinuous(m, shuffled, { streams: 1 }).loss - r.loss) < 1e-12);
});

test('continuous evaluation: clear errors', () => {
  const m = model('gru');
  assert.throws(() => evaluateContinuous(m, ds, { streams: 0 }), /streams.*integer >= 1/);
  assert.throws(() => evaluateContinuous(m, subset(ds, []), {}), /at least one window/);
  const noStart: Dataset = { ...ds, items: ds.items.map((it) => ({ ...it, meta: {} })) };
  assert.throws(() => evaluateContinuous(m, noStart, {}), /meta\.start/);
  const bi = new SequenceModel(
    buildModelConfig({ cell: 'gru', hidden: 4, layers: 1, embedding: 3, bidirectional: true }, ds, 'language-model'),
    { backend: 'ts64' },
  );
  assert.throws(() => evaluateContinuous(bi, ds, {}), /forward-only/);
});

test('stateful training carries the state through the text: with a zero learning rate its loss is the continuous loss', async () => {
  const m = model('lstm', 1, 5);
  const before = evaluateContinuous(m, ds, { streams: 4 });
  const r = await train(m, ds, {
    task: 'language-model',
    epochs: 1,
    batchSize: 4,
    seed: 0,
    stateful: true,
    optimizer: { type: 'sgd', lr: 1e-300 },
    distributions: false,
  });
  // the trainer averages per window (all windows have the same length), the evaluation per step
  assert.ok(Math.abs(r.history[0]!.train.loss - before.loss) < 1e-9, `${r.history[0]!.train.loss} vs ${before.loss}`);
  // and it learns: a few epochs at a real learning rate lower the continuous loss, deterministically
  const fit = async (): Promise<number> => {
    const mm = model('gru', 1, 5);
    await train(mm, ds, { task: 'language-model', epochs: 5, batchSize: 4, seed: 1, stateful: true, optimizer: { type: 'adam', lr: 0.03 }, distributions: false });
    return evaluateContinuous(mm, ds, { streams: 4 }).loss;
  };
  const a = await fit();
  assert.ok(a < evaluateContinuous(model('gru', 1, 5), ds, { streams: 4 }).loss - 0.3, `loss ${a}`);
  assert.equal(a, await fit());
});

test('stateful training: clear errors for a bidirectional model and for sequence labels', async () => {
  const bi = new SequenceModel(
    buildModelConfig({ cell: 'gru', hidden: 4, layers: 1, embedding: 3, bidirectional: true }, ds, 'language-model'),
    { backend: 'ts64' },
  );
  await assert.rejects(
    train(bi, ds, { task: 'language-model', epochs: 1, batchSize: 2, seed: 0, stateful: true }),
    /forward-only/,
  );
  const labelled: Dataset = { ...ds, target: 'class', items: ds.items.map((it) => ({ ...it, label: 0, tags: undefined })), classNames: ['a'] };
  await assert.rejects(
    train(model('gru'), labelled, { task: 'classification', epochs: 1, batchSize: 2, seed: 0, stateful: true }),
    /stateful.*per-step targets/,
  );
});
