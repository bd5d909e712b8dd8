/**
 * Internals, probe, intervene and dynamics on an imported model whose front-end changes the
 * number of steps (Conv1d stride 2 → ReLU → MaxPool1d(2) → GRU, tools/make_stepalign_fixtures.py):
 * the analyses run over the GRU's steps, each labelled by the input range it reads, checked
 * against the receptive fields PyTorch's autograd and the op attributes give, and against
 * PyTorch's hidden states and intervention.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { datasetFromFile, loadAnalysisModel } from '../../src/cli/analysis-model.js';
import { runCli } from '../../src/cli/main.js';
import { alignmentForLength } from '../../src/explain/internals/align.js';
import { collectTraces } from '../../src/explain/internals/collect.js';
import type { ExplorerData } from '../../src/explain/internals/explorer.js';
import { annotationByName, stepTypes } from '../../src/probe/probe.js';
import { RunStore } from '../../src/runs/store.js';
import { assertClose, tempDir } from './helpers.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;
const DIR = join(FIX, 'stepalign');
const MODEL = join(DIR, 'conv_pool_gru.onnx');
const DATA = join(DIR, 'sequences.json');
const TAGGED = join(DIR, 'tagged.json');

interface Reference {
  inputSteps: number;
  recurrentSteps: number;
  units: number;
  ranges: [number, number][];
  h0: number[][];
  labels: number[];
  alignedTags: number[][];
  intervention: { units: number[]; from: number; to: number; outputChange: number };
}
const REF = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as Reference;
const N = REF.labels.length;

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

describe('step alignment on a strided CRNN (ONNX)', () => {
  const dir = tempDir('step-alignment');

  it('the receptive field of each GRU step is the one of the op attributes and of autograd', async () => {
    const m = await loadAnalysisModel(MODEL);
    const a = alignmentForLength(m.model, REF.inputSteps);
    assert.ok(a, 'the front-end changes the number of steps');
    assert.equal(a.steps, REF.recurrentSteps);
    assert.deepEqual(Array.from(a.start, (s, i) => [s, a.end[i]!]), REF.ranges);
  });

  it('traces: one row per GRU step, PyTorch hidden states, annotations carried by majority', async () => {
    const m = await loadAnalysisModel(MODEL);
    const ds = datasetFromFile('test', TAGGED, m);
    const ts = collectTraces(m.model, ds, { fields: ['h'], batchSize: 5 });
    assert.equal(ts.totalSteps, N * REF.recurrentSteps);
    assert.deepEqual(Array.from(ts.offsets), Array.from({ length: N + 1 }, (_, i) => i * REF.recurrentSteps));
    assert.ok(ts.alignment);
    assert.deepEqual(Array.from(ts.alignment.inputOffsets), Array.from({ length: N + 1 }, (_, i) => i * REF.inputSteps));
    const h = ts.values[0]!.h!;
    assertClose(h.data.subarray(0, REF.recurrentSteps * REF.units), REF.h0.flat(), 1e-4, 'h of sequence 0');
    const tags = annotationByName(ds, ts, 'tags', 'test');
    assert.deepEqual(Array.from(tags.values), REF.alignedTags.flat());
    // control-task types: one per recurrent step, distinct for distinct input ranges
    const types = stepTypes(ds, ts);
    assert.equal(types.length, ts.totalSteps);
    assert.equal(types[1]!.split('|').length, REF.ranges[1]![1] - REF.ranges[1]![0] + 1);
  });

  it('internals: summary over GRU steps with the alignment; the recorded explorer.json labels steps by range', async () => {
    const runs = join(dir, 'runs');
    const r = await cli(['internals', '--model', MODEL, '--data', DATA, '--out', join(dir, 'internals'), '--runs-dir', runs, '--sequences', String(N), '--permutations', '9', '--projections', 'pca', '--no-png', '--quiet', '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      sequences: number;
      steps: number;
      alignment: { inputSteps: number; steps: number; ranges: [number, number][] }[];
      activity: { layer: string; units: number }[];
      gradientFlow: { hidden: { layer: string; lags: number }[] };
      run: string;
    };
    assert.equal(j.sequences, N);
    assert.equal(j.steps, N * REF.recurrentSteps);
    assert.deepEqual(j.alignment, [{ inputSteps: REF.inputSteps, steps: REF.recurrentSteps, ranges: REF.ranges }]);
    assert.deepEqual(j.activity.map((a) => [a.layer, a.units]), [['gru.GRU/forward', REF.units]]);
    // hidden-state lags count GRU steps
    assert.deepEqual(j.gradientFlow.hidden.map((g) => [g.layer, g.lags]), [['gru.GRU/forward', REF.recurrentSteps]]);
    const store = RunStore.open(runs);
    let ex: ExplorerData;
    try {
      ex = JSON.parse(readFileSync(join(store.runDir(j.run), 'explorer.json'), 'utf8')) as ExplorerData;
    } finally {
      store.close();
    }
    assert.equal(ex.sequences.length, N);
    for (const s of ex.sequences) {
      assert.equal(s.length, REF.recurrentSteps);
      assert.equal(s.inputLength, REF.inputSteps);
      assert.deepEqual(s.ranges, REF.ranges);
      assert.deepEqual(s.tokens, REF.ranges.map(([a, b]) => `t${a}-${b}`));
      const v = Buffer.from(s.values['gru.GRU/forward:h']!, 'base64');
      assert.equal(v.length, REF.recurrentSteps * REF.units);
    }
  });

  it('probe: per-frame tags probed at the GRU steps', async () => {
    const r = await cli(['probe', '--model', MODEL, '--data', TAGGED, '--folds', '3', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out) as { steps: number; sequences: number; classes: string[]; rows: { layer: string; byStep: { step: number }[] }[] };
    assert.equal(p.sequences, N);
    assert.equal(p.steps, N * REF.recurrentSteps);
    assert.deepEqual(p.classes, ['0', '1']);
    assert.ok(p.rows.length > 0 && p.rows.every((row) => row.layer === 'gru.GRU/forward'));
    assert.ok(p.rows.every((row) => row.byStep.every((b) => b.step < REF.recurrentSteps)));
  });

  it('intervene: units set at GRU steps change the outputs as in PyTorch', async () => {
    const iv = REF.intervention;
    const r = await cli(['intervene', '--model', MODEL, '--data', DATA, '--units', iv.units.join(','), '--mode', 'mean', '--steps', `${iv.from}:${iv.to}`, '--permutations', '9', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { layer: string; unitsInLayer: number; items: number; steps: { from: number; to: number }; intervened: { outputChange: number } };
    assert.deepEqual([j.layer, j.unitsInLayer, j.items], ['gru.GRU', REF.units, N]);
    assert.deepEqual(j.steps, { from: iv.from, to: iv.to });
    // float32 here, float32 in PyTorch: agreement to 0.1 % of the change
    assert.ok(Math.abs(j.intervened.outputChange - iv.outputChange) <= 1e-3 * iv.outputChange, `output change ${j.intervened.outputChange} vs ${iv.outputChange}`);
    // per-frame tags cannot score a model with one output per sequence
    const bad = await cli(['intervene', '--model', MODEL, '--data', TAGGED, '--units', '0', '--permutations', '0', '--no-record', '--json', '--quiet']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /intervene: argument 'task' expected a task the model's outputs can be scored on \(tagging needs one output per input step\), received tagging with a model that gives one output per sequence/);
    assert.doesNotMatch(bad.err, /\n\s+at /, 'no stack trace');
  });

  it('dynamics: fixed points of the GRU (per layer, no alignment needed)', async () => {
    const r = await cli(['dynamics', '--model', MODEL, '--data', DATA, '--starts', '16', '--no-record', '--json', '--quiet']);
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out) as { layer: string; units: number; points: unknown[] };
    assert.deepEqual([d.layer, d.units], ['gru.GRU/forward', REF.units]);
    assert.ok(d.points.length > 0, 'fixed points found');
  });
});
