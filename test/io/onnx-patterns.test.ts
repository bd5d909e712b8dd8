/**
 * ONNX patterns torch.onnx.export does not emit, built here and checked against onnxruntime-node:
 * layout 1, sequence_lens, GRU linear_before_reset 0, reverse direction, summed directions,
 * initial states as graph inputs, time-major outputs; and the errors for unsupported graphs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RnnlensError } from '../../src/core/errors.js';
import { importOnnx, runOnnxImport } from '../../src/io/onnx/import.js';
import { assertClose } from './helpers.js';
import { buildOnnx, values, type GraphSpec } from './onnx-build.js';
import { runOrt, type OrtFeed } from './ort.js';

const [B, T, F, H] = [2, 5, 3, 4];
const G = { RNN: 1, LSTM: 4, GRU: 3 } as const;

function rnnInits(op: keyof typeof G, D: number, seed: number, inF = F): GraphSpec['inits'] {
  const g = G[op] * H;
  return [
    { name: 'W', dims: [D, g, inF], data: values(D * g * inF, seed) },
    { name: 'R', dims: [D, g, H], data: values(D * g * H, seed + 1) },
    { name: 'B', dims: [D, 2 * g], data: values(D * 2 * g, seed + 2) },
  ];
}

/** Imports `spec` and compares with onnxruntime running `reference` (default: the same graph). */
async function check(spec: GraphSpec, feeds: Record<string, OrtFeed>, reference: GraphSpec = spec): Promise<void> {
  const bytes = buildOnnx(spec);
  const ref = await runOrt(buildOnnx(reference), feeds);
  const imp = importOnnx(bytes, { backend: 'ts' });
  const ours = runOnnxImport(imp, feeds);
  assert.deepEqual(ours.shape, ref.shape);
  assertClose(ours.data, ref.data, 1e-5, 'rnnlens vs onnxruntime');
}

const xBF: OrtFeed = { shape: [B, T, F], data: values(B * T * F, 99), dtype: 'float32' };
const xTM: OrtFeed = { shape: [T, B, F], data: values(B * T * F, 98), dtype: 'float32' };

describe('ONNX recurrent patterns vs onnxruntime-node', () => {
  it('LSTM layout 1, bidirectional, sequence_lens, Y_h reshaped to [B, 2H]', async () => {
    // onnxruntime's CPU kernels refuse layout 1, so the reference is the same model in layout 0.
    const common = [...rnnInits('LSTM', 2, 1), { name: 'shape', dims: [2], data: [0, -1], int: true }];
    const io = {
      inputs: [{ name: 'x', dims: ['batch', 'steps', F] as Array<number | string> }, { name: 'lens', dims: ['batch'] as Array<number | string>, elem: 6 }],
      outputs: [{ name: 'out', dims: ['batch', 2 * H] as Array<number | string> }],
    };
    const attrs = { hidden_size: H, direction: 'bidirectional' };
    await check(
      {
        nodes: [
          { op: 'LSTM', inputs: ['x', 'W', 'R', 'B', 'lens'], outputs: ['', 'yh'], attrs: { ...attrs, layout: 1 } },
          { op: 'Reshape', inputs: ['yh', 'shape'], outputs: ['out'] },
        ],
        inits: common,
        ...io,
      },
      { x: xBF, lens: { shape: [B], data: [5, 3], dtype: 'int32' } },
      {
        nodes: [
          { op: 'Transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: [1, 0, 2] } },
          { op: 'LSTM', inputs: ['xt', 'W', 'R', 'B', 'lens'], outputs: ['', 'yh0'], attrs },
          { op: 'Transpose', inputs: ['yh0'], outputs: ['yh'], attrs: { perm: [1, 0, 2] } },
          { op: 'Reshape', inputs: ['yh', 'shape'], outputs: ['out'] },
        ],
        inits: common,
        ...io,
      },
    );
  });

  it('GRU linear_before_reset 0, reverse direction, Y_h squeezed into Gemm', async () => {
    await check(
      {
        nodes: [
          { op: 'GRU', inputs: ['x', 'W', 'R', 'B'], outputs: ['y', 'yh'], attrs: { hidden_size: H, direction: 'reverse', linear_before_reset: 0 } },
          { op: 'Squeeze', inputs: ['yh', 'ax0'], outputs: ['h'] },
          { op: 'Gemm', inputs: ['h', 'fcW', 'fcB'], outputs: ['out'], attrs: { transB: 1 } },
        ],
        inits: [...rnnInits('GRU', 1, 11), { name: 'ax0', dims: [1], data: [0], int: true }, { name: 'fcW', dims: [2, H], data: values(2 * H, 5) }, { name: 'fcB', dims: [2], data: values(2, 6) }],
        inputs: [{ name: 'x', dims: ['steps', 'batch', F] }],
        outputs: [{ name: 'out', dims: ['batch', 2] }],
      },
      { x: xTM },
    );
  });

  it('RNN bidirectional, directions summed, time-major per-step output with Sigmoid', async () => {
    await check(
      {
        nodes: [
          { op: 'RNN', inputs: ['x', 'W', 'R', 'B'], outputs: ['y'], attrs: { hidden_size: H, direction: 'bidirectional' } },
          { op: 'Gather', inputs: ['y', 'i0'], outputs: ['yf'], attrs: { axis: 1 } },
          { op: 'Gather', inputs: ['y', 'i1'], outputs: ['yb'], attrs: { axis: 1 } },
          { op: 'Add', inputs: ['yf', 'yb'], outputs: ['s'] },
          { op: 'Sigmoid', inputs: ['s'], outputs: ['out'] },
        ],
        inits: [...rnnInits('RNN', 2, 21), { name: 'i0', dims: [], data: [0], int: true }, { name: 'i1', dims: [], data: [1], int: true }],
        inputs: [{ name: 'x', dims: ['steps', 'batch', F] }],
        outputs: [{ name: 'out', dims: ['steps', 'batch', H] }],
      },
      { x: xTM },
    );
  });

  it('LSTM layout 1 with initial h and c as graph inputs, mean of directions, MatMul + Add on every step', async () => {
    const inits = [
      ...rnnInits('LSTM', 2, 31),
      { name: 'i0', dims: [], data: [0], int: true },
      { name: 'i1', dims: [], data: [1], int: true },
      { name: 'two', dims: [], data: [2] },
      { name: 'K', dims: [H, 3], data: values(3 * H, 7) },
      { name: 'b', dims: [3], data: values(3, 8) },
    ];
    const head = [
      { op: 'Gather', inputs: ['y', 'i0'], outputs: ['yf'], attrs: { axis: 2 } },
      { op: 'Gather', inputs: ['y', 'i1'], outputs: ['yb'], attrs: { axis: 2 } },
      { op: 'Add', inputs: ['yf', 'yb'], outputs: ['s'] },
      { op: 'Div', inputs: ['s', 'two'], outputs: ['m'] },
      { op: 'MatMul', inputs: ['m', 'K'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'b'], outputs: ['out'] },
    ];
    const io = {
      inputs: [{ name: 'x', dims: ['batch', 'steps', F] as Array<number | string> }, { name: 'h0', dims: ['batch', 2, H] as Array<number | string> }, { name: 'c0', dims: ['batch', 2, H] as Array<number | string> }],
      outputs: [{ name: 'out', dims: ['batch', 'steps', 3] as Array<number | string> }],
    };
    const attrs = { hidden_size: H, direction: 'bidirectional' };
    const t = (a: string, b: string, perm: number[]) => ({ op: 'Transpose', inputs: [a], outputs: [b], attrs: { perm } });
    await check(
      { nodes: [{ op: 'LSTM', inputs: ['x', 'W', 'R', 'B', '', 'h0', 'c0'], outputs: ['y'], attrs: { ...attrs, layout: 1 } }, ...head], inits, ...io },
      { x: xBF, h0: { shape: [B, 2, H], data: values(2 * B * H, 41), dtype: 'float32' }, c0: { shape: [B, 2, H], data: values(2 * B * H, 42), dtype: 'float32' } },
      {
        nodes: [t('x', 'xt', [1, 0, 2]), t('h0', 'h0t', [1, 0, 2]), t('c0', 'c0t', [1, 0, 2]), { op: 'LSTM', inputs: ['xt', 'W', 'R', 'B', '', 'h0t', 'c0t'], outputs: ['y0'], attrs }, t('y0', 'y', [2, 0, 1, 3]), ...head],
        inits,
        ...io,
      },
    );
  });
});

describe('ONNX import errors', () => {
  it('an unsupported op names the op type and the node and lists the supported ops', () => {
    const bytes = buildOnnx({
      nodes: [
        { op: 'RNN', inputs: ['x', 'W', 'R', 'B'], outputs: ['', 'yh'], attrs: { hidden_size: H } },
        { op: 'Einsum', name: 'my_einsum', inputs: ['yh'], outputs: ['out'], attrs: { equation: 'dbh->bh' } },
      ],
      inits: rnnInits('RNN', 1, 3),
      inputs: [{ name: 'x', dims: [T, B, F] }],
      outputs: [{ name: 'out', dims: [1, B, H] }],
    });
    assert.throws(() => importOnnx(bytes), (e: unknown) => e instanceof RnnlensError && /my_einsum/.test(e.message) && /Einsum/.test(e.message) && /supported ops: .*GRU.*LSTM.*RNN/.test(e.message));
  });

  it('rejects LSTM peepholes, clip and non-default activations with the reason', () => {
    const make = (attrs: Record<string, number | string | string[]>) =>
      buildOnnx({
        nodes: [{ op: 'LSTM', name: 'cell', inputs: ['x', 'W', 'R', 'B'], outputs: ['', 'yh'], attrs: { hidden_size: H, ...attrs } }],
        inits: rnnInits('LSTM', 1, 3),
        inputs: [{ name: 'x', dims: [T, B, F] }],
        outputs: [{ name: 'yh', dims: [1, B, H] }],
      });
    assert.throws(() => importOnnx(make({ clip: 1.5 })), /cell.*clip/);
    assert.throws(() => importOnnx(make({ activations: ['Sigmoid', 'Relu', 'Tanh'] })), /cell.*activations/);
    assert.throws(() => importOnnx(make({ input_forget: 1 })), /input_forget/);
  });

  it('rejects a branching graph', () => {
    const bytes = buildOnnx({
      nodes: [
        { op: 'Gemm', name: 'a', inputs: ['x', 'K'], outputs: ['h1'] },
        { op: 'Gemm', name: 'b', inputs: ['x', 'K'], outputs: ['h2'] },
        { op: 'Add', name: 'join', inputs: ['h1', 'h2'], outputs: ['out'] },
      ],
      inits: [{ name: 'K', dims: [F, F], data: values(F * F, 1) }],
      inputs: [{ name: 'x', dims: [B, T, F] }],
      outputs: [{ name: 'out', dims: [B, F] }],
    });
    assert.throws(() => importOnnx(bytes), RnnlensError);
  });
});
