/** `rnnlens inspect` and `rnnlens convert` on ONNX, TF.js and native models (in-process CLI). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { importOnnx, runOnnxImport } from '../../src/io/onnx/import.js';
import { loadModel } from '../../src/io/load.js';
import { Tensor } from '../../src/core/tensor.js';
import { assertClose, FIXTURES, loadOnnxFixture, tempDir } from './helpers.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

describe('rnnlens inspect / convert', () => {
  it('inspect shows input, layers, shapes, parameter counts and conventions of an ONNX model', async () => {
    const r = await cli(['inspect', join(FIXTURES, 'gru_tm_l2_final.onnx')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /input\s+numeric sequences \[batch, steps, 3\] \(ONNX input 'input' time-major/);
    assert.match(r.out, /rnn\.GRU\s+gru\s+\[B, T, 4\]\s+108\s+gru H=4 gates r,z,n, reset-after, returns sequences/);
    assert.match(r.out, /rnn\.GRU_1\s+gru\s+\[B, 4\]\s+120/);
    assert.match(r.out, /parameters\s+251/); // 108 + 120 + (4·3 + 3) + (3·2 + 2)
    const j = JSON.parse((await cli(['inspect', '--json', join(FIXTURES, 'embedding_lstm_last.onnx')])).out);
    assert.equal(j.layers[0].kind, 'embedding');
    assert.match(j.input, /token ids/);
  });

  it('convert ONNX → TF.js → native keeps predictions; bad input exits non-zero without output', async () => {
    const out = tempDir('convert');
    const { fx, bytes } = loadOnnxFixture('lstm_l2_bi_final_softmax');
    const ref = runOnnxImport(importOnnx(bytes, { backend: 'ts' }), fx.inputs);
    let r = await cli(['convert', join(FIXTURES, 'lstm_l2_bi_final_softmax.onnx'), join(out, 'tfjs', 'model.json')]);
    assert.equal(r.code, 0, r.err);
    r = await cli(['convert', join(out, 'tfjs', 'model.json'), join(out, 'native')]);
    assert.equal(r.code, 0, r.err);
    const native = loadModel(join(out, 'native'), { backend: 'ts' });
    assert.equal(native.task, 'classification');
    const x = fx.inputs.input!;
    const y = native.model.predict({ data: Float32Array.from(x.data), batch: x.shape[0]!, steps: x.shape[1]!, features: x.shape[2]!, lengths: new Int32Array(x.shape[0]!).fill(x.shape[1]!) }) as Tensor;
    const probs = Array.from({ length: y.shape[0]! }, (_, b) => {
      const row = Array.from(y.data.subarray(b * 2, b * 2 + 2));
      const e = row.map((v) => Math.exp(v - Math.max(...row)));
      return e.map((v) => v / (e[0]! + e[1]!));
    }).flat();
    assertClose(probs, ref.data, 1e-6, 'after two conversions');
    // refuses to overwrite, and a corrupt input leaves nothing behind
    r = await cli(['convert', join(FIXTURES, 'gru_h0.onnx'), join(out, 'native')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already holds a model/);
    r = await cli(['convert', join(FIXTURES, 'index.json'), join(out, 'never')]);
    assert.equal(r.code, 1);
    assert.ok(!existsSync(join(out, 'never')));
    assert.deepEqual(readdirSync(out).sort(), ['native', 'tfjs']);
  });
});
