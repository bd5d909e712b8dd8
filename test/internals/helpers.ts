/** Shared pieces of the internals tests: hand-made trace sets and a small trained bracket LSTM. */
import { readFileSync } from 'node:fs';
import { bracketDataset } from '../../src/data/synthetic/brackets.js';
import type { Dataset } from '../../src/data/dataset.js';
import { SequenceModel } from '../../src/nn/model.js';
import { train } from '../../src/train/trainer.js';
import type { StepMatrix, TraceSet } from '../../src/explain/internals/collect.js';

export interface Reference {
  rows: number;
  cols: number;
  bins: number;
  x: number[];
  annotation: number[];
  gates: number[];
  pearson: number[];
  mi: number[];
  left: number[];
  right: number[];
  pca: number[];
  pcaExplained: number[];
}

export const reference: Reference = JSON.parse(
  readFileSync(new URL('../fixtures/internals/reference.json', import.meta.url), 'utf8'),
) as Reference;

export function matrix(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  offsets: Int32Array,
): StepMatrix {
  return { data: Float32Array.from(values), rows, cols, offsets };
}

/** A one-layer LSTM trace set from given h and gate values (gates: 4 blocks of `units`). */
export function handMadeTraces(
  h: ArrayLike<number>,
  gates: ArrayLike<number>,
  rows: number,
  units: number,
  offsets: Int32Array,
): TraceSet {
  return {
    layers: [
      {
        key: 'lstm/forward',
        layer: 'lstm',
        direction: 'forward',
        cell: 'lstm',
        units,
        gateCount: 4,
        gateNames: ['i', 'f', 'g', 'o'],
        fields: ['h', 'c', 'gates', 'preact'],
      },
    ],
    sequences: Int32Array.from({ length: offsets.length - 1 }, (_, i) => i),
    offsets,
    totalSteps: rows,
    values: [
      { h: matrix(h, rows, units, offsets), gates: matrix(gates, rows, 4 * units, offsets) },
    ],
  };
}

export function evenOffsets(sequences: number, steps: number): Int32Array {
  return Int32Array.from({ length: sequences + 1 }, (_, i) => i * steps);
}

export function bracketModel(seed = 3, units = 12): SequenceModel {
  return new SequenceModel(
    {
      input: { kind: 'tokens', vocabSize: 9 },
      layers: [
        { kind: 'embedding', vocabSize: 9, dim: 8 },
        { kind: 'lstm', units, returnSequences: true },
        { kind: 'dense', units: 5 },
      ],
    },
    { seed },
  );
}

let trained: Promise<{ model: SequenceModel; data: Dataset }> | null = null;

/** A small LSTM trained to tag bracket depth (about a second), shared by the tests of a file. */
export function trainedBracketModel(): Promise<{ model: SequenceModel; data: Dataset }> {
  trained ??= (async () => {
    const data = bracketDataset({ n: 300, seed: 1, length: 30, maxDepth: 4 });
    const model = bracketModel();
    await train(model, data, {
      task: 'tagging',
      epochs: 12,
      batchSize: 16,
      seed: 1,
      optimizer: { type: 'adam', lr: 0.02 },
    });
    return { model, data };
  })();
  return trained;
}
