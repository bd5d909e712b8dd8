/** Layer and model behaviour: configs, seeds, initialisers, dropout, traces, goBackwards, step gradients, prediction. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend } from '../../src/core/backends.js';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/core/tensor.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { DenseLayer } from '../../src/nn/dense.js';
import { layerFromConfig } from '../../src/nn/from-config.js';
import { glorotUniform, orthogonal } from '../../src/nn/init.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { assertClose, randomGrad, randomSeq, randomTokens } from './helpers.js';

const be = getBackend('ts64');
const big: ModelConfig = {
  input: { kind: 'tokens', vocabSize: 9 },
  layers: [
    { kind: 'embedding', vocabSize: 9, dim: 3 },
    {
      kind: 'bidirectional',
      merge: 'sum',
      layer: { kind: 'gru', units: 3, resetAfter: false, returnSequences: true },
    },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'simple_rnn', units: 2, activation: 'relu', returnSequences: true, goBackwards: true },
    { kind: 'head', pool: 'max' },
    { kind: 'dense', units: 2, activation: 'tanh' },
  ],
  init: 'torch',
};

describe('configs and seeds', () => {
  it('model config round-trips and the copy computes the same function', () => {
    const m = new SequenceModel(big, { backend: be, seed: 3 });
    const cfg = m.config();
    const copy = SequenceModel.fromConfig(JSON.parse(JSON.stringify(cfg)) as ModelConfig, {
      backend: be,
      seed: 3,
    });
    assert.deepEqual(copy.config(), cfg);
    const x = randomTokens(new Rng(1), 9, 2, 5, [5, 2]);
    assert.deepEqual(
      copy.predict(x).data,
      m.predict(x).data,
      'same seed, same weights, same outputs',
    );
    for (const l of m.layers)
      assert.deepEqual(
        layerFromConfig(l.config()).config(),
        l.config(),
        `${l.kind} config round trip`,
      );
  });

  it('recurrentActivation round-trips through configs, reaches the cell, and only lstm/gru take it', () => {
    for (const ra of ['hard_sigmoid', 'hard_sigmoid_keras3', 'sigmoid'] as const) {
      const cfg: ModelConfig = {
        input: { kind: 'numeric', features: 2 },
        layers: [
          { kind: 'lstm', units: 3, recurrentActivation: ra, returnSequences: true },
          { kind: 'bidirectional', layer: { kind: 'gru', units: 2, recurrentActivation: ra } },
        ],
      };
      const m = new SequenceModel(cfg, { backend: be, seed: 1 });
      const back = JSON.parse(JSON.stringify(m.config())) as ModelConfig;
      assert.equal((back.layers[0] as { recurrentActivation?: string }).recurrentActivation, ra);
      assert.equal(
        (back.layers[1] as { layer: { recurrentActivation?: string } }).layer.recurrentActivation,
        ra,
      );
      assert.deepEqual(SequenceModel.fromConfig(back, { backend: be }).config(), m.config());
      const cell = (m.layers[0] as unknown as { cell: { recurrentActivation?: string } }).cell;
      assert.equal(cell.recurrentActivation ?? 'sigmoid', ra);
    }
    assert.throws(
      () =>
        layerFromConfig({
          kind: 'simple_rnn',
          units: 2,
          inputSize: 3,
          recurrentActivation: 'hard_sigmoid',
        }),
      /recurrentActivation/,
    );
    assert.throws(
      () =>
        layerFromConfig({
          kind: 'lstm',
          units: 2,
          inputSize: 3,
          recurrentActivation: 'relu',
        } as never),
      /recurrentActivation/,
    );
  });

  it('the same seed gives bit-identical weights, another seed different ones', () => {
    const a = new SequenceModel(big, { backend: be, seed: 8 }).parameters();
    const b = new SequenceModel(big, { backend: be, seed: 8 }).parameters();
    const c = new SequenceModel(big, { backend: be, seed: 9 }).parameters();
    a.forEach((p, i) => assert.deepEqual(p.value, b[i]!.value));
    assert.notDeepEqual(a[0]!.value, c[0]!.value);
  });

  it('float32 and float64 backends hold the same model', () => {
    const m = new SequenceModel(big, { backend: 'ts', seed: 3 });
    assert.ok(m.parameters()[0]!.value instanceof Float32Array);
    const m64 = m.to('ts64');
    assert.ok(m64.parameters()[0]!.value instanceof Float64Array);
    const x = randomTokens(new Rng(2), 9, 3, 4, [4, 1, 3]);
    assertClose(m.predict(x).data, m64.predict(x).data, 1e-5, 'float32 vs float64');
    // Numeric input in the other float type is converted to the backend's.
    const num = new SequenceModel(
      {
        input: { kind: 'numeric', features: 2 },
        layers: [
          { kind: 'dense', units: 2, activation: 'tanh' },
          { kind: 'gru', units: 2 },
        ],
      },
      { backend: 'ts64', seed: 1 },
    );
    const x32 = randomSeq(new Rng(3), 'float32', 2, 3, 2, [3, 2]);
    const x64 = { ...x32, data: Float64Array.from(x32.data) };
    const out = num.predict(x32);
    assert.ok(out.data instanceof Float64Array);
    assert.deepEqual(out.data, num.predict(x64).data);
  });
});

describe('initialisers', () => {
  it('orthogonal rows (wide) and columns (tall) are orthonormal', () => {
    for (const [rows, cols] of [
      [3, 12],
      [5, 5],
      [7, 3],
    ] as const) {
      const q = orthogonal(new Float64Array(rows * cols), new Rng(rows), rows, cols);
      const wide = rows <= cols;
      const n = wide ? rows : cols;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let k = 0; k < (wide ? cols : rows); k++)
            dot += wide ? q[i * cols + k]! * q[j * cols + k]! : q[k * cols + i]! * q[k * cols + j]!;
          assert.ok(
            Math.abs(dot - (i === j ? 1 : 0)) < 1e-12,
            `[${rows}, ${cols}] dot ${i},${j} = ${dot}`,
          );
        }
      }
    }
  });

  it('Keras defaults: glorot bound, orthogonal recurrent kernel, zero bias with unit forget bias', () => {
    const l = layerFromConfig(
      { kind: 'lstm', units: 4, inputSize: 6 },
      { dtype: 'float64', rng: 5 },
    );
    const [W, U, bx, bh] = l.parameters();
    const limit = Math.sqrt(6 / (6 + 16));
    assert.ok(W!.value.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...W!.value.map(Math.abs)) > 0.8 * limit, 'uses the range');
    let dot = 0;
    for (let k = 0; k < 16; k++) dot += U!.value[k]! * U!.value[k]!;
    assert.ok(Math.abs(dot - 1) < 1e-12, 'unit-norm rows');
    assert.deepEqual(Array.from(bx!.value), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.ok(bh!.value.every((v) => v === 0));
    const g = glorotUniform(new Float64Array(1000), new Rng(1), 10, 30);
    let sq = 0;
    for (const v of g) sq += v * v;
    assert.ok(Math.abs(sq / 1000 - 2 / 40) < 0.01, 'variance 2/(fan_in + fan_out)');
  });

  it('PyTorch defaults: recurrent U(±1/√H), Linear U(±1/√fan_in)', () => {
    const l = layerFromConfig(
      { kind: 'gru', units: 4, inputSize: 3 },
      { dtype: 'float64', rng: 5, init: 'torch' },
    );
    for (const p of l.parameters()) {
      assert.ok(p.value.every((v) => Math.abs(v) <= 0.5));
      assert.ok(Math.max(...p.value.map(Math.abs)) > 0.3, `${p.name} uses the range`);
    }
    const d = layerFromConfig(
      { kind: 'dense', units: 50, inputSize: 16 },
      { dtype: 'float64', rng: 5, init: 'torch' },
    ) as DenseLayer;
    assert.ok(
      d.kernel.value.every((v) => Math.abs(v) <= 0.25) &&
        d.bias.value.every((v) => Math.abs(v) <= 0.25),
    );
    assert.ok(d.bias.value.some((v) => v !== 0));
  });
});

describe('dropout', () => {
  const drop = layerFromConfig({ kind: 'dropout', rate: 0.25 }, { inputFeatures: 4 });
  const x = new Tensor([500, 4], new Float64Array(2000).fill(2));
  it('training: about rate of the values are zeroed, the rest scaled by 1/(1 − rate); seeded', () => {
    const r = drop.forward(x, { backend: be, training: true, trace: false, rng: new Rng(4) });
    const zeros = r.output.data.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / 2000 - 0.25) < 0.04, `dropped fraction ${zeros / 2000}`);
    assert.ok(r.output.data.every((v) => v === 0 || Math.abs(v - 2 / 0.75) < 1e-12));
    const again = drop.forward(x, { backend: be, training: true, trace: false, rng: new Rng(4) });
    assert.deepEqual(again.output.data, r.output.data);
    const g = drop.backward(new Tensor([500, 4], new Float64Array(2000).fill(1)), r.saved, {
      backend: be,
      wantInputGrad: true,
      paramGrads: true,
    });
    g.gradInput!.data.forEach((v, i) => assert.equal(v, r.output.data[i]! / 2));
  });
  it('inference is the identity', () => {
    const r = drop.forward(x, { backend: be, training: false, trace: false });
    assert.equal(r.output, x);
  });
});

describe('traces, goBackwards and step gradients', () => {
  const lengths = [5, 3, 1];
  const x = randomSeq(new Rng(6), 'float64', 3, 5, 2, lengths);

  it('trace shapes and consistency with outputs and gate equations (LSTM)', () => {
    const m = new SequenceModel(
      { input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'lstm', units: 3 }] },
      { backend: be, seed: 1 },
    );
    const { output, trace } = m.forward(x, { trace: true });
    const t = trace![0]!;
    assert.equal(t.h.length, 3 * 5 * 3);
    assert.equal(t.gates.length, 3 * 5 * 12);
    assert.equal(t.c!.length, 3 * 5 * 3);
    for (let b = 0; b < 3; b++) {
      const last = lengths[b]! - 1;
      for (let j = 0; j < 3; j++) {
        assert.ok(
          Math.abs(t.h[(b * 5 + last) * 3 + j]! - output.data[b * 3 + j]!) < 1e-14,
          'h at the last valid step = final state',
        );
        // h = o ⊙ tanh(c), and activation = σ(pre-activation) for i, f, o.
        const g = (k: number) => t.gates[(b * 5 + last) * 12 + k * 3 + j]!;
        assert.ok(
          Math.abs(t.h[(b * 5 + last) * 3 + j]! - g(3) * Math.tanh(t.c![(b * 5 + last) * 3 + j]!)) <
            1e-12,
        );
        for (const k of [0, 1, 3])
          assert.ok(
            Math.abs(g(k) - 1 / (1 + Math.exp(-t.preact![(b * 5 + last) * 12 + k * 3 + j]!))) <
              1e-12,
          );
      }
    }
  });

  it('goBackwards = the forward layer on each sequence reversed within its length; output in Keras order', () => {
    const cfg = (goBackwards: boolean): ModelConfig => ({
      input: { kind: 'numeric', features: 2 },
      layers: [{ kind: 'gru', units: 3, goBackwards, returnSequences: true }],
    });
    const bwd = new SequenceModel(cfg(true), { backend: be, seed: 2 });
    const fwd = new SequenceModel(cfg(false), { backend: be, seed: 2 });
    const rev = { ...x, data: x.data.slice() };
    for (let b = 0; b < 3; b++)
      for (let t = 0; t < lengths[b]!; t++)
        rev.data.set(
          x.data.subarray((b * 5 + lengths[b]! - 1 - t) * 2, (b * 5 + lengths[b]! - t) * 2),
          (b * 5 + t) * 2,
        );
    assert.deepEqual(bwd.predict(x).data, fwd.predict(rev).data);
    // The trace is indexed by input position: the backward state at position 0 is the final state.
    const { trace } = bwd.forward(x, { trace: true });
    const out = (bwd.predict(x) as SeqBatch).data;
    for (let b = 0; b < 3; b++)
      for (let j = 0; j < 3; j++)
        assert.equal(trace![0]!.h[b * 5 * 3 + j], out[(b * 5 + lengths[b]! - 1) * 3 + j]);
  });

  it('step gradients: at the last valid step they equal the head gradient G·Kᵀ', () => {
    const m = new SequenceModel(
      {
        input: { kind: 'numeric', features: 2 },
        layers: [
          { kind: 'lstm', units: 3, returnSequences: true },
          { kind: 'head', pool: 'last' },
          { kind: 'dense', units: 2 },
        ],
      },
      { backend: be, seed: 3 },
    );
    const { output } = m.forward(x);
    const G = randomGrad(new Rng(1), output);
    const res = m.backward(G, { wantStepGrads: true });
    const K = (m.layers[2] as DenseLayer).kernel.value; // [3, 2]
    const sg = res.stepGrads[0]!;
    assert.equal(sg.layer, 'lstm');
    for (let b = 0; b < 3; b++) {
      for (let j = 0; j < 3; j++) {
        const expected = G.data[b * 2]! * K[j * 2]! + G.data[b * 2 + 1]! * K[j * 2 + 1]!;
        assert.ok(Math.abs(sg.data[(b * 5 + lengths[b]! - 1) * 3 + j]! - expected) < 1e-12);
      }
    }
  });

  it('predict in chunks equals one forward pass', () => {
    const m = new SequenceModel(big, { backend: be, seed: 4 });
    const ids = randomTokens(new Rng(9), 9, 5, 4, [4, 1, 2, 4, 3]);
    const whole = m.forward(ids).output;
    const chunked = m.predict(ids, { batchSize: 2 });
    assert.deepEqual(chunked.data, whole.data);
    assert.ok(chunked instanceof Tensor && chunked.shape[0] === 5);
  });
});

describe('inference passes (outputsOnly)', () => {
  it('recurrent and bidirectional layers give the same outputs with outputsOnly, then refuse backward', () => {
    const wasm = getBackend('wasm');
    for (const backend of [be, wasm]) {
      for (const cfg of [
        { kind: 'lstm', units: 5, inputSize: 3, returnSequences: true },
        { kind: 'gru', units: 4, inputSize: 3 },
        {
          kind: 'bidirectional',
          merge: 'concat',
          layer: { kind: 'lstm', units: 3, inputSize: 3, returnSequences: true },
        },
      ] as const) {
        const layer = layerFromConfig(cfg, { dtype: backend.dtype, rng: 2 });
        const x = randomSeq(new Rng(8), backend.dtype, 3, 6, 3, [6, 2, 4]);
        const base = { backend, training: false, trace: false };
        const full = layer.forward(x, base);
        const lean = layer.forward(x, { ...base, outputsOnly: true } as typeof base);
        assert.deepEqual(Array.from(lean.output.data), Array.from(full.output.data), cfg.kind);
        const ones = lean.output.data.map(() => 1);
        const g =
          lean.output instanceof Tensor
            ? new Tensor(lean.output.shape, ones)
            : { ...lean.output, data: ones };
        assert.throws(
          () => layer.backward(g, lean.saved, { backend, wantInputGrad: true, paramGrads: true }),
          /outputs-only/,
          cfg.kind,
        );
      }
    }
  });
});
