import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyseInternals,
  defaultAnnotations,
  internalsSummary,
} from '../../src/explain/internals/analyse.js';
import {
  activityRecorder,
  distributionFigures,
  histogramValues,
  unitActivity,
  updateRatios,
} from '../../src/explain/internals/dynamics.js';
import { collectTraces, matrixOf } from '../../src/explain/internals/collect.js';
import { stepTokens } from '../../src/explain/internals/annotations.js';
import { visibleToken } from '../../src/explain/internals/unit-figures.js';
import { bracketDataset } from '../../src/data/synthetic/brackets.js';
import { train } from '../../src/train/trainer.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { runCli } from '../../src/cli/main.js';
import { SequenceModel } from '../../src/nn/model.js';
import { buildFigure } from '../../src/report/figures/index.js';
import { bracketModel, evenOffsets, handMadeTraces, trainedBracketModel } from './helpers.js';

test('analyseInternals on the bracket LSTM finds the depth unit unprompted and builds every figure', async () => {
  const { model, data } = await trainedBracketModel();
  assert.deepEqual(defaultAnnotations(data), [
    'quotes',
    'line-position',
    'bracket-depth',
    'char-class',
    'token',
    'tags',
  ]);
  const r = analyseInternals(model, data, {
    maxSequences: 60,
    permutations: 19,
    projections: ['pca'],
    seed: 1,
    select: { sequence: 0, start: 3, end: 6 },
  });
  assert.equal(r.selection!.layer, 'lstm/forward');
  assert.ok(r.selection!.matches.every((m) => m.end - m.start === 3 && m.hits > 0));
  // no quotes in this data: a constant annotation is dropped
  assert.ok(!r.annotations.includes('quotes') && r.annotations.includes('line-position'));
  const depth = r.bestUnits.find((u) => u.annotation === 'bracket-depth')!;
  assert.ok(Math.abs(depth.r) >= 0.9, `|r| = ${Math.abs(depth.r)}`);
  assert.equal(depth.p, 0.05);
  assert.equal(r.steps, 60 * 30);
  assert.deepEqual(
    r.saturation[0]!.summary.map((s) => s.gate),
    ['i', 'f', 'o'],
  );
  assert.equal(r.gradientFlow.memory[0]!.gate, 'f');
  assert.ok(r.coclustering[0]!.result.tokens.includes('('));
  const kinds = [...new Set(r.figures.map((f) => f.kind))].sort();
  assert.deepEqual(kinds, [
    'gradient-flow',
    'heatmap',
    'projection-trajectories',
    'saturation-scatter',
    'token-attribution',
  ]);
  // the depth unit drawn over the text of the sequence whose depth varies most
  const fig = r.figures.find((f) => f.name === 'unit-bracket-depth')!;
  assert.equal(fig.kind, 'token-attribution');
  const fd = fig.data as { tokens: string[]; scores: number[]; title: string };
  const shown = Number(/sequence (\d+)$/.exec(fd.title)![1]);
  const direct = collectTraces(model, data, { sequences: [shown] });
  const h = matrixOf(direct, depth.layer, depth.field);
  assert.deepEqual(
    fd.scores,
    Array.from({ length: h.m.rows }, (_, t) => h.m.data[t * h.m.cols + depth.unit]!),
  );
  const depthOf = (toks: string[]): number[] => {
    let d = 0;
    return toks.map((t) => (d = '([{'.includes(t) ? d + 1 : ')]}'.includes(t) ? Math.max(0, d - 1) : d));
  };
  const variance = (v: number[]): number => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  };
  const tokensOf = (i: number): string[] => stepTokens(data, Int32Array.from([i]))[0]!;
  assert.deepEqual(fd.tokens, tokensOf(shown).map(visibleToken));
  const vShown = variance(depthOf(tokensOf(shown)));
  for (let i = 0; i < 60; i++) assert.ok(variance(depthOf(tokensOf(i))) <= vShown + 1e-12, `sequence ${i}`);
  for (const f of r.figures) assert.ok(buildFigure(f.kind, f.data), f.name);
  const s = internalsSummary(r) as { units: { annotation: string }[]; saturation: unknown[] };
  assert.equal(s.saturation.length, 3);
  assert.ok(s.units.some((u) => u.annotation === 'bracket-depth'));
});

test('training dynamics: histograms over epochs, update ratios, dead and saturated units', async () => {
  const data = bracketDataset({ n: 40, seed: 2, length: 15, maxDepth: 4 });
  const model = bracketModel(7, 6);
  const rec = activityRecorder(model, data, { maxSequences: 10 });
  const res = await train(
    model,
    data,
    { task: 'tagging', epochs: 3, batchSize: 20, seed: 1, optimizer: { type: 'adam', lr: 0.01 } },
    { onEpochEnd: rec.onEpochEnd },
  );
  assert.deepEqual(
    rec.records.map((x) => x.epoch),
    [1, 2, 3],
  );
  const ratios = updateRatios(res.distributions);
  assert.deepEqual(
    ratios.map((x) => x.layer),
    ['embedding', 'lstm', 'dense'],
  );
  assert.ok(
    ratios.every((x) => x.points.length === 3 && x.points.every((p) => p.ratio > 0 && p.ratio < 1)),
  );
  const figs = distributionFigures(res.distributions);
  assert.deepEqual(
    figs.map((f) => f.name),
    [
      'weights of embedding',
      'gradients of embedding',
      'weights of lstm',
      'gradients of lstm',
      'activations of lstm',
      'gates of lstm',
      'weights of dense',
      'gradients of dense',
    ],
  );
  assert.ok(buildFigure('histogram-over-epochs', figs[2]!));
  const h = res.distributions[0]!.weights;
  const v = histogramValues(h);
  assert.equal(
    v.length,
    h.counts.reduce((a, c) => a + c, 0),
  );
  // a hand-made layer: unit 0 never active, unit 1 stuck near +1, unit 2 ordinary
  const rows = 20;
  const hs = Float32Array.from({ length: rows * 3 }, (_, i) =>
    i % 3 === 0 ? 0 : i % 3 === 1 ? 0.99 : Math.sin(i),
  );
  const act = unitActivity(
    handMadeTraces(hs, new Float32Array(rows * 12), rows, 3, evenOffsets(2, 10)),
  );
  assert.deepEqual(act[0], { layer: 'lstm/forward', units: 3, dead: [0], saturated: [1] });
  const real = unitActivity(collectTraces(model, data, { fields: ['h'] }));
  assert.equal(real[0]!.units, 6);
});

test('CLI: rnnlens internals writes data and figures and prints the JSON summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-internals-'));
  const writes: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  const origErr0 = process.stderr.write.bind(process.stderr);
  try {
    const data = bracketDataset({ n: 40, seed: 0, length: 40 });
    const model = new SequenceModel({
      input: { kind: 'tokens', vocabSize: 9 },
      layers: [
        { kind: 'embedding', vocabSize: 9, dim: 8 },
        { kind: 'lstm', units: 8, returnSequences: true },
        { kind: 'dense', units: 6 },
      ],
    });
    const trained = await train(model, data, { task: 'tagging', epochs: 2, batchSize: 20, seed: 0 });
    saveModel(join(dir, 'model'), model, { task: 'tagging', meta: { recipe: 'brackets' } });
    // a run folder's layout: <run>/model and <run>/distributions.json (found without being named)
    writeFileSync(join(dir, 'distributions.json'), JSON.stringify(trained.distributions));
    const out = join(dir, 'out');
    process.stdout.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const firstErrs: string[] = [];
    process.stderr.write = ((chunk: string) => {
      firstErrs.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const code = await runCli([
      'internals',
      '--no-record',
      '--model',
      join(dir, 'model'),
      '--out',
      out,
      '--json',
      '--sequences',
      '20',
      '--permutations',
      '9',
      '--projections',
      'pca',
      '--annotate',
      'bracket-depth,tags',
      '--traces',
    ]);
    process.stdout.write = orig;
    process.stderr.write = origErr0;
    assert.equal(code, 0, firstErrs.join(''));
    const summary = JSON.parse(writes.join('')) as {
      units: { layer: string; unit: number; annotation: string; score: number; p: number }[];
      saturation: unknown[];
      gradientFlow: unknown;
    };
    assert.deepEqual(
      summary.units.map((u) => u.annotation),
      ['bracket-depth', 'tags'],
    );
    assert.ok(summary.units.every((u) => u.p >= 0.1 && u.p <= 1 && u.layer === 'lstm/forward'));
    for (const f of [
      'summary.json',
      'internals.json',
      'structure.svg',
      'structure.png',
      'saturation-lstm-forward.svg',
      'saturation-lstm-forward.png',
      'gradient-flow.json',
      'projection-pca-lstm-forward.svg',
      'unit-bracket-depth.png',
      'distribution-weights-of-lstm.png',
      'traces/manifest.json',
    ])
      assert.ok(existsSync(join(out, f)), f);
    // a file that is not the trainer's distributions is refused with a clear error
    const errs: string[] = [];
    const origErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      errs.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    writeFileSync(join(dir, 'bad.json'), '{"not": "distributions"}');
    const bad = await runCli(['internals', '--no-record', '--model', join(dir, 'model'), '--out', out, '--quiet', '--distributions', join(dir, 'bad.json'), '--projections', 'none']);
    process.stderr.write = origErr;
    assert.notEqual(bad, 0);
    assert.match(errs.join(''), /--distributions expected a JSON array/);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), summary);
  } finally {
    process.stdout.write = orig;
    process.stderr.write = origErr0;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI and library: clear errors for a model without recurrent layers and a model with no recipe', async () => {
  const model = new SequenceModel({
    input: { kind: 'tokens', vocabSize: 9 },
    layers: [
      { kind: 'embedding', vocabSize: 9, dim: 4 },
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 2 },
    ],
  });
  const data = bracketDataset({ n: 4, seed: 0, length: 5 });
  assert.throws(
    () => analyseInternals(model, data),
    /internals: argument 'model' expected a model with at least one recurrent layer \(simple_rnn, lstm, gru, bidirectional\), received layers \[embedding, head, dense\]/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-internals-'));
  const errs: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  try {
    saveModel(dir, bracketModel(), { task: 'tagging' });
    process.stderr.write = ((c: string) => (
      errs.push(String(c)),
      true
    )) as typeof process.stderr.write;
    const code = await runCli(['internals', '--no-record', '--model', dir, '--json']);
    process.stderr.write = orig;
    assert.equal(code, 1);
    assert.match(errs.join(''), /records no recipe; pass --recipe NAME/);
  } finally {
    process.stderr.write = orig;
    rmSync(dir, { recursive: true, force: true });
  }
});
