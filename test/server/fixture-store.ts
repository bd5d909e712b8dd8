// A small run store shaped like what `rnnlens train` (and later explain/internals) writes:
// logged train_/val_ metrics per epoch, history.json, distributions.json, metrics.json, figure
// artifacts that link to units and sequences, a sequence list of thousands, a binary array;
// plus a second run to compare, a run still being written, one with a deleted artifact file and
// one with a figure that cannot be drawn.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { histogram } from '../../src/train/histograms.js';
import type { RunStore } from '../../src/runs/store.js';
import type { RunWriter } from '../../src/runs/writer.js';

export const UNITS = 8;
export const STEPS = 12;
export const SEQUENCES = 3000;
export const LABELS = ['ham', 'spam'];

const wave = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

export interface FixtureRuns {
  train: string;
  other: string;
  running: string;
  runningWriter: RunWriter;
  deleted: string;
  broken: string;
}

function writeTrainRun(store: RunStore, seed: number, epochs: number, rich: boolean): string {
  const modelConfig = {
    input: { kind: 'tokens', vocabSize: 500 },
    layers: [
      { kind: 'embedding', vocabSize: 500, dim: 16 },
      { kind: 'lstm', units: UNITS, returnSequences: false },
      { kind: 'dense', units: 2 },
    ],
  };
  const run = store.createRun({
    kind: 'train',
    config: { recipe: 'spam', model: { cell: 'lstm', hidden: UNITS }, modelConfig },
    seed,
    tags: ['spam', rich ? 'fixture' : 'baseline'],
  });
  const history: unknown[] = [];
  const dists: unknown[] = [];
  for (let e = 1; e <= epochs; e++) {
    const train = { loss: 0.7 / e + seed * 0.01, accuracy: 0.6 + 0.06 * e };
    const validation = { loss: 0.75 / e + 0.05, accuracy: 0.58 + 0.055 * e };
    for (const [k, v] of Object.entries(train)) run.logMetric(`train_${k}`, v, e);
    for (const [k, v] of Object.entries(validation)) run.logMetric(`val_${k}`, v, e);
    history.push({ epoch: e, lr: 0.001, seconds: 1.5, gradNorm: 1 / e, train, validation });
    ['embedding', 'lstm', 'dense'].forEach((layer, l) => {
      const w = wave(200, (i) => Math.sin(i * 0.7 + e) * (0.2 + 0.05 * e * (l + 1)) + 0.02 * l);
      const g = wave(200, (i) => (Math.cos(i * 1.3 + l) * 0.1) / (e + l));
      dists.push({
        epoch: e,
        layer,
        weights: histogram(w),
        gradients: histogram(g),
        updateRatio: 0.01 / (e + l),
      });
    });
  }
  run.writeJson('history.json', history);
  run.writeJson('distributions.json', dists);
  run.writeJson('metrics.json', {
    train: { accuracy: 0.9 },
    validation: { accuracy: 0.86 },
    test: { accuracy: 0.85 },
  });
  if (rich) {
    run.writeFigure('figures-confusion.json', {
      figure: 'confusion-matrix',
      title: 'Test confusion matrix',
      data: {
        labels: LABELS,
        matrix: [
          [40, 3],
          [5, 52],
        ],
      },
    });
    run.writeFigure('figures-hidden.json', {
      figure: 'heatmap',
      title: 'Hidden state of sequence 0 (units × steps)',
      data: {
        values: wave(UNITS, (u) => wave(STEPS, (t) => Math.tanh(Math.sin(u + t / 3)))),
        rowTitle: 'unit',
        colTitle: 'step',
        valueTitle: 'h',
      },
    });
    run.writeFigure('figures-saturation.json', {
      figure: 'saturation-scatter',
      data: {
        units: wave(UNITS, (u) => ({
          unit: u,
          left: (u % 4) / 10,
          right: (u % 5) / 8,
          gate: u < UNITS / 2 ? 'input' : 'forget',
        })),
      },
    });
    run.writeFigure('figures-projection.json', {
      figure: 'projection-trajectories',
      data: {
        sequences: wave(20, (s) => ({
          id: String(s),
          label: LABELS[s % 2],
          points: wave(6, (t) => [t * Math.cos(s), t * Math.sin(s)] as [number, number]),
        })),
      },
    });
    run.writeFigure('figures-tokens.json', {
      figure: 'token-attribution',
      data: {
        tokens: 'win a free cruise now reply to claim your prize'.split(' '),
        scores: [0.8, 0.05, 0.9, 0.4, 0.3, -0.2, -0.1, 0.5, -0.3, 0.7],
      },
    });
    run.writeJson(
      'sequences.json',
      wave(SEQUENCES, (i) => ({
        id: String(i),
        label: LABELS[i % 2],
        text: `message number ${i} ${i % 2 ? 'win a prize' : 'meeting at noon'}`,
      })),
    );
    run.writeFloat32('hidden.f32', new Float32Array(wave(UNITS * STEPS, (i) => i / 10)), [
      UNITS,
      STEPS,
    ]);
    run.writeText('log.txt', 'epoch 1 ... done\n');
  }
  run.finish('finished', {
    metrics: { train_accuracy: 0.9, val_accuracy: 0.86 - seed * 0.01, test_accuracy: 0.85 },
  });
  return run.id;
}

export function makeFixtureStore(store: RunStore): FixtureRuns {
  const other = writeTrainRun(store, 2, 4, false);
  const deletedW = store.createRun({ kind: 'explain', tags: ['deleted'] });
  deletedW.writeJson('gone.json', { a: 1 });
  deletedW.writeJson('kept.json', { b: 2 });
  deletedW.finish();
  rmSync(join(store.root, deletedW.id, 'gone.json'));
  const brokenW = store.createRun({ kind: 'internals' });
  brokenW.writeFigure('figures-bad.json', { figure: 'no-such-figure', data: { x: 1 } });
  brokenW.writeFigure('figures-good.json', {
    figure: 'gradient-flow',
    data: { points: wave(6, (k) => ({ lag: k, norm: Math.exp(-k), series: 'lstm' })) },
  });
  brokenW.finish();
  const train = writeTrainRun(store, 1, 5, true);
  // still being written by this (live) process: readers must get 409 for its artifacts
  const runningWriter = store.createRun({ kind: 'train', tags: ['live'] });
  runningWriter.logMetric('train_loss', 0.9, 1);
  runningWriter.writeJson('history.json', []);
  return {
    train,
    other,
    running: runningWriter.id,
    runningWriter,
    deleted: deletedW.id,
    broken: brokenW.id,
  };
}
