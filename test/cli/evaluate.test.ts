/**
 * `rnnlens evaluate`: the scores of src/verify/evaluate-model.ts on fixed prediction sets against
 * scikit-learn / SciPy (tools/make_evaluate_fixtures.py), the whole command on Keras and TF.js
 * models with labelled data files, recipes with fitted baselines, run records and bad input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { SequenceModel } from '../../src/nn/model.js';
import { RunStore } from '../../src/runs/store.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { getRecipe } from '../../src/train/recipes.js';
import { compareClassifiers, drawResamples, scoreClassifier } from '../../src/verify/evaluate-model.js';
import { wilsonBounds } from '../../src/verify/stats/proportion.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const EVAL = join(FIX, 'evaluate');
const KERAS = join(FIX, 'keras');

interface Ref {
  model: string;
  probabilities: number[][];
  accuracy: number;
  balancedAccuracy: number;
  f1: number;
  logLoss: number;
  rocAuc: number;
  brier: number;
  calibration: { ece: number; mce: number; counts: number[]; probTrue: number[]; probPred: number[] };
  accuracyWilson: [number, number];
  majority: { class: number; accuracy: number };
  mcnemar: { b: number; c: number; pvalue: number };
}

const REF = JSON.parse(readFileSync(join(EVAL, 'sklearn.json'), 'utf8')) as Record<'lstm3' | 'sigmoid', Ref>;
const DATA = { lstm3: join(EVAL, 'lstm3.json'), sigmoid: join(EVAL, 'sigmoid.json') };
const labelsOf = (k: 'lstm3' | 'sigmoid') => Int32Array.from((JSON.parse(readFileSync(DATA[k], 'utf8')) as { labels: number[] }).labels);

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
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

interface Json {
  format: string;
  scores: { n: number; numClasses: number; metrics: Record<string, { value: number; ci: [number, number] | null; method: string }>; calibration: { ece: number; mce: number; table: Array<{ count: number; meanPredicted: number | null; fractionPositive: number | null }> } };
  baselines: Array<{ name: string; scores: { metrics: Record<string, { value: number }> }; comparison: { difference: { value: number; ci: [number, number] }; mcnemar: { b: number; c: number; pvalue: number } } }>;
  run?: string;
}

/** Every number the command reports against the reference, `tol` relative (float32 predictions). */
function checkAgainst(j: Json, ref: Ref, tol: number): void {
  const m = j.scores.metrics;
  for (const k of ['accuracy', 'balancedAccuracy', 'f1', 'logLoss', 'rocAuc', 'brier'] as const) close(m[k]!.value, ref[k], tol, k);
  close(m.accuracy!.ci![0], ref.accuracyWilson[0], 1e-9, 'Wilson low');
  close(m.accuracy!.ci![1], ref.accuracyWilson[1], 1e-9, 'Wilson high');
  close(j.scores.calibration.ece, ref.calibration.ece, tol, 'ECE');
  close(j.scores.calibration.mce, ref.calibration.mce, tol, 'MCE');
  assert.deepEqual(j.scores.calibration.table.map((b) => b.count), ref.calibration.counts);
  const full = j.scores.calibration.table.filter((b) => b.count > 0);
  full.forEach((b, i) => {
    close(b.fractionPositive!, ref.calibration.probTrue[i]!, 1e-12, `bin ${i} observed`);
    close(b.meanPredicted!, ref.calibration.probPred[i]!, tol, `bin ${i} predicted`);
  });
  const maj = j.baselines.find((b) => b.name === 'majority')!;
  close(maj.scores.metrics.accuracy!.value, ref.majority.accuracy, 1e-12, 'majority accuracy');
  close(maj.comparison.difference.value, ref.accuracy - ref.majority.accuracy, 1e-12, 'accuracy difference');
  assert.equal(maj.comparison.mcnemar.b, ref.mcnemar.b);
  assert.equal(maj.comparison.mcnemar.c, ref.mcnemar.c);
  close(maj.comparison.mcnemar.pvalue, ref.mcnemar.pvalue, 1e-9, 'McNemar p');
}

describe('evaluate: scores against scikit-learn', () => {
  for (const k of ['lstm3', 'sigmoid'] as const) {
    it(`${k}: metrics, Wilson interval, ECE and reliability bins of the fixed predictions`, () => {
      const ref = REF[k];
      const y = labelsOf(k);
      const C = ref.probabilities[0]!.length;
      const rows = Float64Array.from(ref.probabilities.flat());
      const s = scoreClassifier(y, rows, C, { resamples: 300, seed: 1 });
      const b = compareClassifiers(y, rows, Float64Array.from({ length: rows.length }, (_, i) => (i % C === ref.majority.class ? 1 : 0)), C, { resamples: 300, seed: 1 });
      const j = { format: 'x', scores: { ...s, calibration: { ...s.calibration, table: s.calibration.table } }, baselines: [{ name: 'majority', scores: { metrics: { accuracy: { value: ref.majority.accuracy } } }, comparison: b }] } as unknown as Json;
      checkAgainst(j, ref, 1e-12);
      for (const [name, e] of Object.entries(s.metrics)) {
        assert.ok(e.ci && e.ci[0] <= e.value + 1e-12 && e.value <= e.ci[1] + 1e-12, `${name}: ${e.value} outside its interval ${e.ci}`);
      }
    });
  }

  it('Wilson intervals at the edges, the bootstrap is seeded', () => {
    const [lo, hi] = wilsonBounds(0, 10);
    assert.equal(lo, 0);
    close(hi, 0.27753279986288926, 1e-12, 'Wilson 0/10 (scipy)');
    assert.deepEqual(drawResamples(20, 3, 5), drawResamples(20, 3, 5));
    assert.notDeepEqual(drawResamples(20, 3, 5), drawResamples(20, 3, 6));
  });
});

describe('rnnlens evaluate', () => {
  it('a Keras .keras model on a labelled data file: every number as scikit-learn gives it on the reference predictions', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'rnnlens-eval-'));
    const r = await cli(['evaluate', '--model', join(KERAS, 'lstm_softmax.keras'), '--data', DATA.lstm3, '--json', '--resamples', '200', '--runs-dir', runs]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Json;
    assert.equal(j.format, 'keras');
    assert.equal(j.scores.n, 60);
    checkAgainst(j, REF.lstm3, 1e-5);
    // recorded as an evaluate run with its artifact and flat metrics
    const store = RunStore.open(runs);
    try {
      const run = store.get(j.run!);
      assert.equal(run.kind, 'evaluate');
      assert.equal(run.status, 'finished');
      close(run.metrics.accuracy!, REF.lstm3.accuracy, 1e-9, 'recorded accuracy');
    } finally {
      store.close();
    }
  });

  it('a Keras 2 .h5 model with one sigmoid output is a binary classifier; its TF.js twin scores the same', async () => {
    const r = await cli(['evaluate', '--model', join(KERAS, 'embedding_gru_hard.h5'), '--data', DATA.sigmoid, '--json', '--resamples', '200', '--no-record']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Json;
    assert.equal(j.scores.numClasses, 2);
    checkAgainst(j, REF.sigmoid, 1e-5);
    const t = await cli(['evaluate', '--model', join(KERAS, 'embedding_gru_hard_k2_tfjs', 'model.json'), '--data', DATA.sigmoid, '--json', '--resamples', '200', '--no-record']);
    assert.equal(t.code, 0, t.err);
    const tj = JSON.parse(t.out) as Json;
    assert.equal(tj.format, 'tfjs');
    for (const k of Object.keys(j.scores.metrics)) close(tj.scores.metrics[k]!.value, j.scores.metrics[k]!.value, 1e-6, `twin ${k}`);
    const text = await cli(['evaluate', '--model', join(KERAS, 'embedding_gru_hard.h5'), '--data', DATA.sigmoid, '--resamples', '50', '--no-record']);
    assert.match(text.out, /accuracy\s+0\.8000\s+\[0\.6696, 0\.8876\]\s+wilson/);
    assert.match(text.out, /calibration \(probability of class 1, 10 equal-width bins\): ECE 0\.2719/);
    assert.match(text.out, /McNemar \(mcnemar-exact\): model right \/ baseline wrong 18, the reverse 4, p = 0\.0043/);
  });

  it('recipes: a native classifier with majority and forest baselines fitted on the train split; a regressor against the mean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-eval-native-'));
    const motif = getRecipe('motif').load({ seed: 0 });
    const clf = new SequenceModel({ input: { kind: 'tokens', vocabSize: motif.train.vocabSize! }, layers: [{ kind: 'embedding', vocabSize: motif.train.vocabSize!, dim: 4 }, { kind: 'lstm', units: 4 }, { kind: 'dense', units: motif.train.classNames!.length }] }, { backend: 'ts', seed: 3 });
    saveModel(join(dir, 'clf'), clf, { task: 'classification', preprocessing: {} });
    let r = await cli(['evaluate', '--model', join(dir, 'clf'), '--recipe', 'motif', '--limit', '80', '--baseline', 'majority', 'forest', '--trees', '5', '--forest-rows', '200', '--resamples', '100', '--json', '--no-record']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Json & { source: string; baselines: Array<{ fittedOn: string }> };
    assert.equal(j.scores.n, 80);
    assert.match(j.source, /recipe motif, test split/);
    assert.deepEqual(j.baselines.map((b) => b.name), ['majority', 'forest']);
    assert.match(j.baselines[0]!.fittedOn, /train split \(\d+ items\)/);
    const adding = getRecipe('adding').load({ seed: 0 });
    const reg = new SequenceModel({ input: { kind: 'numeric', features: adding.train.features }, layers: [{ kind: 'gru', units: 3 }, { kind: 'dense', units: 1 }] }, { backend: 'ts', seed: 3 });
    saveModel(join(dir, 'reg'), reg, { task: 'regression', preprocessing: {} });
    r = await cli(['evaluate', '--model', join(dir, 'reg'), '--recipe', 'adding', '--limit', '50', '--resamples', '100', '--json', '--no-record']);
    assert.equal(r.code, 0, r.err);
    const rj = JSON.parse(r.out) as Json;
    assert.deepEqual(Object.keys(rj.scores.metrics).sort(), ['mae', 'r2', 'rmse']);
    assert.equal(rj.baselines[0]!.name, 'mean');
  });

  it('bad input: one clear message, non-zero exit, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-eval-bad-'));
    const model = join(KERAS, 'lstm_softmax.keras');
    const raw = JSON.parse(readFileSync(DATA.lstm3, 'utf8')) as { inputs: unknown[]; labels: number[] };
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ ...raw, labels: raw.labels.slice(1) }));
    writeFileSync(join(dir, 'both.json'), JSON.stringify({ ...raw, values: raw.labels }));
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ ...raw, labels: raw.labels.map(() => 5) }));
    const cases: Array<[string[], RegExp]> = [
      [['--model', model], /give the labelled items: --data FILE/],
      [['--model', model, '--data', join(dir, 'short.json')], /"labels" must be an array of 60 labels/],
      [['--model', model, '--data', join(dir, 'both.json')], /exactly one of "labels" \(classification\) and "values"/],
      [['--model', model, '--data', join(dir, 'big.json')], /labels\[0\] = 5 but the model has 3 classes/],
      [['--model', model, '--data', DATA.lstm3, '--baseline', 'forest'], /--baseline forest needs training items/],
      [['--model', model, '--data', DATA.lstm3, '--baseline', 'coin'], /--baseline expected majority, forest, mean, none/],
      [['--model', join(KERAS, 'bad_conv1d.keras'), '--data', DATA.lstm3], /layer 'conv1d' \(Conv1D\): 'layers\/conv1d\/vars' holds variables \[\] but this layer has 2 \(kernel, bias\)/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(['evaluate', ...args, '--no-record']);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, re);
      assert.doesNotMatch(r.err, /\n\s+at /);
    }
  });
});
