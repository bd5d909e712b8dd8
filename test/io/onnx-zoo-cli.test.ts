/**
 * The CLI on imported zoo models (in-process): inspect shows the graph layers' ops, predict,
 * explain (several methods, LRP and DeepLIFT among them), certify (IBP and CROWN through graph layers; a refusal naming the op
 * where no bound rule exists) and internals on the native conversion of a model whose recurrent
 * layers sit between graph layers.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { tempDir } from './helpers.js';
import { zooFixtures } from './onnx-zoo-fixtures.js';

const ZOO = new URL('../fixtures/onnx-zoo/', import.meta.url).pathname;

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

/** The fixture's input as a CLI input file. */
function inputFile(dir: string, name: string): string {
  const fx = zooFixtures().find((f) => f.name === name)!;
  const [B, T] = fx.input.shape as [number, number];
  const F = fx.input.shape[2] ?? 1;
  const path = join(dir, `${name}.json`);
  if (fx.input.dtype === 'int64') {
    writeFileSync(path, JSON.stringify({ tokens: Array.from({ length: B }, (_, b) => fx.input.data.slice(b * T, (b + 1) * T)) }));
  } else {
    const inputs = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => fx.input.data.slice((b * T + t) * F, (b * T + t + 1) * F)));
    writeFileSync(path, JSON.stringify({ inputs }));
  }
  return path;
}

describe('CLI on ONNX zoo models', () => {
  const dir = tempDir('onnx-zoo-cli');

  it('inspect lists the ops of each graph layer', async () => {
    const r = await cli(['inspect', join(ZOO, 'crnn.onnx')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /graph\s+graph\s+\[B, T, 6\]\s+\d+\s+4 ops: Transpose → Conv → Relu → Transpose/);
    assert.match(r.out, /gru\s+\[B, T, 4\]/);
    assert.match(r.out, /run as graph layers on the padded batch/);
  });

  it('predict prints PyTorch\'s outputs for a tagger (per-step log-probabilities)', async () => {
    const fx = zooFixtures().find((f) => f.name === 'tagger')!;
    const r = await cli(['predict', '--model', join(ZOO, 'tagger.onnx'), '--input', inputFile(dir, 'tagger'), '--json']);
    assert.equal(r.code, 0, r.err);
    const got = (JSON.parse(r.out).outputs as number[][][]).flat(2);
    assert.equal(got.length, fx.output.data.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - fx.output.data[i]!) < 1e-5, `output ${i}`));
  });

  for (const method of ['saliency', 'integrated-gradients', 'occlusion', 'shapley-sampling', 'lrp', 'deeplift']) {
    it(`explain --method ${method} on the CRNN`, async () => {
      const r = await cli(['explain', '--model', join(ZOO, 'crnn.onnx'), '--input', inputFile(dir, 'crnn'), '--method', method, '--target', '1', '--json', '--quiet']);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      assert.equal(j.method, method);
      const a = j.attributions as number[][][];
      assert.equal(a.length, 2);
      assert.equal(a[0]!.length, 7);
      assert.ok(a.flat(2).some((v) => v !== 0), 'non-zero attributions');
    });
  }

  it('explain refuses LRP where relevance would enter an LSTM cell state, naming the value', async () => {
    const r = await cli(['explain', '--model', join(ZOO, 'lstm_cell_state.onnx'), '--input', inputFile(dir, 'lstm_cell_state'), '--method', 'lrp', '--quiet']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /LRP: graph layer 'graph_1' reads the final cell state of the LSTM before it \(ONNX Y_c/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });

  for (const [name, method] of [['crnn', 'ibp'], ['max_gru', 'crown'], ['bidir_pool', 'crown']] as const) {
    it(`certify --method ${method} through graph layers (${name})`, async () => {
      const r = await cli(['certify', '--model', join(ZOO, `${name}.onnx`), '--input', inputFile(dir, name), '--eps', '0.01', '--method', method, '--json', '--audit']);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out);
      const text = JSON.stringify(j);
      assert.match(text, /"certified":true/);
      assert.doesNotMatch(text, /"violations":[1-9]/);
    });
  }

  it('certify refuses an op without a bound rule by name (Softmax attention)', async () => {
    const r = await cli(['certify', '--model', join(ZOO, 'attention_sum.onnx'), '--input', inputFile(dir, 'attention_sum'), '--eps', '0.01']);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /op '\/Softmax' \(Softmax\) has no bound rule/);
  });

  it('internals on the native conversion of LSTM → LayerNorm/ELU → GRU', async () => {
    const native = join(dir, 'stacked');
    let r = await cli(['convert', join(ZOO, 'stacked_norm.onnx'), native]);
    assert.equal(r.code, 0, r.err);
    r = await cli(['internals', '--model', native, '--recipe', 'flipflop', '--sequences', '8', '--projections', 'none', '--permutations', '9', '--no-png', '--quiet', '--json', '--out', join(dir, 'internals')]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.match(JSON.stringify(j), /lstm\.LSTM/);
    assert.match(JSON.stringify(j), /gru\.GRU/);
  });
});
