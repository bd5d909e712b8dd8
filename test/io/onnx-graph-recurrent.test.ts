/**
 * Recurrent nodes inside general graphs, against onnxruntime: initial states and sequence_lens as
 * graph inputs with unequal lengths, a bidirectional node whose Y and Y_h are both
 * used, and a reverse-only node's Y (read back in input order) feeding a reduction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importOnnx, runOnnxImport } from '../../src/io/onnx/import.js';
import { buildOnnx, values, type GraphSpec } from './onnx-build.js';
import { runOrt, type OrtFeed } from './ort.js';

const B = 3, T = 5, F = 2, H = 3;
const GATES = { RNN: 1, LSTM: 4, GRU: 3 } as const;

function inits(op: keyof typeof GATES, D: number, seed: number): GraphSpec['inits'] {
  const g = GATES[op] * H;
  return [
    { name: 'W', dims: [D, g, F], data: values(D * g * F, seed) },
    { name: 'R', dims: [D, g, H], data: values(D * g * H, seed + 1) },
    { name: 'B', dims: [D, 2 * g], data: values(D * 2 * g, seed + 2) },
  ];
}

async function check(spec: GraphSpec, feeds: Record<string, OrtFeed>): Promise<void> {
  const bytes = buildOnnx(spec);
  const ref = await runOrt(bytes, feeds);
  const imp = importOnnx(bytes, { backend: 'ts64' });
  assert.equal(imp.mode, 'graph');
  const y = runOnnxImport(imp, feeds);
  assert.deepEqual(y.shape, ref.shape);
  for (let i = 0; i < ref.data.length; i++) assert.ok(Math.abs(y.data[i]! - ref.data[i]!) < 1e-5, `[${i}] ${y.data[i]} vs ${ref.data[i]}`);
}

describe('recurrent nodes in general graphs', () => {
  it('LSTM with initial_h, initial_c and sequence_lens inputs (unequal lengths) → ReduceMax over time', async () => {
    await check(
      {
        opset: 14,
        nodes: [
          { op: 'LSTM', inputs: ['x', 'W', 'R', 'B', 'lens', 'h0', 'c0'], outputs: ['y', 'yh'], attrs: { hidden_size: H } },
          { op: 'ReduceMax', inputs: ['y'], outputs: ['m'], attrs: { axes: [0], keepdims: 0 } },
          { op: 'Squeeze', inputs: ['m', 'ax'], outputs: ['out'] },
        ],
        inits: [...inits('LSTM', 1, 3), { name: 'ax', dims: [1], data: [0], int: true }],
        inputs: [
          { name: 'x', dims: [T, 'batch', F] },
          { name: 'lens', dims: ['batch'], elem: 6 },
          { name: 'h0', dims: [1, 'batch', H] },
          { name: 'c0', dims: [1, 'batch', H] },
        ],
        outputs: [{ name: 'out', dims: ['batch', H] }],
      },
      {
        x: { shape: [T, B, F], data: values(T * B * F, 9), dtype: 'float32' },
        lens: { shape: [B], data: [5, 3, 1], dtype: 'int32' },
        h0: { shape: [1, B, H], data: values(B * H, 11), dtype: 'float32' },
        c0: { shape: [1, B, H], data: values(B * H, 12), dtype: 'float32' },
      },
    );
  });

  it('bidirectional GRU: mean of Y over time concatenated with Y_h (onnxruntime has no layout 1; the node tests cover it)', async () => {
    await check(
      {
        opset: 14,
        nodes: [
          { op: 'GRU', inputs: ['x', 'W', 'R', 'B'], outputs: ['y', 'yh'], attrs: { hidden_size: H, direction: 'bidirectional', linear_before_reset: 1 } },
          { op: 'ReduceMean', inputs: ['y'], outputs: ['m'], attrs: { axes: [0], keepdims: 0 } },
          { op: 'Transpose', inputs: ['m'], outputs: ['mt'], attrs: { perm: [1, 0, 2] } },
          { op: 'Transpose', inputs: ['yh'], outputs: ['ht'], attrs: { perm: [1, 0, 2] } },
          { op: 'Reshape', inputs: ['mt', 'shape'], outputs: ['mf'] },
          { op: 'Reshape', inputs: ['ht', 'shape'], outputs: ['hf'] },
          { op: 'Concat', inputs: ['mf', 'hf'], outputs: ['cat'], attrs: { axis: 1 } },
          { op: 'Gemm', inputs: ['cat', 'K'], outputs: ['out'], attrs: { transB: 1 } },
        ],
        inits: [...inits('GRU', 2, 5), { name: 'shape', dims: [2], data: [0, -1], int: true }, { name: 'K', dims: [2, 4 * H], data: values(8 * H, 4) }],
        inputs: [{ name: 'x', dims: [T, 'batch', F] }],
        outputs: [{ name: 'out', dims: ['batch', 2] }],
      },
      { x: { shape: [T, B, F], data: values(T * B * F, 2), dtype: 'float32' } },
    );
  });

  it("a reverse-only RNN's Y in input order → Softmax over time", async () => {
    await check(
      {
        opset: 13,
        nodes: [
          { op: 'RNN', inputs: ['x', 'W', 'R', 'B'], outputs: ['y'], attrs: { hidden_size: H, direction: 'reverse' } },
          { op: 'Softmax', inputs: ['y'], outputs: ['out'], attrs: { axis: 0 } },
        ],
        inits: inits('RNN', 1, 8),
        inputs: [{ name: 'x', dims: [T, 'batch', F] }],
        outputs: [{ name: 'out', dims: [T, 1, 'batch', H] }],
      },
      { x: { shape: [T, B, F], data: values(T * B * F, 6), dtype: 'float32' } },
    );
  });
});
