/**
 * Bad input: truncated or corrupt files, weight bytes that disagree with the manifest, shapes that
 * disagree with the config, unknown layer classes, absurd declared sizes — each a clear
 * RnnlensError, never another crash or a hang — plus fast-check fuzzing of both parsers
 * (truncation, byte flips, JSON mutations).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { RnnlensError } from '../../src/core/errors.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { parseOnnx } from '../../src/io/onnx/parse.js';
import { modelProtoType } from '../../src/io/onnx/schema.js';
import { loadModel, saveModelAs } from '../../src/io/load.js';
import { loadTfjs } from '../../src/io/tfjs/load.js';
import { writeTfjs } from '../../src/io/tfjs/write.js';
import { SequenceModel } from '../../src/nn/model.js';
import { FIXTURES, tempDir } from './helpers.js';
import { buildOnnx } from './onnx-build.js';

const onnxBytes = new Uint8Array(readFileSync(join(FIXTURES, 'lstm_bf_last.onnx')));

/** Runs fn; passes when it returns or throws an RnnlensError; fails on any other exception. */
function onlyClearErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RnnlensError)) throw e;
    assert.ok(e.message.length > 10);
  }
  return true;
}

function tfjsModelFolder(): string {
  const model = new SequenceModel(
    { input: { kind: 'numeric', features: 3 }, layers: [{ kind: 'bidirectional', merge: 'sum', layer: { kind: 'gru', units: 4, returnSequences: true } }, { kind: 'head', pool: 'mean' }, { kind: 'dense', units: 2, activation: 'tanh' }] },
    { backend: 'ts', seed: 1 },
  );
  const dir = tempDir('bad');
  writeTfjs(model, dir);
  return dir;
}

describe('ONNX: corrupt files give clear errors', () => {
  it('truncated files', () => {
    for (const cut of [0, 1, 10, onnxBytes.length >> 1, onnxBytes.length - 1]) {
      assert.throws(() => importOnnx(onnxBytes.subarray(0, cut)), RnnlensError, `cut at ${cut}`);
    }
  });

  it('a tensor whose raw bytes disagree with its dims, and an absurd declared size', () => {
    const make = (dims: number[], n: number) =>
      buildOnnx({ nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], inits: [{ name: 'w', dims, data: new Array<number>(n).fill(0.5) }], inputs: [{ name: 'x', dims: [1, 2, 3] }], outputs: [{ name: 'y', dims: [1, 2, 3] }] });
    assert.throws(() => parseOnnx(make([2, 3], 5)), /'w' \[2, 3\] needs 6 values, found 5/);
    assert.throws(() => parseOnnx(make([100000, 100000], 1)), /declares 10000000000 elements/);
  });

  it('a graph without recurrent or dense layers, and an unknown input', () => {
    const id = buildOnnx({ nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], inits: [], inputs: [{ name: 'x', dims: [1, 2, 3] }], outputs: [{ name: 'y', dims: [1, 2, 3] }] });
    assert.throws(() => importOnnx(id), /no layers/);
    const dangling = buildOnnx({ nodes: [{ op: 'Relu', inputs: ['nowhere'], outputs: ['y'] }], inits: [], inputs: [{ name: 'x', dims: [1, 2, 3] }], outputs: [{ name: 'y', dims: [1, 2, 3] }] });
    assert.throws(() => importOnnx(dangling), /'nowhere' is neither a graph input/);
  });

  it('fuzz: truncation, byte flips and random bytes never crash differently', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: onnxBytes.length }), (cut) => onlyClearErrors(() => importOnnx(onnxBytes.subarray(0, cut)))),
      { numRuns: 60, seed: 1 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(onnxBytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (flips) => {
        const b = onnxBytes.slice();
        for (const [at, x] of flips) b[at] = b[at]! ^ x;
        return onlyClearErrors(() => importOnnx(b));
      }),
      { numRuns: 300, seed: 2 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyClearErrors(() => importOnnx(b))), { numRuns: 150, seed: 3 });
  });
});

describe('ONNX: structurally mutated graphs', () => {
  it('fuzz: changed attributes, op types, rewired inputs and removed nodes give clear errors', () => {
    const T = modelProtoType();
    for (const name of ['lstm_l2_bi_final_softmax', 'gru_bi_final_view', 'embedding_lstm_last']) {
      const base = T.toObject(T.decode(readFileSync(join(FIXTURES, `${name}.onnx`))), { longs: Number, bytes: Uint8Array }) as { graph: { node: Array<Record<string, unknown> & { input?: string[]; output: string[]; attribute?: Array<Record<string, unknown>> }> } };
      const ops = ['Relu', 'Transpose', 'Squeeze', 'Gather', 'Concat', 'Reshape', 'Identity', 'Slice', 'Add'];
      fc.assert(
        fc.property(fc.nat(1000), fc.nat(1000), fc.integer({ min: -4, max: 40 }), fc.nat(3), (ni, ai, val, mode) => {
          const m = structuredClone(base);
          const nodes = m.graph.node;
          const n = nodes[ni % nodes.length]!;
          if (mode === 0 && n.attribute?.length) {
            const a = n.attribute[ai % n.attribute.length]!;
            if (Array.isArray(a.ints)) a.ints = (a.ints as number[]).map((x, i) => (i === 0 ? val : x));
            else a.i = val;
          } else if (mode === 1) n.op_type = ops[ai % ops.length];
          else if (mode === 2 && n.input?.length) n.input[ai % n.input.length] = nodes[(ni + 3) % nodes.length]!.output[0]!;
          else nodes.splice(ni % nodes.length, 1);
          try {
            importOnnx(T.encode(T.fromObject(m)).finish());
          } catch (e) {
            // the importer's own checks must catch these, not its last-resort wrapper
            if (!(e instanceof RnnlensError) || /could not be translated/.test(e.message)) throw e;
          }
          return true;
        }),
        { numRuns: 120, seed: 7 },
      );
    }
  });
});

describe('TF.js: corrupt files give clear errors', () => {
  it('weight bytes that disagree with the manifest (short, long, missing shard)', () => {
    const dir = tfjsModelFolder();
    const shard = join(dir, 'group1-shard1of1.bin');
    const bytes = readFileSync(shard);
    writeFileSync(shard, bytes.subarray(0, bytes.length - 4));
    assert.throws(() => loadTfjs(dir), /hold \d+ bytes but the manifest declares \d+ bytes/);
    writeFileSync(shard, Buffer.concat([bytes, Buffer.alloc(8)]));
    assert.throws(() => loadTfjs(dir), /manifest declares/);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['gone.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    assert.throws(() => loadTfjs(dir), /'gone.bin' is missing/);
  });

  it('absurd declared sizes are refused before reading or allocating', () => {
    const dir = tfjsModelFolder();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights[0].shape = [1e6, 1e6];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    assert.throws(() => loadTfjs(dir), /declares more than \d+ bytes/);
  });

  it('shapes that disagree with the config', () => {
    const dir = tfjsModelFolder();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers[2].config.units = 3; // dense kernel in the file is [4, 2]
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    assert.throws(() => loadTfjs(dir), /has shape \[4, 2\] but the config of layer 'dense' needs \[4, 3\]/);
  });

  it('unknown layer classes name the class and list the supported ones', () => {
    const dir = tfjsModelFolder();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers.splice(1, 0, { class_name: 'ConvLSTM1D', config: { name: 'convlstm', filters: 2 } });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    assert.throws(() => loadTfjs(dir), /'convlstm': class 'ConvLSTM1D' is not supported; supported: InputLayer.*Conv1D.*MultiHeadAttention/);
  });

  it('an attention layer in a Sequential model (one input only) says it needs the functional API', () => {
    const dir = tfjsModelFolder();
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.modelTopology.config.layers.splice(1, 0, { class_name: 'MultiHeadAttention', config: { name: 'mha', num_heads: 2, key_dim: 2 } });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    assert.throws(() => loadTfjs(dir), /layer 'mha': MultiHeadAttention is called without a value tensor .*functional API/);
  });

  it('fuzz: truncated and mutated model.json, flipped shard bytes', () => {
    const dir = tfjsModelFolder();
    const text = readFileSync(join(dir, 'model.json'), 'utf8');
    const shard = readFileSync(join(dir, 'group1-shard1of1.bin'));
    const original = JSON.parse(text);
    fc.assert(
      fc.property(fc.nat(text.length), (cut) => {
        writeFileSync(join(dir, 'model.json'), text.slice(0, cut));
        return onlyClearErrors(() => loadTfjs(dir));
      }),
      { numRuns: 40, seed: 4 },
    );
    // replace one value somewhere in the JSON tree with an arbitrary JSON value
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, p: Array<string | number>) => {
      paths.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(original, []);
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 2 }), (pi, value) => {
        const copy = JSON.parse(text);
        const p = paths[pi]!;
        if (p.length === 0) return true;
        let cur = copy;
        for (const k of p.slice(0, -1)) cur = cur[k];
        cur[p[p.length - 1]!] = value;
        writeFileSync(join(dir, 'model.json'), JSON.stringify(copy));
        return onlyClearErrors(() => loadTfjs(dir));
      }),
      { numRuns: 300, seed: 5 },
    );
    writeFileSync(join(dir, 'model.json'), text);
    fc.assert(
      fc.property(fc.nat(shard.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = Buffer.from(shard);
        b[at] = b[at]! ^ x;
        writeFileSync(join(dir, 'group1-shard1of1.bin'), b);
        return onlyClearErrors(() => loadTfjs(dir));
      }),
      { numRuns: 60, seed: 6 },
    );
  });
});

describe('loadModel / saveModelAs', () => {
  it('detects all three formats and refuses unknown files', () => {
    const dir = tfjsModelFolder();
    assert.equal(loadModel(dir).format, 'tfjs');
    assert.equal(loadModel(join(FIXTURES, 'gru_h0.onnx')).format, 'onnx');
    const native = join(tempDir('native'), 'm');
    saveModelAs(loadModel(dir).model, native, 'native');
    assert.equal(loadModel(native).format, 'native');
    assert.throws(() => loadModel(join(FIXTURES, 'index.json')), RnnlensError);
    assert.throws(() => loadModel(join(FIXTURES, 'missing.onnx')), /no such file/);
    assert.throws(() => saveModelAs(loadModel(dir).model, join(tempDir('x'), 'a.onnx'), 'onnx'), /import-only/);
  });

  it('a failed TF.js export leaves no files behind', () => {
    const model = new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'bidirectional', layer: { kind: 'gru', units: 2, returnSequences: true } }, { kind: 'head', pool: 'last' }] });
    const dir = tempDir('nopartial');
    assert.throws(() => writeTfjs(model, join(dir, 'model.json')), RnnlensError);
    assert.deepEqual(readdirSync(dir), []);
  });
});
