/**
 * Keras Conv1D, LayerNormalization, BatchNormalization and pooling layers (graph layers around
 * the recurrent layers): every fixture of tools/make_keras_graph_fixtures.py — as a .keras
 * archive, a Keras 2 .h5 file and TF.js twins — predicts like PyTorch on the same weights (1e-5)
 * and its input gradient (saliency) equals PyTorch autograd (1e-4); TensorFlow.js itself runs the
 * Keras 2 twins it can build like the reference; certify bounds a Conv1D → LSTM file; unsupported
 * settings are refused naming the layer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { RnnlensError } from '../../src/core/errors.js';
import { Tensor } from '../../src/core/tensor.js';
import { loadModelAsync, type LoadedAnyModel } from '../../src/io/load.js';
import { loadTfjs } from '../../src/io/tfjs/load.js';
import type { Flow } from '../../src/nn/layer.js';
import { assertClose, tempDir } from './helpers.js';
import { fileHandler, tfReady } from './tfjs-util.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras-graph');

interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  files: string[];
  softmax: boolean;
  input: Arr;
  expected: Arr;
  gradOutput: Arr;
  grad: Arr;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
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

const cases = (JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: Case[] }).cases;

function softmaxRows(data: ArrayLike<number>, K: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / K; r++) {
    const row = Array.from({ length: K }, (_, k) => data[r * K + k]!);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, c) => a + c, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

function input(c: Case) {
  const [B, T, F] = c.input.shape as [number, number, number];
  return { data: Float64Array.from(c.input.data), batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
}

const flowData = (f: Flow): ArrayLike<number> => (f instanceof Tensor ? f.data : f.data);

function check(m: LoadedAnyModel, c: Case, what: string): void {
  const x = input(c);
  const y = m.model.predict(x);
  const K = c.expected.shape[c.expected.shape.length - 1]!;
  assert.equal(m.softmax, c.softmax, `${what}: softmax`);
  assertClose(m.softmax ? softmaxRows(flowData(y), K) : Array.from(flowData(y)), c.expected.data, 1e-5, `${what}: forward vs PyTorch`);
  const out = m.model.forward(x).output;
  const g = out instanceof Tensor ? new Tensor([...out.shape], Float64Array.from(c.gradOutput.data)) : { ...out, data: Float64Array.from(c.gradOutput.data) };
  const { grad } = m.model.inputGradient(x, g);
  assertClose(grad.data, c.grad.data, 1e-4, `${what}: saliency vs autograd`);
}

describe('Keras Conv1D / normalisation / pooling layers', () => {
  it('the fixtures cover every translated class and setting', () => {
    for (const k of ['Conv1D', 'LayerNormalization', 'BatchNormalization', 'MaxPooling1D', 'AveragePooling1D']) {
      const used = cases.some((c) => readFileSync(join(DIR, c.files[2]!), 'utf8').includes(`"class_name": "${k}"`));
      assert.ok(used, k);
    }
    for (const s of ['same', 'causal', 'valid']) assert.ok(cases.some((c) => readFileSync(join(DIR, c.files[0]!.replace('.keras', '_k3_tfjs/model.json')), 'utf8').includes(`"padding": "${s}"`)), s);
  });

  for (const c of cases) {
    it(`${c.name}: .keras, .h5 and TF.js twins predict like PyTorch; saliency equals autograd`, async () => {
      const models: LoadedAnyModel[] = [];
      for (const f of c.files) {
        const m = await loadModelAsync(join(DIR, f), { backend: 'ts64' });
        assert.equal(m.format, f.endsWith('.json') ? 'tfjs' : 'keras');
        check(m, c, f);
        models.push(m);
      }
      const kinds = models[0]!.model.layers.map((l) => l.kind);
      assert.ok(kinds.includes('graph'), 'graph layers');
      assert.ok(kinds.some((k) => k === 'lstm' || k === 'gru' || k === 'bidirectional'), 'recurrent layers stay recurrent layers');
      // a file and the TF.js twin of the same Keras version give the same rnnlens model
      assert.deepEqual(models[2]!.model.config(), models[0]!.model.config(), '.keras and its Keras 3 TF.js twin');
      assert.deepEqual(models[3]!.model.config(), models[1]!.model.config(), '.h5 and its Keras 2 TF.js twin');
    });
  }

  it('TensorFlow.js runs the Keras 2 twins it can build like the PyTorch reference', async () => {
    const tf = await tfReady();
    // tfjs-layers cannot build GRU reset_after=true; gelu is not a tfjs-layers activation
    const runnable = cases.filter((c) => c.name === 'conv_lstm');
    assert.equal(runnable.length, 1);
    for (const c of runnable) {
      const m = await tf.loadLayersModel(fileHandler(join(DIR, c.files[3]!)));
      const x = tf.tensor3d(c.input.data, c.input.shape as [number, number, number]);
      const y = m.predict(x) as import('@tensorflow/tfjs').Tensor;
      assertClose(Array.from(y.dataSync()), c.expected.data, 1e-5, `TF.js on ${c.files[3]}`);
      tf.dispose([x, y]);
      m.dispose();
    }
  });

  it('certify bounds a Conv1D → LSTM Keras model (audited); a GRU → LayerNormalization one passes its graph layer', async () => {
    const tmp = tempDir('keras-graph-certify');
    const inputFile = (name: string): string => {
      const c = cases.find((k) => k.name === name)!;
      const [B, T, F] = c.input.shape as [number, number, number];
      const rows = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => c.input.data.slice((b * T + t) * F, (b * T + t + 1) * F)));
      writeFileSync(join(tmp, `${name}.json`), JSON.stringify({ inputs: rows }));
      return join(tmp, `${name}.json`);
    };
    let r = await cli(['certify', '--model', join(DIR, 'conv_lstm.keras'), '--input', inputFile('conv_lstm'), '--eps', '0.001', '--audit', '--json', '--no-record']);
    assert.equal(r.code, 0, r.err);
    const text = JSON.stringify(JSON.parse(r.out));
    assert.match(text, /"certified":true/);
    assert.doesNotMatch(text, /"violations":[1-9]/);
    // LayerNormalization has a bound rule now; what stops this per-step model is its sequence output
    r = await cli(['certify', '--model', join(DIR, 'causal_gru_layernorm.keras'), '--input', inputFile('causal_gru_layernorm'), '--eps', '0.001', '--no-record']);
    assert.equal(r.code, 1);
    assert.match(r.err, /margins need a model with one output vector/);
  });

  it('unsupported settings are refused, naming the layer and the setting', () => {
    const base = join(DIR, 'conv_lstm_k3_tfjs');
    const edit = (f: (layers: Array<{ class_name: string; config: Record<string, unknown> }>) => void): string => {
      const tmp = tempDir('keras-graph-bad');
      const json = JSON.parse(readFileSync(join(base, 'model.json'), 'utf8'));
      f(json.modelTopology.model_config.config.layers);
      writeFileSync(join(tmp, 'model.json'), JSON.stringify(json));
      writeFileSync(join(tmp, 'group1-shard1of1.bin'), readFileSync(join(base, 'group1-shard1of1.bin')));
      return tmp;
    };
    const conv = (k: string, v: unknown) => edit((ls) => void (ls.find((l) => l.class_name === 'Conv1D')!.config[k] = v));
    const refuse = (dir: string, re: RegExp) => {
      assert.throws(() => loadTfjs(dir), (e: unknown) => e instanceof RnnlensError && re.test(e.message));
    };
    refuse(conv('padding', 'reflect'), /layer 'conv1d': padding "reflect": supported valid, same, causal/);
    refuse(conv('data_format', 'channels_first'), /layer 'conv1d': data_format 'channels_first': only channels_last/);
    refuse(conv('groups', 2), /layer 'conv1d': groups=2 must divide both the 3 input channels and the 4 filters/);
    refuse(conv('activation', 'log_softmax'), /layer 'conv1d': activation 'log_softmax': supported linear, relu/);
    refuse(conv('kernel_size', 'big'), /layer 'conv1d': kernel_size must be a positive integer \(or a 1-tuple\), got "big"/);
    // a normalisation over the time axis, a pooling after a vector output
    refuse(
      edit((ls) => ls.splice(1, 0, { class_name: 'LayerNormalization', config: { name: 'ln', axis: 1 } })),
      /layer 'ln': axis 1: rnnlens normalises over the last \(feature\) axis only/,
    );
    refuse(
      edit((ls) => ls.splice(3, 0, { class_name: 'MaxPooling1D', config: { name: 'mp', pool_size: [2] } })),
      /layer 'mp': MaxPooling1D needs a sequence input \[batch, steps, features\]; the layer before it returns one vector per sequence/,
    );
  });
});
