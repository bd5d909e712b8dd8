/**
 * Keras attention and merge layers (Attention dot / concat, AdditiveAttention, MultiHeadAttention,
 * Add, Multiply, Concatenate, Softmax) after recurrent layers in functional models: every fixture
 * of tools/make_keras_attention_fixtures.py, as a .keras archive and a Keras 2 .h5 file, predicts
 * like PyTorch on the same weights (1e-5) and its input gradient (saliency) equals PyTorch autograd
 * (1e-4); padded batches (Masking, mask_zero) mask the attention keys past each length.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RnnlensError } from '../../src/core/errors.js';
import { Tensor } from '../../src/core/tensor.js';
import { initH5, stringAttr, withH5File } from '../../src/io/keras/h5.js';
import { loadModelAsync, type LoadedAnyModel } from '../../src/io/load.js';
import { loadTfjs, maskLengths } from '../../src/io/tfjs/load.js';
import type { Flow, SeqBatch } from '../../src/nn/layer.js';
import { assertClose, tempDir } from './helpers.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras-attention');

interface Arr {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  files: string[];
  softmax: boolean;
  input: { inputs?: number[][][]; tokens?: number[][]; lengths: number[] };
  expected: Arr;
  gradOutput: Arr;
  grad: Arr;
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

/** The case's input with the lengths the Keras masks imply (checked against the fixture's). */
function input(m: LoadedAnyModel, c: Case) {
  if (c.input.tokens) {
    const ids = Int32Array.from(c.input.tokens.flat());
    const batch = c.input.tokens.length;
    const steps = c.input.tokens[0]!.length;
    const lengths = maskLengths((m.keras ?? m.tfjs)!, { batch, steps, ids });
    return { ids, batch, steps, lengths };
  }
  const x = c.input.inputs!;
  const data = Float64Array.from(x.flat(2));
  const [batch, steps, features] = [x.length, x[0]!.length, x[0]![0]!.length];
  const lengths = maskLengths((m.keras ?? m.tfjs)!, { batch, steps, data, features });
  return { data, batch, steps, features, lengths };
}

const flowData = (f: Flow): ArrayLike<number> => (f instanceof Tensor ? f.data : f.data);

function check(m: LoadedAnyModel, c: Case, what: string): void {
  const x = input(m, c);
  assert.deepEqual(Array.from(x.lengths), c.input.lengths, `${what}: lengths from the mask`);
  const y = m.model.predict(x);
  const K = c.expected.shape[c.expected.shape.length - 1]!;
  assert.equal(m.softmax, c.softmax, `${what}: softmax`);
  assertClose(m.softmax ? softmaxRows(flowData(y), K) : Array.from(flowData(y)), c.expected.data, 1e-5, `${what}: forward vs PyTorch`);
  const out = m.model.forward(x).output as Tensor;
  const { grad } = m.model.inputGradient(x, new Tensor([...out.shape], Float64Array.from(c.gradOutput.data)));
  assert.deepEqual([grad.batch, grad.steps, grad.features], c.grad.shape, `${what}: gradient shape`);
  assertClose((grad as SeqBatch).data, c.grad.data, 1e-4, `${what}: saliency vs autograd`);
}

describe('Keras attention and merge layers', () => {
  it('the fixtures cover every translated class and both call styles of MultiHeadAttention', () => {
    const configs = cases.map((c) => readFileSync(join(DIR, c.files[1]!)).toString('latin1')).join('\n');
    for (const k of ['Attention', 'AdditiveAttention', 'MultiHeadAttention', 'Add', 'Multiply', 'Concatenate', 'Softmax', 'LayerNormalization', 'GlobalMaxPooling1D', 'GlobalAveragePooling1D', 'Bidirectional', 'Masking', 'Embedding'])
      assert.ok(configs.includes(`"class_name": "${k}"`), k);
    assert.ok(configs.includes('"score_mode": "concat"') && configs.includes('"score_mode": "dot"'));
    assert.ok(configs.includes('"value": ["gru", 0, 0]'), 'Keras 2 keyword tensors');
  });

  for (const c of cases) {
    it(`${c.name}: .keras and .h5 predict like PyTorch; saliency equals autograd`, async () => {
      const models: LoadedAnyModel[] = [];
      for (const f of c.files) {
        const m = await loadModelAsync(join(DIR, f), { backend: 'ts64' });
        assert.equal(m.format, 'keras');
        check(m, c, f);
        models.push(m);
      }
      const kinds = models[0]!.model.layers.map((l) => l.kind);
      assert.ok(kinds.includes('graph'), 'graph layers');
      assert.ok(kinds.some((k) => k === 'lstm' || k === 'gru' || k === 'bidirectional'), 'recurrent layers stay recurrent layers');
      assert.deepEqual(models[1]!.model.config().layers.map((l) => l.kind), kinds, '.keras and .h5 give the same layers');
    });
  }

  it('float32 predictions agree with the float64 reference (1e-5)', async () => {
    for (const c of cases) {
      const m = await loadModelAsync(join(DIR, c.files[0]!));
      const y = m.model.predict(input(m, c));
      const K = c.expected.shape[c.expected.shape.length - 1]!;
      assertClose(m.softmax ? softmaxRows(flowData(y), K) : Array.from(flowData(y)), c.expected.data, 1e-5, `${c.files[0]} (float32)`);
    }
  });
});

describe('Keras attention import refusals', () => {
  let base = '';
  /** A TF.js folder holding the edited Keras 2 config of gru_mha_residual.h5 (no weights: the config fails first). */
  const edit = (f: (layers: Array<Record<string, unknown> & { class_name: string; config: Record<string, unknown> }>) => void): string => {
    const tmp = tempDir('keras-attention-bad');
    const cfg = JSON.parse(base);
    f(cfg.config.layers);
    writeFileSync(join(tmp, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: { keras_version: '2.15.0', model_config: cfg }, weightsManifest: [] }));
    return tmp;
  };
  const refuse = (dir: string, re: RegExp) => assert.throws(() => loadTfjs(dir), (e: unknown) => e instanceof RnnlensError && re.test(e.message), re.source);

  it('names the layer and the setting', async () => {
    await initH5();
    base = withH5File(new Uint8Array(readFileSync(join(DIR, 'gru_mha_residual.h5'))), 'fixture', (f) => stringAttr(f, 'model_config')!);
    refuse(
      edit((ls) => void (ls.find((l) => l.class_name === 'MultiHeadAttention')!.config.attention_axes = [1, 2])),
      /layer 'mha': attention_axes \[1,2\]: only the default/,
    );
    refuse(
      edit((ls) => void (ls.find((l) => l.class_name === 'MultiHeadAttention')!.class_name = 'Lambda')),
      /layer 'mha': Lambda layers hold Python code, which rnnlens cannot read/,
    );
    refuse(
      edit((ls) => {
        const l = ls.find((k) => k.class_name === 'MultiHeadAttention')!;
        ((l.inbound_nodes as unknown[][][])[0]![0]![3] as Record<string, unknown>).use_causal_mask = true;
      }),
      /layer 'mha': use_causal_mask=True is not supported/,
    );
    refuse(
      edit((ls) => void (ls.find((l) => l.class_name === 'GRU')!.config.return_sequences = false)),
      /layer 'mha': MultiHeadAttention needs sequences \[batch, steps, features\]; the layer before it returns one vector per sequence/,
    );
    refuse(
      edit((ls) => void (ls.find((l) => l.class_name === 'Add')!.class_name = 'Subtract')),
      /layer 'add': has 2 inputs; rnnlens models are a single chain of layers \(layers that read several tensors: Attention, AdditiveAttention, MultiHeadAttention, Add, Multiply, Concatenate\)/,
    );
    refuse(
      edit((ls) => {
        const l = ls.find((k) => k.class_name === 'MultiHeadAttention')!;
        l.class_name = 'Conv1D';
        l.inbound_nodes = [[['gru', 0, 0, {}]]];
      }),
      /layer 'mha': class 'Conv1D' inside a branching part of the model \(attention or merge\); supported there: Attention, /,
    );
  });
});
