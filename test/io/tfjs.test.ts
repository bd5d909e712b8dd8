/**
 * TF.js Layers format against @tensorflow/tfjs itself: models built and saved by tfjs load in
 * rnnlens and predict the same (relative 1e-5); models saved by rnnlens load in
 * tf.loadLayersModel and predict the same. Unsupported configs fail with the reason.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnlensError } from '../../src/core/errors.js';
import { Tensor } from '../../src/core/tensor.js';
import { loadTfjs, maskLengths } from '../../src/io/tfjs/load.js';
import { writeTfjs } from '../../src/io/tfjs/write.js';
import type { ModelConfig } from '../../src/nn/config.js';
import type { Flow } from '../../src/nn/layer.js';
import { SequenceModel, type ModelInput } from '../../src/nn/model.js';
import { assertClose, tempDir } from './helpers.js';
import { fileHandler, inputs, saveToFolder, tfReady } from './tfjs-util.js';
import type * as TF from '@tensorflow/tfjs';

const [B, T, F] = [3, 6, 4];

function flowData(y: Flow): Float32Array | Float64Array {
  return y instanceof Tensor ? y.data : y.data;
}

function softmaxRows(x: ArrayLike<number>, width: number): Float64Array {
  const out = Float64Array.from(x);
  for (let r = 0; r < out.length / width; r++) {
    const row = out.subarray(r * width, (r + 1) * width);
    const m = Math.max(...row);
    let s = 0;
    for (let j = 0; j < width; j++) s += row[j] = Math.exp(row[j]! - m);
    for (let j = 0; j < width; j++) row[j] = row[j]! / s;
  }
  return out;
}

/** Saves the tfjs model, loads it in rnnlens, compares predictions on numeric or token input. */
async function roundTrip(tf: typeof TF, model: TF.LayersModel, tokens?: number): Promise<void> {
  const dir = tempDir('tfjs');
  const path = await saveToFolder(model, dir);
  const imp = loadTfjs(path, { backend: 'ts' });
  let x: ModelInput;
  let ref: Float32Array;
  if (tokens) {
    const ids = Int32Array.from(inputs(B * T, 5), (v) => 1 + Math.floor(((v + 1) / 2) * (tokens - 1)));
    x = { ids, batch: B, steps: T, lengths: new Int32Array(B).fill(T) };
    ref = (model.predict(tf.tensor2d(Array.from(ids), [B, T])) as TF.Tensor).dataSync() as Float32Array;
  } else {
    const data = inputs(B * T * F, 9);
    x = { data, batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
    ref = (model.predict(tf.tensor3d(data, [B, T, F])) as TF.Tensor).dataSync() as Float32Array;
  }
  const y = imp.model.predict(x);
  const ours = imp.softmax ? softmaxRows(flowData(y), y instanceof Tensor ? y.shape[1]! : y.features) : flowData(y);
  assertClose(ours, ref, 1e-5, 'rnnlens vs tfjs');
}

describe('TF.js models load in rnnlens and predict the same', () => {
  it('Sequential LSTM → Dense softmax', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    m.add(tf.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', inputShape: [null, F] as unknown as number[] }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    await roundTrip(tf, m);
  });

  it('GRU (reset_after false) go_backwards, return_sequences → GlobalAveragePooling1D → Dense relu → Dense', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    m.add(tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', goBackwards: true, returnSequences: true, inputShape: [null, F] as unknown as number[] }));
    m.add(tf.layers.globalAveragePooling1d({}));
    m.add(tf.layers.dense({ units: 3, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 2 }));
    await roundTrip(tf, m);
  });

  for (const merge of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`Bidirectional SimpleRNN (relu), merge ${merge} → TimeDistributed(Dense) → GlobalMaxPooling1D`, async () => {
      const tf = await tfReady();
      const m = tf.sequential();
      m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, activation: 'relu', returnSequences: true }) as unknown as TF.layers.RNN, mergeMode: merge, inputShape: [null, F] as unknown as number[] }));
      m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'tanh' }) }));
      m.add(tf.layers.globalMaxPooling1d({}));
      await roundTrip(tf, m);
    });
  }

  it('Embedding → Bidirectional LSTM → Dropout → Dense sigmoid', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 9, outputDim: 3, inputShape: [null] as unknown as number[] }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }) as unknown as TF.layers.RNN }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.dense({ units: 2, activation: 'sigmoid' }));
    await roundTrip(tf, m, 9);
  });

  it('functional chain: Input → GRU → Dense → Activation(tanh) → Dense', async () => {
    const tf = await tfReady();
    const input = tf.input({ shape: [null, F] as unknown as number[] });
    let h = tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid' }).apply(input) as TF.SymbolicTensor;
    h = tf.layers.dense({ units: 3 }).apply(h) as TF.SymbolicTensor;
    h = tf.layers.activation({ activation: 'tanh' }).apply(h) as TF.SymbolicTensor;
    const out = tf.layers.dense({ units: 2 }).apply(h) as TF.SymbolicTensor;
    await roundTrip(tf, tf.model({ inputs: input, outputs: out }));
  });

  it('Embedding mask_zero and Masking: right-padded batches give the same predictions with mask lengths', async () => {
    const tf = await tfReady();
    // token model: trailing zeros are padding
    const m1 = tf.sequential();
    m1.add(tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputShape: [null] as unknown as number[] }));
    m1.add(tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }));
    const ids = Int32Array.from([3, 1, 4, 1, 5, 6, 2, 2, 0, 0, 0, 0, 6, 5, 4, 0, 0, 0]);
    const imp1 = loadTfjs(await saveToFolder(m1, tempDir('mask')), { backend: 'ts' });
    assert.equal(imp1.maskZero, true);
    const lengths1 = maskLengths(imp1, { batch: B, steps: T, ids });
    assert.deepEqual(Array.from(lengths1), [6, 2, 3]);
    const ref1 = (m1.predict(tf.tensor2d(Array.from(ids), [B, T])) as TF.Tensor).dataSync();
    assertClose(flowData(imp1.model.predict({ ids, batch: B, steps: T, lengths: lengths1 })), ref1, 1e-5, 'mask_zero');
    // numeric model: Masking(0) then a GRU (reset-before, TF.js's only GRU)
    const m2 = tf.sequential();
    m2.add(tf.layers.masking({ maskValue: 0, inputShape: [null, F] as unknown as number[] }));
    m2.add(tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid' }));
    m2.add(tf.layers.dense({ units: 2 }));
    const data = inputs(B * T * F, 12);
    data.fill(0, (0 * T + 4) * F, T * F); // sequence 0: 4 real steps
    data.fill(0, (2 * T + 1) * F, 3 * T * F); // sequence 2: 1 real step
    const imp2 = loadTfjs(await saveToFolder(m2, tempDir('mask')), { backend: 'ts' });
    const lengths2 = maskLengths(imp2, { batch: B, steps: T, data, features: F });
    assert.deepEqual(Array.from(lengths2), [4, 6, 1]);
    const ref2 = (m2.predict(tf.tensor3d(data, [B, T, F])) as TF.Tensor).dataSync();
    assertClose(flowData(imp2.model.predict({ data, batch: B, steps: T, features: F, lengths: lengths2 })), ref2, 1e-5, 'Masking');
  });

  it('accepts the Keras-converter model_config wrapper', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    m.add(tf.layers.simpleRNN({ units: 3, inputShape: [null, F] as unknown as number[] }));
    const dir = tempDir('tfjs');
    const path = await saveToFolder(m, dir);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.modelTopology = { model_config: json.modelTopology, training_config: {} };
    writeFileSync(path, JSON.stringify(json));
    const data = inputs(B * T * F, 3);
    const imp = loadTfjs(dir, { backend: 'ts' });
    const ours = flowData(imp.model.predict({ data, batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) }));
    const ref = (m.predict(tf.tensor3d(data, [B, T, F])) as TF.Tensor).dataSync();
    assertClose(ours, ref, 1e-5, 'model_config wrapper');
  });

  it('hard-sigmoid LSTM (TF.js default) and GRU, gates pushed into saturation: rnnlens predicts the same on both backends', async () => {
    const tf = await tfReady();
    const cases: Array<[string, TF.layers.Layer]> = [
      ['LSTM', tf.layers.lstm({ units: 5, returnSequences: true, inputShape: [null, F] as unknown as number[] })], // tfjs default: hard sigmoid
      ['GRU', tf.layers.gru({ units: 4, recurrentActivation: 'hardSigmoid', inputShape: [null, F] as unknown as number[] })],
    ];
    for (const [label, layer] of cases) {
      const m = tf.sequential();
      m.add(layer);
      m.add(tf.layers.dense({ units: 2 }));
      // fixed weights in [-1.5, 1.5) (tfjs's own initialisers are unseeded): many gate
      // pre-activations lie beyond the kinks at ±2.5, many inside
      layer.setWeights(layer.getWeights().map((w, k) => tf.tensor(inputs(w.size, 31 + k), w.shape).mul(1.5)));
      const path = await saveToFolder(m, tempDir('hard'));
      const json = JSON.parse(readFileSync(path, 'utf8'));
      assert.equal(json.modelTopology.config.layers[0].config.recurrent_activation, 'hard_sigmoid');
      const data = inputs(B * T * F, 21);
      const x: ModelInput = { data, batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
      const ref = (m.predict(tf.tensor3d(data, [B, T, F])) as TF.Tensor).dataSync();
      for (const backend of ['ts', 'wasm'] as const) {
        const imp = loadTfjs(path, { backend });
        const rc = imp.model.config().layers[0]!;
        assert.equal(rc.kind !== 'dense' && 'recurrentActivation' in rc ? rc.recurrentActivation : null, 'hard_sigmoid');
        assertClose(flowData(imp.model.predict(x)), ref, 1e-5, `${label} ${backend} vs tfjs`);
        if (backend === 'ts') {
          // the comparison covers both the clipped and the linear part of the gates
          const { trace } = imp.model.forward(x, { trace: true });
          const g = trace![0]!.gates;
          const H = trace![0]!.units;
          const G = trace![0]!.gateCount;
          let sat = 0;
          let lin = 0;
          g.forEach((v, i) => {
            const block = Math.floor((i % (G * H)) / H);
            if (block === 2) return; // tanh block (LSTM g, GRU n)
            if (v === 0 || v === 1) sat++;
            else lin++;
          });
          assert.ok(sat >= 5 && lin >= 5, `${label}: ${sat} saturated, ${lin} linear gate values`);
        }
      }
      // a config that omits recurrent_activation means TF.js's default, the hard sigmoid
      delete json.modelTopology.config.layers[0].config.recurrent_activation;
      writeFileSync(path, JSON.stringify(json));
      assertClose(flowData(loadTfjs(path, { backend: 'ts' }).model.predict(x)), ref, 1e-5, `${label} without recurrent_activation`);
      // and rnnlens writes it back explicitly; tfjs loads that file and predicts the same
      const again = loadTfjs(path, { backend: 'ts' });
      const out = writeTfjs(again.model, join(tempDir('hard-out'), 'm'));
      const written = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(written.modelTopology.config.layers[0].config.recurrent_activation, 'hard_sigmoid');
      const reloaded = await tf.loadLayersModel(fileHandler(out));
      assertClose((reloaded.predict(tf.tensor3d(data, [B, T, F])) as TF.Tensor).dataSync(), ref, 1e-5, `${label} rnnlens → tfjs`);
      assertClose(flowData(loadTfjs(out, { backend: 'ts' }).model.predict(x)), ref, 1e-5, `${label} rnnlens → file → rnnlens`);
    }
  });

  it('a Keras 3 file maps hard_sigmoid to clip(x/6 + 0.5, 0, 1), which has no TF.js form on export', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    const lstm = tf.layers.lstm({ units: 3, recurrentActivation: 'hardSigmoid', inputShape: [null, F] as unknown as number[] });
    m.add(lstm);
    lstm.setWeights(lstm.getWeights().map((w, k) => tf.tensor(inputs(w.size, 41 + k), w.shape).mul(1.5)));
    const path = await saveToFolder(m, tempDir('k3'));
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.modelTopology.keras_version = '3.6.0';
    writeFileSync(path, JSON.stringify(json));
    const imp = loadTfjs(path, { backend: 'ts' });
    const rc = imp.model.config().layers[0]!;
    assert.equal(rc.kind === 'lstm' ? rc.recurrentActivation : null, 'hard_sigmoid_keras3');
    // the same weights with the Keras 2 definition predict differently (the definitions differ)
    const x = numericInput(8);
    const k2 = (m.predict(tf.tensor3d((x as { data: Float32Array }).data, [B, T, F])) as TF.Tensor).dataSync();
    const k3 = flowData(imp.model.predict(x));
    assert.ok(k3.some((v, i) => Math.abs(v - k2[i]!) > 1e-3), 'Keras 3 hard sigmoid should differ from Keras 2');
    assert.throws(() => writeTfjs(imp.model, join(tempDir('k3-out'), 'm')), (e: unknown) => e instanceof RnnlensError && /Keras 3 hard sigmoid/.test(e.message));
  });

  it('rejects other recurrent activations with the supported list', async () => {
    const tf = await tfReady();
    const m = tf.sequential();
    m.add(tf.layers.gru({ units: 2, recurrentActivation: 'tanh', inputShape: [null, F] as unknown as number[] }));
    const path = await saveToFolder(m, tempDir('tfjs'));
    assert.throws(() => loadTfjs(path), (e: unknown) => e instanceof RnnlensError && /recurrent_activation 'tanh'/.test(e.message) && /hard_sigmoid/.test(e.message));
  });
});

function numericInput(seed: number): ModelInput {
  return { data: inputs(B * T * F, seed), batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
}

describe('rnnlens models load in tf.loadLayersModel and predict the same', () => {
  const cases: Array<[string, ModelConfig]> = [
    ['LSTM → last step → Dense', { input: { kind: 'numeric', features: F }, layers: [{ kind: 'lstm', units: 5, returnSequences: true }, { kind: 'head', pool: 'last' }, { kind: 'dense', units: 2 }] }],
    ['Bidirectional GRU reset-before, mean merge → mean head → Dense tanh', { input: { kind: 'numeric', features: F }, layers: [{ kind: 'bidirectional', merge: 'mean', layer: { kind: 'gru', units: 3, resetAfter: false, returnSequences: true } }, { kind: 'head', pool: 'mean' }, { kind: 'dense', units: 2, activation: 'tanh' }] }],
    ['SimpleRNN relu go_backwards → Dense on every step', { input: { kind: 'numeric', features: F }, layers: [{ kind: 'simple_rnn', units: 4, activation: 'relu', goBackwards: true, returnSequences: true }, { kind: 'dense', units: 2, activation: 'sigmoid' }] }],
    ['LSTM hard_sigmoid → last step; GRU hard_sigmoid → Dense', { input: { kind: 'numeric', features: F }, layers: [{ kind: 'lstm', units: 4, recurrentActivation: 'hard_sigmoid', returnSequences: true }, { kind: 'gru', units: 3, resetAfter: false, recurrentActivation: 'hard_sigmoid' }, { kind: 'dense', units: 2 }] }],
    ['Embedding → LSTM → max head → Dropout → Dense', { input: { kind: 'tokens', vocabSize: 8 }, layers: [{ kind: 'embedding', vocabSize: 8, dim: 3 }, { kind: 'lstm', units: 3, returnSequences: true }, { kind: 'head', pool: 'max' }, { kind: 'dropout', rate: 0.2 }, { kind: 'dense', units: 2 }] }],
  ];
  for (const [label, config] of cases) {
    it(label, async () => {
      const tf = await tfReady();
      const model = new SequenceModel(config, { backend: 'ts', seed: 3 });
      const path = writeTfjs(model, join(tempDir('out'), 'm'));
      const loaded = await tf.loadLayersModel(fileHandler(path));
      let x: ModelInput;
      let ref: Float32Array;
      if (config.input.kind === 'tokens') {
        const ids = Int32Array.from(inputs(B * T, 2), (v) => Math.floor(((v + 1) / 2) * 8));
        x = { ids, batch: B, steps: T, lengths: new Int32Array(B).fill(T) };
        ref = (loaded.predict(tf.tensor2d(Array.from(ids), [B, T])) as TF.Tensor).dataSync() as Float32Array;
      } else {
        x = numericInput(4);
        ref = (loaded.predict(tf.tensor3d((x as { data: Float32Array }).data, [B, T, F])) as TF.Tensor).dataSync() as Float32Array;
      }
      assertClose(flowData(model.predict(x)), ref, 1e-5, 'tfjs vs rnnlens');
      // and back: rnnlens reads its own files to the same predictions
      const again = loadTfjs(path, { backend: 'ts' });
      assertClose(flowData(again.model.predict(x)), flowData(model.predict(x)), 1e-6, 'rnnlens → tfjs → rnnlens');
    });
  }

  it('GRU reset_after=true (which stock tfjs cannot load) round-trips through the files', () => {
    const model = new SequenceModel({ input: { kind: 'numeric', features: F }, layers: [{ kind: 'gru', units: 4, resetAfter: true }, { kind: 'dense', units: 2 }] }, { backend: 'ts', seed: 5 });
    const path = writeTfjs(model, tempDir('gru'));
    const json = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(json.modelTopology.config.layers[0].config.reset_after, true);
    assert.deepEqual(json.weightsManifest[0].weights.find((w: { name: string }) => w.name.endsWith('/bias')).shape, [2, 12]);
    const x = numericInput(6);
    assertClose(flowData(loadTfjs(path, { backend: 'ts' }).model.predict(x)), flowData(model.predict(x)), 1e-6, 'round trip');
  });

  it('refuses a last-step head after a Bidirectional layer (no Keras form) without leaving files', () => {
    const model = new SequenceModel({ input: { kind: 'numeric', features: F }, layers: [{ kind: 'bidirectional', layer: { kind: 'lstm', units: 2, returnSequences: true } }, { kind: 'head', pool: 'last' }] });
    const out = join(tempDir('bad'), 'm');
    assert.throws(() => writeTfjs(model, out), /Bidirectional/);
    assert.throws(() => readFileSync(join(out, 'model.json')));
  });
});
