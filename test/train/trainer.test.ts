import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { addingDataset } from '../../src/data/synthetic/adding.js';
import { bracketDataset } from '../../src/data/synthetic/brackets.js';
import { splitDataset } from '../../src/data/split.js';
import { SequenceModel } from '../../src/nn/model.js';
import { train, type TrainConfig, type TrainState } from '../../src/train/trainer.js';
import { evaluate } from '../../src/train/evaluate.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';
import type { Dataset } from '../../src/data/dataset.js';

const motif = motifDataset({ n: 240, seed: 3, length: 12 });
const parts = splitDataset(motif, { seed: 1, validation: 0.2, test: 0, stratify: true });
const cfg: TrainConfig = { task: 'classification', epochs: 4, batchSize: 16, seed: 5, optimizer: { type: 'adam', lr: 1e-2 }, clipNorm: 5 };

function makeModel(ds: Dataset = motif, task: TrainConfig['task'] = 'classification'): SequenceModel {
  return new SequenceModel(buildModelConfig({ cell: 'lstm', hidden: 8, layers: 1, embedding: 6 }, ds, task), { backend: 'ts', seed: 11 });
}

const weights = (m: SequenceModel): number[] => m.parameters().flatMap((p) => Array.from(p.value));

test('train: the same seed gives bit-identical weights; another seed differs', async () => {
  const a = makeModel();
  const b = makeModel();
  const c = makeModel();
  await train(a, parts.train, cfg);
  await train(b, parts.train, cfg);
  await train(c, parts.train, { ...cfg, seed: 6 });
  assert.deepEqual(weights(a), weights(b));
  assert.notDeepEqual(weights(a), weights(c));
});

test('train: learns the motif task (validation accuracy well above chance) and records history and distributions', async () => {
  const m = makeModel();
  const r = await train(m, parts.train, { ...cfg, epochs: 8 }, { validation: parts.validation });
  assert.equal(r.history.length, 8);
  assert.ok(r.history[7]!.train.loss < r.history[0]!.train.loss, 'training loss falls');
  const acc = evaluate(m, parts.validation, 'classification').metrics.accuracy!;
  assert.ok(acc >= 0.8, `validation accuracy ${acc}`);
  const layers = new Set(r.distributions.map((d) => d.layer));
  assert.ok(layers.size >= 3, `distributions per layer: ${[...layers]}`);
  const rec = r.distributions.filter((d) => d.activations);
  assert.equal(rec.length, 8, 'one recurrent layer: hidden-state histograms every epoch');
  for (const d of rec) {
    assert.ok(d.activations!.min >= -1 && d.activations!.max <= 1, 'LSTM hidden states lie in [-1, 1]');
    assert.ok(d.gates!.min >= -1 && d.gates!.max <= 1);
  }
  for (const d of r.distributions) assert.equal(d.weights.counts.reduce((s, x) => s + x, 0), m.parameters().filter((p) => p.name.startsWith(d.layer + '/')).reduce((s, p) => s + p.value.length, 0));
});

test('train: resuming from an end-of-epoch checkpoint ends with the same weights as uninterrupted training', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-resume-'));
  try {
    const full = makeModel();
    await train(full, parts.train, { ...cfg, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
    const first = makeModel();
    let saved: TrainState | undefined;
    await train(first, parts.train, { ...cfg, epochs: 2, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } }, {
      onEpochEnd: (_r, state) => {
        saveModel(dir, first, { task: 'classification', trainState: state });
        saved = state;
      },
    });
    assert.equal(saved!.epoch, 2);
    const loaded = loadModel(dir, { backend: 'ts' });
    assert.deepEqual(loaded.trainState!.epoch, 2);
    await train(loaded.model, parts.train, { ...cfg, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } }, { resume: loaded.trainState });
    assert.deepEqual(weights(loaded.model), weights(full));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train: early stopping restores the best weights', async () => {
  const m = makeModel();
  const r = await train(m, parts.train, { ...cfg, epochs: 30, earlyStopping: { metric: 'loss', patience: 1, minDelta: 10 } }, { validation: parts.validation });
  assert.ok(r.stoppedEarly);
  assert.equal(r.history.length, 2, 'stops after patience 1 without a 10-unit improvement');
  assert.equal(r.bestEpoch, 1);
});

test('train: regression (adding) and tagging (brackets) tasks train and report their metrics', async () => {
  const add = addingDataset({ n: 120, seed: 2, length: 10 });
  const ma = makeModel(add, 'regression');
  await train(ma, add, { ...cfg, task: 'regression', epochs: 2 });
  const ea = evaluate(ma, add, 'regression').metrics;
  assert.ok(Number.isFinite(ea.rmse) && Number.isFinite(ea.mae));
  const br = bracketDataset({ n: 60, seed: 2, length: 16 });
  const mb = makeModel(br, 'tagging');
  await train(mb, br, { ...cfg, task: 'tagging', epochs: 2 });
  const eb = evaluate(mb, br, 'tagging').metrics;
  assert.ok(eb.stepAccuracy! > 0 && eb.stepAccuracy! <= 1);
});

test('train: bad input is a clear error', async () => {
  const m = makeModel();
  await assert.rejects(train(m, { ...motif, items: [] }, cfg), /training data.*at least one sequence/);
  await assert.rejects(train(m, motif, { ...cfg, epochs: 0 }), /epochs.*integer >= 1/);
  await assert.rejects(train(m, motif, { ...cfg, earlyStopping: { metric: 'f1' } }), /validation dataset/);
  await assert.rejects(train(m, parts.train, { ...cfg, epochs: 1, earlyStopping: { metric: 'nope' } }, { validation: parts.validation }), /earlyStopping.metric/);
});

test('checkpoint: saving is atomic and content-addressed; loading validates sizes and content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-ckpt-'));
  try {
    const m = makeModel();
    const f1 = saveModel(dir, m, { task: 'classification', classNames: ['a', 'b'] });
    m.parameters()[0]!.value[0]! += 1;
    const f2 = saveModel(dir, m, { task: 'classification' });
    assert.notEqual(f1.weights.file, f2.weights.file);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['model.json', f2.weights.file].sort(), 'the stale weights file is removed, no temp files left');
    const back = loadModel(dir, { backend: 'ts' });
    assert.deepEqual(weights(back.model), weights(m).map((v) => Math.fround(v)));
    // a crash before model.json is replaced leaves the previous checkpoint loadable
    writeFileSync(join(dir, 'weights-0123456789abcdef.bin'), 'partial');
    assert.deepEqual(weights(loadModel(dir, { backend: 'ts' }).model), weights(back.model));
    // corrupt weights: same size, different bytes
    const wp = join(dir, f2.weights.file);
    const bytes = readFileSync(wp);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(wp, bytes);
    assert.throws(() => loadModel(dir), /corrupt/);
    // truncated weights: size checked before reading
    writeFileSync(wp, bytes.subarray(0, 10));
    assert.throws(() => loadModel(dir), /bytes/);
    // a manifest that disagrees with the config (weights restored: sizes are checked first)
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(wp, bytes);
    const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    mj.weights.tensors[0].shape = [1, 1];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(mj));
    assert.throws(() => loadModel(dir), /weights\.tensors\[0\]/);
    writeFileSync(join(dir, 'model.json'), '{not json');
    assert.throws(() => loadModel(dir), /not valid JSON/);
    assert.throws(() => loadModel(join(dir, 'missing')), /no model at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
