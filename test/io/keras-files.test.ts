/**
 * Keras files (.keras archives, Keras 2 .h5) through `loadModelAsync`: every fixture of
 * tools/make_keras_fixtures.py predicts like the float64 Keras-semantics reference (1e-5) and like
 * the TF.js conversion of the same model (and TensorFlow.js itself runs the twins it can like the
 * reference, an independent check of the reference's Keras semantics); damaged and unsupported files give one clear error
 * naming the file and the layer or weight; `inspect` and `predict` take Keras files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { RnnlensError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import { loadModel, loadModelAsync, type LoadedAnyModel } from '../../src/io/load.js';
import { assertClose, tempDir } from './helpers.js';
import { fileHandler, tfReady } from './tfjs-util.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras');

interface Case {
  name: string;
  file: string;
  twin: string;
  kerasVersion: string;
  input: { inputs?: number[][][]; tokens?: number[][]; lengths: number[] };
  expected: unknown[];
}

const cases = (JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: Case[] }).cases;

function softmaxRows(data: ArrayLike<number>, B: number): number[] {
  const K = data.length / B;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from({ length: K }, (_, k) => data[b * K + k]!);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, c) => a + c, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

/** The model's outputs on the case's input (probabilities when the Keras model ends in softmax). */
function predict(m: LoadedAnyModel, c: Case): number[] {
  const lengths = Int32Array.from(c.input.lengths);
  const B = lengths.length;
  let y: Tensor;
  if (c.input.tokens) {
    y = m.model.predict({ ids: Int32Array.from(c.input.tokens.flat()), batch: B, steps: c.input.tokens[0]!.length, lengths }) as Tensor;
  } else {
    const x = c.input.inputs!;
    y = m.model.predict({ data: Float32Array.from(x.flat(2)), batch: B, steps: x[0]!.length, features: x[0]![0]!.length, lengths }) as Tensor;
  }
  return m.softmax ? softmaxRows(y.data, B) : Array.from(y.data);
}

/** Expected values; a per-step model is compared on valid steps only (padded steps output 0 in rnnlens). */
function expected(c: Case): number[] {
  return (c.expected as unknown[]).flat(3) as number[];
}

async function loadError(path: string): Promise<string> {
  try {
    await loadModelAsync(path, { backend: 'ts' });
  } catch (e) {
    assert.ok(e instanceof RnnlensError, `expected an RnnlensError, got ${(e as Error).stack}`);
    return e.message;
  }
  assert.fail(`${path} loaded`);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  // the test runner's own (binary) reports pass through; the command writes strings
  process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w1(t, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((err += t), true) : w2(t, ...rest))) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

describe('Keras files', () => {
  it('the fixtures cover both layouts and every mapped layer kind', () => {
    assert.equal(cases.length, 10);
    assert.deepEqual(new Set(cases.map((c) => c.file.split('.').pop())), new Set(['keras', 'h5']));
    const classes = new Set<string>();
    for (const c of cases) {
      const twin = JSON.parse(readFileSync(join(DIR, c.twin), 'utf8')) as { modelTopology: { model_config: { config: { layers: Array<{ class_name: string }> } } } };
      for (const l of twin.modelTopology.model_config.config.layers) classes.add(l.class_name);
    }
    for (const k of ['Embedding', 'Masking', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'TimeDistributed', 'Dense', 'Dropout', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D']) assert.ok(classes.has(k), k);
  });

  for (const c of cases) {
    it(`${c.file} (Keras ${c.kerasVersion}) predicts like the reference and like its TF.js twin`, async () => {
      const m = await loadModelAsync(join(DIR, c.file), { backend: 'ts' });
      assert.equal(m.format, 'keras');
      assert.equal(m.keras?.layout, c.file.endsWith('.keras') ? 'keras3' : 'keras2');
      const ours = predict(m, c);
      assertClose(ours, expected(c), 1e-5, `${c.file} vs reference`);
      const twin = await loadModelAsync(join(DIR, c.twin), { backend: 'ts' });
      assert.equal(twin.format, 'tfjs');
      assert.deepEqual(m.model.config(), twin.model.config(), 'same rnnlens model as the TF.js conversion');
      assertClose(ours, predict(twin, c), 1e-6, `${c.file} vs ${c.twin}`);
    });
  }

  it('TensorFlow.js itself (a port of Keras) runs the Keras 2 twins it supports like the reference', async () => {
    const tf = await tfReady();
    // tfjs-layers cannot build GRU reset_after=true, nor Keras 3 configs (InputLayer batch_shape)
    const runnable = cases.filter((c) => c.kerasVersion.startsWith('2.') && c.name !== 'masked_bigru_mean');
    assert.equal(runnable.length, 4);
    for (const c of runnable) {
      const m = await tf.loadLayersModel(fileHandler(join(DIR, c.twin)));
      const x = c.input.tokens ? tf.tensor2d(c.input.tokens) : tf.tensor3d(c.input.inputs!);
      const y = m.predict(x) as import('@tensorflow/tfjs').Tensor;
      assertClose(Array.from(y.dataSync()), expected(c), 1e-5, `TF.js on ${c.twin}`);
      tf.dispose([x, y]);
      m.dispose();
    }
  });

  it('hard_sigmoid follows the Keras version that wrote the file', async () => {
    const k3 = await loadModelAsync(join(DIR, 'embedding_gru_hard.keras'), { backend: 'ts' });
    const k2 = await loadModelAsync(join(DIR, 'embedding_gru_hard.h5'), { backend: 'ts' });
    const ra = (m: LoadedAnyModel) => m.model.layers.find((l) => l.kind === 'gru')!.config() as { recurrentActivation?: string; resetAfter?: boolean };
    assert.equal(ra(k3).recurrentActivation, 'hard_sigmoid_keras3');
    assert.equal(ra(k2).recurrentActivation, 'hard_sigmoid');
    assert.equal(ra(k2).resetAfter, false);
  });

  it('damaged, incomplete and unsupported files give one clear error naming the file and the part', async () => {
    const tmp = tempDir('keras-bad');
    const whole = readFileSync(join(DIR, 'lstm_softmax.keras'));
    writeFileSync(join(tmp, 'truncated.keras'), whole.subarray(0, Math.floor(whole.length / 2)));
    assert.match(await loadError(join(tmp, 'truncated.keras')), /truncated\.keras: not a readable \.keras archive \(zip: .*\); is the file truncated\?/);
    writeFileSync(join(tmp, 'text.h5'), 'this is not an HDF5 file\n'.repeat(20));
    assert.match(await loadError(join(tmp, 'text.h5')), /text\.h5: neither a \.keras archive \(zip\) nor a Keras HDF5 file/);
    const h5 = readFileSync(join(DIR, 'lstm_softmax.h5'));
    writeFileSync(join(tmp, 'cut.h5'), h5.subarray(0, 1200));
    assert.match(await loadError(join(tmp, 'cut.h5')), /cut\.h5: (not a readable HDF5 file|the HDF5 file is damaged)/);
    assert.match(await loadError(join(DIR, 'bad_missing_weights.keras')), /bad_missing_weights\.keras \(model\.weights\.h5\): no weights for layer 'lstm' \(LSTM\): the weights file has no group 'layers\/lstm\/cell\/vars'/);
    assert.match(await loadError(join(DIR, 'bad_wrong_shape.h5')), /bad_wrong_shape\.h5: weight 'lstm\/lstm_cell\/kernel:0' has shape \[3, 12\] but the config of layer 'lstm' needs \[3, 16\]/);
    assert.match(await loadError(join(DIR, 'bad_activation.h5')), /bad_activation\.h5: layer 'lstm': activation 'relu': rnnlens LSTM cells use tanh/);
    // a Conv1D whose variables the weights file lacks
    assert.match(await loadError(join(DIR, 'bad_conv1d.keras')), /bad_conv1d\.keras \(model\.weights\.h5\): layer 'conv1d' \(Conv1D\): 'layers\/conv1d\/vars' holds variables \[\] but this layer has 2 \(kernel, bias\)/);
    assert.match(await loadError(join(DIR, 'weights_only.weights.h5')), /holds weights only \(no 'model_config' attribute\)/);
  });

  it('HDF5 diagnostics never reach the terminal; once HDF5 is initialised the sync loadModel reads Keras files too', async () => {
    const tmp = tempDir('keras-quiet');
    writeFileSync(join(tmp, 'cut.h5'), readFileSync(join(DIR, 'lstm_softmax.h5')).subarray(0, 1200));
    const seen: string[] = [];
    const orig = console.error;
    const write = process.stderr.write.bind(process.stderr);
    console.error = (...a: unknown[]) => void seen.push(a.map(String).join(' '));
    process.stderr.write = ((t: string | Uint8Array) => (seen.push(String(t)), true)) as typeof process.stderr.write;
    let message: string;
    try {
      message = await loadError(join(tmp, 'cut.h5'));
    } finally {
      console.error = orig;
      process.stderr.write = write;
    }
    assert.deepEqual(seen, []);
    assert.match(message, /\(H5\w+\(\) /, 'the HDF5 diagnosis is in the message');
    // once initialised (above), the sync entry point reads Keras files too
    assert.equal(loadModel(join(DIR, 'lstm_softmax.h5'), { backend: 'ts' }).format, 'keras');
  });

  it('CLI: inspect and predict take .keras and .h5 files', async () => {
    let r = await cli(['inspect', join(DIR, 'masked_bigru_mean.keras')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(keras\)/);
    assert.match(r.out, /bidirectional\s+bidirectional\s+\[B, T, 8\]/);
    assert.match(r.out, /Keras \.keras archive written by Keras 3\.3\.3/);
    r = await cli(['inspect', '--json', join(DIR, 'embedding_gru_hard.h5')]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { format: string; input: string; layers: Array<{ kind: string }> };
    assert.equal(j.format, 'keras');
    assert.match(j.input, /token ids \[batch, steps\], vocabulary 12/);
    assert.deepEqual(j.layers.map((l) => l.kind), ['embedding', 'gru', 'dropout', 'dense']);
    const c = cases.find((k) => k.file === 'lstm_softmax.h5')!;
    const tmp = tempDir('keras-cli');
    writeFileSync(join(tmp, 'in.json'), JSON.stringify({ inputs: c.input.inputs }));
    r = await cli(['predict', '--model', join(DIR, c.file), '--input', join(tmp, 'in.json'), '--json']);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out) as { outputs: number[][] };
    assertClose(p.outputs.flat(), expected(c), 1e-5, 'predict --json on lstm_softmax.h5');
    r = await cli(['predict', '--model', join(DIR, 'bad_conv1d.keras'), '--input', join(tmp, 'in.json')]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /Conv1D/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  });
});
