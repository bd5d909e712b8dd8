/**
 * Hard-sigmoid gates (CellSpec.recurrentActivation) against PyTorch: LSTM and GRU (reset-after)
 * cells written with torch ops and differentiated by autograd (tools/make_hard_sigmoid_fixtures.py),
 * with many gates saturated and none near a kink. Outputs, final states and every gradient on the
 * float64 and float32 TS backends and the wasm backend.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, CellSpec, RecurrentActivation } from '../../src/core/backend.js';
import { createTsBackend } from '../../src/core/ts-backend.js';
import { createWasmBackend } from '../../src/core/wasm-backend.js';
import type { TensorJson } from './fixtures.js';
import { assertCloseToFixture, loadFixture, transpose2d } from './fixtures.js';

interface HardCase {
  kind: 'lstm' | 'gru';
  recurrentActivation: RecurrentActivation;
  T: number;
  B: number;
  D: number;
  H: number;
  x: TensorJson;
  weight_ih: TensorJson;
  weight_hh: TensorJson;
  bias_ih: TensorJson;
  bias_hh: TensorJson;
  h0: TensorJson;
  c0?: TensorJson;
  dOut: TensorJson;
  dcLast?: TensorJson;
  out: TensorJson;
  hLast: TensorJson;
  cLast?: TensorJson;
  grad: Record<'x' | 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh' | 'h0', TensorJson> & {
    c0?: TensorJson;
  };
  saturatedGates: number;
  linearGates: number;
  nearestKink: number;
}

const doc = loadFixture<{ cases: HardCase[] }>('core', 'hard_sigmoid.json');
const wasm = createWasmBackend({ threads: 1 });
after(() => wasm.close());
const backends: [string, Backend, number][] = [
  ['ts float64', createTsBackend('float64'), 1e-9],
  ['ts float32', createTsBackend('float32'), 1e-5],
  ['wasm', wasm, 1e-5],
];

test('the fixtures cover all four cell/activation pairs, saturated and linear gates, no kink', () => {
  const pairs = doc.cases.map((c) => `${c.kind} ${c.recurrentActivation}`).sort();
  assert.deepEqual(pairs, [
    'gru hard_sigmoid',
    'gru hard_sigmoid_keras3',
    'lstm hard_sigmoid',
    'lstm hard_sigmoid_keras3',
  ]);
  for (const c of doc.cases) {
    assert.ok(c.saturatedGates > 0 && c.linearGates > 0 && c.nearestKink > 1e-3, c.kind);
  }
});

for (const c of doc.cases) {
  for (const [label, be, tol] of backends) {
    // PyTorch's hardsigmoid backward multiplies by the float32 constant 1.0f/6.0f even in float64
    // (relative error 3e-8), so the float64 comparison of the Keras 3 case allows 1e-7.
    const rtol = c.recurrentActivation === 'hard_sigmoid_keras3' ? Math.max(tol, 1e-7) : tol;
    test(`${label}: ${c.kind} ${c.recurrentActivation} matches PyTorch (outputs, states, all gradients)`, () => {
      const arr = (t: TensorJson) => {
        const a = be.alloc(t.data.length);
        a.set(t.data);
        return a;
      };
      const cell: CellSpec = {
        kind: c.kind,
        inputSize: c.D,
        hiddenSize: c.H,
        recurrentActivation: c.recurrentActivation,
      };
      const G = c.kind === 'lstm' ? 4 : 3;
      const GH = G * c.H;
      const args = {
        cell,
        steps: c.T,
        batch: c.B,
        x: arr(c.x),
        W: arr(transpose2d(c.weight_ih)), // torch [G·H, D] → rnnlens [D, G·H]
        U: arr(transpose2d(c.weight_hh)),
        bx: arr(c.bias_ih),
        bh: arr(c.bias_hh),
        h0: arr(c.h0),
        c0: c.c0 ? arr(c.c0) : null,
      };
      const fwd = be.sequenceForward(args);
      assertCloseToFixture('out', fwd.out, c.out, rtol);
      assertCloseToFixture('hLast', fwd.hLast, c.hLast, rtol);
      if (c.cLast) assertCloseToFixture('cLast', fwd.cLast, c.cLast, rtol);
      const grads = {
        W: be.alloc(c.D * GH),
        U: be.alloc(c.H * GH),
        bx: be.alloc(GH),
        bh: be.alloc(GH),
      };
      const bwd = be.sequenceBackward({
        ...args,
        fwd,
        dOut: arr(c.dOut),
        dcLast: c.dcLast ? arr(c.dcLast) : null,
        grads,
        wantDx: true,
      });
      const t = (v: ArrayLike<number>, shape: number[]): TensorJson => ({
        shape,
        data: Array.from(v),
      });
      assertCloseToFixture('dx', bwd.dx, c.grad.x, rtol);
      assertCloseToFixture('dh0', bwd.dh0, c.grad.h0, rtol);
      if (c.grad.c0) assertCloseToFixture('dc0', bwd.dc0, c.grad.c0, rtol);
      assertCloseToFixture('dW', transpose2d(t(grads.W, [c.D, GH])).data, c.grad.weight_ih, rtol);
      assertCloseToFixture('dU', transpose2d(t(grads.U, [c.H, GH])).data, c.grad.weight_hh, rtol);
      assertCloseToFixture('dbx', grads.bx, c.grad.bias_ih, rtol);
      assertCloseToFixture('dbh', grads.bh, c.grad.bias_hh, rtol);
    });
  }
}
