/**
 * The analyses that look inside a model on imported models (in-process CLI): `internals` on an
 * ONNX zoo model and on Keras files with --data FILE.json of sequences, recorded as a run (and
 * probe, intervene, dynamics on a Keras file); the recurrent layers are analysed with the units
 * of the source model; a model whose graph layers before the recurrent layers change the number
 * of steps is analysed over the recurrent steps, one whose layers between recurrent layers change
 * it is refused by name; a model without recipe and without --data gets one clear message.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { tempDir } from './helpers.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const DATA = join(FIX, 'internals', 'imported-sequences.json');

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

interface Summary {
  sequences: number;
  steps: number;
  activity: Array<{ layer: string; units: number }>;
  gradientFlow: { hidden: Array<{ layer: string }> };
  run?: string;
}

const quick = ['--sequences', '12', '--permutations', '9', '--projections', 'pca', '--no-png', '--quiet', '--json'];

describe('internals on imported models', () => {
  const dir = tempDir('imported-internals');
  const sequences = (JSON.parse(readFileSync(DATA, 'utf8')) as { inputs: number[][][] }).inputs;
  const steps = sequences.reduce((a, s) => a + s.length, 0);

  it('an ONNX zoo model (Conv1d/BatchNorm → GRU → Linear): the GRU is analysed, recorded as a run', async () => {
    const runs = join(dir, 'runs');
    const r = await cli(['internals', '--model', join(FIX, 'onnx-zoo', 'crnn.onnx'), '--data', DATA, '--out', join(dir, 'crnn'), '--runs-dir', runs, ...quick]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Summary;
    assert.equal(j.sequences, sequences.length);
    assert.equal(j.steps, steps);
    // nn.GRU(6, H) with H = 4 in tools/make_onnx_zoo.py
    assert.deepEqual(j.activity.map((a) => [a.layer, a.units]), [['gru.GRU/forward', 4]]);
    assert.deepEqual(j.gradientFlow.hidden.map((h) => h.layer), ['gru.GRU/forward']);
    assert.ok(j.run, 'recorded');
    assert.ok(existsSync(join(dir, 'crnn', 'summary.json')), 'summary written');
  });

  for (const file of ['conv_lstm.keras', 'conv_lstm.h5']) {
    it(`a Keras file (${file}: Conv1D same → LSTM(5) → Dense): the LSTM is analysed`, async () => {
      const r = await cli(['internals', '--model', join(FIX, 'keras-graph', file), '--data', DATA, '--out', join(dir, file), '--no-record', ...quick]);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as Summary;
      const units = (JSON.parse(readFileSync(join(FIX, 'keras-graph', 'conv_lstm_k3_tfjs', 'model.json'), 'utf8')) as { modelTopology: { model_config: { config: { layers: Array<{ class_name: string; config: { units?: number } }> } } } }).modelTopology.model_config.config.layers.find((l) => l.class_name === 'LSTM')!.config.units;
      assert.equal(units, 5);
      assert.deepEqual(j.activity.map((a) => [a.layer, a.units]), [['lstm/forward', units]]);
      assert.equal(j.steps, steps);
    });
  }

  it('probe, intervene and dynamics take imported models and --data files too', async () => {
    const model = join(FIX, 'keras-graph', 'conv_lstm.keras');
    const tagged = join(FIX, 'internals', 'imported-tagged.json');
    let r = await cli(['probe', '--model', model, '--data', tagged, '--folds', '3', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out) as { annotation: string; steps: number; classes: string[]; rows: Array<{ layer: string }> };
    assert.equal(p.steps, steps);
    assert.deepEqual(p.classes, ['0', '1']);
    assert.ok(p.rows.length > 0 && p.rows.every((row) => row.layer === 'lstm/forward'));
    r = await cli(['intervene', '--model', model, '--data', DATA, '--units', '0,1', '--permutations', '9', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const iv = JSON.parse(r.out) as { layer: string; unitsInLayer: number; items: number; task: string };
    assert.deepEqual([iv.layer, iv.unitsInLayer, iv.items, iv.task], ['lstm', 5, sequences.length, 'classification']);
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, JSON.stringify({ inputs: sequences }));
    r = await cli(['intervene', '--model', model, '--data', bare, '--units', '0', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.err, /intervene: --data .*bare\.json holds no targets; give "labels" \(class indices\), "values" \(regression targets\) or "tags"/);
    r = await cli(['dynamics', '--model', model, '--data', DATA, '--starts', '16', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out) as { layer: string; units: number; points: unknown[] };
    assert.deepEqual([d.layer, d.units], ['lstm/forward', 5]);
    assert.ok(d.points.length > 0, 'fixed points found');
  });

  it('a Keras model whose layers before the LSTM change the number of steps: LSTM steps labelled by input range', async () => {
    const r = await cli(['internals', '--model', join(FIX, 'keras-graph', 'strided_bn_maxpool.h5'), '--data', DATA, '--out', join(dir, 'strided'), '--no-record', ...quick]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Summary & { alignment: { inputSteps: number; steps: number; ranges: [number, number][] }[] };
    // 8 frames: Conv1D(3, valid, strides 2) gives outputs j over frames 2j..2j+2 (3 of them);
    // MaxPooling1D(2, same) pads one on the right: step 0 reads outputs 0-1, step 1 output 2
    assert.deepEqual(j.alignment, [{ inputSteps: 8, steps: 2, ranges: [[0, 4], [4, 6]] }]);
    assert.equal(j.steps, 2 * sequences.length);
    assert.deepEqual(j.activity.map((a) => [a.layer, a.units]), [['lstm/forward', 4]]);
  });

  it('refuses a model whose layers between recurrent layers change the number of steps, naming them', async () => {
    const r = await cli(['internals', '--model', join(FIX, 'keras-graph', 'ln_avgpool_bigru_conv.h5'), '--data', DATA, '--out', join(dir, 'between'), '--no-record', ...quick]);
    assert.equal(r.code, 1);
    assert.match(r.err, /recurrent layer 'lstm' runs over 3 steps and 'bidirectional' over 8 for an input of 16 steps \(the layers between them change the number of steps\)/);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  });

  it('an imported model without --data: one message naming what to pass', async () => {
    const r = await cli(['internals', '--model', join(FIX, 'onnx-zoo', 'crnn.onnx'), '--out', join(dir, 'none'), '--no-record', ...quick]);
    assert.equal(r.code, 1);
    assert.match(r.err, /internals: the onnx model at .*crnn\.onnx records no recipe; pass --data FILE\.json \(the sequences, as predict's input file/);
    const bad = await cli(['internals', '--model', join(FIX, 'keras-graph', 'causal_gru_layernorm.keras'), '--data', DATA, '--out', join(dir, 'bad'), '--no-record', ...quick]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /internals --data .*imported-sequences\.json: argument 'inputs\[0\]\[0\]' expected 4 features/);
  });
});
