/**
 * A sequence's outputs and input gradients on the wasm backend do not depend on the batch it
 * sits in: the last 1 or 2 rows of a block run narrow GEMM tiles (1 row × 32 columns, 2 rows × 16),
 * the others the 4×8 tiles, and both give every element the same operations in the same order.
 * So row r of a batch of B equals, bit for bit, row r of a batch of 40 (whole 4-row tiles), for
 * batches that end in 1, 2 or 3 rows, inside and past the 32-row blocks of the backward GEMM,
 * with layer widths that leave whole, leftover and partial 8-column panels.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/core/tensor.js';
import { createWasmBackend } from '../../src/core/wasm-backend.js';
import type { SeqBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';

const one = createWasmBackend({ threads: 1 });
const two = createWasmBackend({ threads: 2, minParallelMacs: 0 });
after(() => {
  one.close();
  two.close();
});

const T = 7;
const D = 5;
const K = 3;
const FULL = 40;

function rows(B: number): SeqBatch {
  const rng = new Rng(23);
  const data = new Float32Array(FULL * T * D);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const lengths = Int32Array.from({ length: FULL }, (_, b) => 1 + ((b * 5) % T));
  return {
    data: data.subarray(0, B * T * D),
    batch: B,
    steps: T,
    features: D,
    lengths: lengths.subarray(0, B),
  };
}

function run(m: SequenceModel, B: number): { y: Float32Array; g: Float32Array } {
  const x = rows(B);
  const seed = new Float32Array(B * K);
  for (let b = 0; b < B; b++) for (let k = 0; k < K; k++) seed[b * K + k] = 1 + k - 0.25 * (b % 3);
  const { output, grad } = m.inputGradient(x, new Tensor([B, K], seed));
  return { y: Float32Array.from(output.data), g: Float32Array.from(grad.data) };
}

for (const cell of ['lstm', 'gru', 'simple_rnn'] as const) {
  test(`${cell}: every row equals the same row of a batch of ${FULL}, bit for bit (1 and 2 threads)`, () => {
    for (const backend of [one, two]) {
      // widths 24 (LSTM: 12 panels, GRU: 9) and 10 (padded to 12: partial panels)
      const m = new SequenceModel(
        {
          input: { kind: 'numeric', features: D },
          layers: [
            { kind: cell, units: 24, returnSequences: true },
            { kind: cell, units: 10 },
            { kind: 'dense', units: K },
          ],
          init: 'torch',
        },
        { backend, seed: 8 },
      );
      const ref = run(m, FULL);
      assert.ok(ref.g.some((v) => v !== 0), `${cell}: gradients are not all zero`);
      for (const B of [1, 2, 3, 5, 6, 7, 9, 10, 33, 34, 35, 37, 38]) {
        const r = run(m, B);
        assert.deepEqual(Array.from(r.y), Array.from(ref.y.subarray(0, B * K)), `${cell} outputs, batch ${B}`);
        assert.deepEqual(
          Array.from(r.g),
          Array.from(ref.g.subarray(0, B * T * D)),
          `${cell} input gradients, batch ${B}`,
        );
      }
    }
  });
}
