/**
 * The TypeScript reference backend: the shared kernel suite (float32 and float64), float64
 * finite-difference gradient checks of sequenceBackward, masking equivalence, bad input, the
 * backend registry, and PyTorch parity on committed fixtures (tools/make_sequence_fixtures.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, CellSpec, SequenceForwardArgs } from '../../src/core/backend.js';
import { gateCount } from '../../src/core/backend.js';
import { getBackend, setDefaultBackend, defaultBackendName } from '../../src/core/backends.js';
import { ArgumentError, RnnlensError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { createTsBackend } from '../../src/core/ts-backend.js';
import type { FloatArray } from '../../src/core/tensor.js';
import type { TensorJson } from './fixtures.js';
import {
  assertCloseToFixture,
  loadFixture,
  reshapeJson,
  tensorData,
  transpose2d,
} from './fixtures.js';
import type { SeqProblem } from './backend-suite.js';
import {
  CELL_VARIANTS,
  backendSuite,
  isHard,
  randomProblem,
  randomValues,
  runOnBackend,
} from './backend-suite.js';

backendSuite('ts float32', () => createTsBackend('float32'), { rtol: 1e-5 });
backendSuite('ts float64', () => createTsBackend('float64'), { rtol: 1e-10 });

const ts64 = createTsBackend('float64');

/** L = Σ out⊙dOut + Σ hLast⊙dhLast (+ Σ cLast⊙dcLast), whose gradients sequenceBackward returns. */
function loss(be: Backend, p: SeqProblem): number {
  const f = be.sequenceForward({
    cell: p.cell,
    steps: p.T,
    batch: p.B,
    x: p.x,
    W: p.W,
    U: p.U,
    bx: p.bx,
    bh: p.bh,
    mask: p.mask,
    h0: p.h0,
    c0: p.c0,
  });
  let s = 0;
  for (let i = 0; i < f.out.length; i++) s += f.out[i]! * p.dOut![i]!;
  for (let i = 0; i < f.hLast.length; i++) s += f.hLast[i]! * p.dhLast![i]!;
  if (p.dcLast) for (let i = 0; i < f.cLast!.length; i++) s += f.cLast![i]! * p.dcLast[i]!;
  return s;
}

for (const v of CELL_VARIANTS) {
  test(`ts float64: central finite differences (eps 1e-6) confirm every gradient of ${v.name}`, () => {
    const p = randomProblem(v.spec(3, 4), 4, [4, 2, 1], 31);
    const { grads, bwd, fwd } = runOnBackend(ts64, p);
    if (isHard(p.cell)) {
      // Finite differences are only valid away from the kinks of the hard sigmoid (±0.5/slope).
      const edge = p.cell.recurrentActivation === 'hard_sigmoid' ? 2.5 : 3;
      const H = p.cell.hiddenSize;
      const GH = fwd.gates.length / (p.T * p.B);
      let near = Infinity;
      let saturated = 0;
      fwd.preact!.forEach((a, i) => {
        const block = Math.floor((i % GH) / H);
        if (block === 2) return; // the tanh block (LSTM g, GRU n)
        if (p.mask && p.mask[Math.floor(i / GH)] !== 1) return;
        near = Math.min(near, Math.abs(Math.abs(a) - edge));
        if (Math.abs(a) > edge) saturated++;
      });
      assert.ok(near > 1e-4, `${v.name}: a pre-activation lies ${near} from a kink`);
      assert.ok(saturated > 0, `${v.name}: no saturated gate, the zero branch is untested`);
    }
    const analytic: Record<string, ArrayLike<number> | undefined> = {
      W: grads.W,
      U: grads.U,
      bx: grads.bx,
      bh: grads.bh,
      x: bwd.dx,
      h0: bwd.dh0,
      c0: bwd.dc0,
    };
    const eps = 1e-6;
    let checked = 0;
    for (const name of ['W', 'U', 'bx', 'bh', 'x', 'h0', 'c0'] as const) {
      const arr = p[name];
      if (!arr) continue;
      const an = analytic[name];
      assert.ok(an, `${v.name}: gradient for ${name} missing`);
      for (let i = 0; i < arr.length; i++) {
        const keep = arr[i]!;
        arr[i] = keep + eps;
        const lp = loss(ts64, p);
        arr[i] = keep - eps;
        const lm = loss(ts64, p);
        arr[i] = keep;
        const fd = (lp - lm) / (2 * eps);
        const err = Math.abs(fd - an[i]!);
        assert.ok(
          err <= 1e-7 + 1e-6 * Math.abs(fd),
          `${v.name}: d${name}[${i}] analytic ${an[i]}, finite difference ${fd}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 80, `only ${checked} partial derivatives checked`);
  });
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`ts ${dtype}: a padded batch gives exactly what each sequence gives alone (every cell variant)`, () => {
    const be = createTsBackend(dtype);
    const lengths = [5, 3, 1];
    const T = 5;
    const B = lengths.length;
    for (const v of CELL_VARIANTS) {
      const D = 3;
      const H = 4;
      const GH = gateCount(v.spec(D, H).kind) * H;
      const p = randomProblem(v.spec(D, H), T, lengths, 77);
      const all = runOnBackend(be, p);
      const sumW = new Float64Array(D * GH);
      const sumU = new Float64Array(H * GH);
      const sumBx = new Float64Array(GH);
      const sumBh = new Float64Array(GH);
      for (let b = 0; b < B; b++) {
        const L = lengths[b]!;
        const pick = (src: Float64Array | null, w: number, steps: number): Float64Array | null => {
          if (!src) return null;
          const out = new Float64Array(steps * w);
          for (let t = 0; t < steps; t++)
            out.set(src.subarray((t * B + b) * w, (t * B + b + 1) * w), t * w);
          return out;
        };
        const one: SeqProblem = {
          ...p,
          T: L,
          B: 1,
          mask: null,
          x: pick(p.x, D, L)!,
          h0: pick(p.h0, H, 1),
          c0: pick(p.c0, H, 1),
          dOut: pick(p.dOut, H, L),
          dhLast: pick(p.dhLast, H, 1),
          dcLast: pick(p.dcLast, H, 1),
        };
        const solo = runOnBackend(be, one);
        const what = `${v.name} sequence ${b} (length ${L})`;
        for (let t = 0; t < T; t++) {
          const row = (t * B + b) * H;
          const got = Array.from(all.fwd.out.subarray(row, row + H));
          const want =
            t < L
              ? Array.from(solo.fwd.out.subarray(t * H, (t + 1) * H))
              : new Array<number>(H).fill(0);
          assert.deepEqual(got, want, `${what}: out at step ${t}`);
          const gotDx = Array.from(all.bwd.dx!.subarray((t * B + b) * D, (t * B + b + 1) * D));
          const wantDx =
            t < L
              ? Array.from(solo.bwd.dx!.subarray(t * D, (t + 1) * D))
              : new Array<number>(D).fill(0);
          assert.deepEqual(gotDx, wantDx, `${what}: dx at step ${t}`);
          if (t < L) {
            const gotSteps = Array.from(all.bwd.dhSteps!.subarray(row, row + H));
            assert.deepEqual(
              gotSteps,
              Array.from(solo.bwd.dhSteps!.subarray(t * H, (t + 1) * H)),
              `${what}: dhSteps at ${t}`,
            );
          }
        }
        const slice = (a: ArrayLike<number> | undefined) =>
          Array.from(a ? Array.prototype.slice.call(a, b * H, (b + 1) * H) : []);
        assert.deepEqual(slice(all.fwd.hLast), Array.from(solo.fwd.hLast), `${what}: hLast`);
        assert.deepEqual(slice(all.bwd.dh0), Array.from(solo.bwd.dh0), `${what}: dh0`);
        if (p.c0) {
          assert.deepEqual(slice(all.fwd.cLast), Array.from(solo.fwd.cLast!), `${what}: cLast`);
          assert.deepEqual(slice(all.bwd.dc0), Array.from(solo.bwd.dc0!), `${what}: dc0`);
        }
        solo.grads.W.forEach((g, i) => (sumW[i] += g));
        solo.grads.U.forEach((g, i) => (sumU[i] += g));
        solo.grads.bx.forEach((g, i) => (sumBx[i] += g));
        solo.grads.bh.forEach((g, i) => (sumBh[i] += g));
      }
      // Parameter gradients are sums over sequences: equal up to the order of summation.
      const tol = dtype === 'float64' ? 1e-12 : 1e-5;
      for (const [name, got, want] of [
        ['W', all.grads.W, sumW],
        ['U', all.grads.U, sumU],
        ['bx', all.grads.bx, sumBx],
        ['bh', all.grads.bh, sumBh],
      ] as const) {
        const scale = Math.max(1e-30, ...Array.from(want, Math.abs));
        for (let i = 0; i < want.length; i++) {
          assert.ok(
            Math.abs(got[i]! - want[i]!) <= tol * scale,
            `${v.name}: grad ${name}[${i}] ${got[i]} vs ${want[i]}`,
          );
        }
      }
    }
  });
}

test('ts: bad input is rejected with an error naming the argument, the expected and the received value', () => {
  const be = createTsBackend('float32');
  const rng = new Rng(3);
  const cell = { kind: 'lstm' as const, inputSize: 4, hiddenSize: 2 };
  const good: SequenceForwardArgs = {
    cell,
    steps: 5,
    batch: 3,
    x: be.alloc(60),
    W: be.alloc(32),
    U: be.alloc(16),
    bx: be.alloc(8),
    bh: be.alloc(8),
    h0: be.alloc(6),
    c0: be.alloc(6),
  };
  good.x.set(randomValues(rng, 60));
  const expectError = (args: Partial<SequenceForwardArgs>, re: RegExp) =>
    assert.throws(
      () => be.sequenceForward({ ...good, ...args }),
      (e: unknown) => e instanceof ArgumentError && re.test(e.message),
    );
  expectError(
    { x: be.alloc(59) },
    /'x' expected 60 values \(\[T=5, B=3, D=4\]\), received 59 values/,
  );
  expectError({ W: be.alloc(8) }, /'W' expected 32 values \(\[D=4, G\*H=8\]\), received 8/);
  expectError({ U: be.alloc(15) }, /'U' expected 16 values \(\[H=2, G\*H=8\]\)/);
  expectError({ bh: be.alloc(2) }, /'bh' expected 8 values/);
  expectError({ h0: be.alloc(2) }, /'h0' expected 6 values \(\[B=3, H=2\]\)/);
  expectError({ mask: new Uint8Array(14) }, /'mask' expected 15 values/);
  expectError(
    { mask: new Uint8Array(15).fill(2) },
    /'mask' expected only 0 or 1, received 2 at flat index 0/,
  );
  expectError(
    { steps: 0, x: be.alloc(0) },
    /'steps' expected an integer >= 1 \(a zero-length sequence/,
  );
  expectError({ batch: 0, x: be.alloc(0) }, /'batch' expected an integer >= 1 \(an empty batch/);
  expectError(
    { cell: { ...cell, hiddenSize: 0 } },
    /'cell.hiddenSize' expected an integer >= 1, received 0/,
  );
  expectError(
    { cell: { ...cell, kind: 'transformer' as 'lstm' } },
    /'cell.kind' expected 'rnn', 'lstm' or 'gru'/,
  );
  const nanX = good.x.slice();
  nanX[7] = NaN;
  expectError({ x: nanX }, /'x' expected finite numbers, received NaN at flat index 7/);
  const infW = be.alloc(32);
  infW[31] = Infinity;
  expectError({ W: infW }, /'W' expected finite numbers, received Infinity at flat index 31/);
  const badC0 = be.alloc(6);
  badC0[0] = -Infinity;
  expectError({ c0: badC0 }, /'c0' expected finite numbers, received -Infinity/);
  assert.throws(
    () =>
      be.sequenceForward({
        ...good,
        cell: { kind: 'gru', inputSize: 4, hiddenSize: 2 },
        W: be.alloc(24),
        U: be.alloc(12),
        bx: be.alloc(6),
        bh: be.alloc(6),
      }),
    /'c0' expected null or absent \(a gru cell has no cell state\)/,
  );
  // The error names the backend method and the cell kind.
  assert.throws(
    () => be.sequenceForward({ ...good, x: be.alloc(1) }),
    /^ArgumentError: ts\.sequenceForward\(lstm\): argument 'x'/,
  );

  const fwd = be.sequenceForward(good);
  const back = { ...good, fwd, grads: null, wantDx: true };
  assert.throws(
    () => be.sequenceBackward({ ...back, dOut: be.alloc(29) }),
    /ts\.sequenceBackward\(lstm\): argument 'dOut' expected 30 values \(\[T=5, B=3, H=2\]\)/,
  );
  const nanD = be.alloc(6);
  nanD[5] = NaN;
  assert.throws(
    () => be.sequenceBackward({ ...back, dhLast: nanD }),
    /'dhLast' expected finite numbers, received NaN at flat index 5/,
  );
  assert.throws(
    () => be.sequenceBackward({ ...back, fwd: { ...fwd, cs: undefined } }),
    /'fwd\.cs' expected 30 values/,
  );
  assert.throws(
    () =>
      be.sequenceBackward({
        ...back,
        grads: { W: be.alloc(32), U: be.alloc(16), bx: be.alloc(7), bh: be.alloc(8) },
      }),
    /'grads\.bx' expected 8 values \(\[G\*H=8\]\), received 7 values/,
  );

  assert.throws(
    () =>
      be.gemm({
        transA: false,
        transB: false,
        M: 3,
        N: 4,
        K: 5,
        alpha: 1,
        beta: 0,
        A: be.alloc(14),
        B: be.alloc(20),
        C: be.alloc(12),
      }),
    /gemm: argument 'A' expected at least 15 values \(3×5 stored with offset 0, leading dimension 5\), received 14/,
  );
  assert.throws(
    () =>
      be.gemm({
        transA: false,
        transB: false,
        M: 3,
        N: 4,
        K: 5,
        alpha: 1,
        beta: 0,
        A: be.alloc(15),
        B: be.alloc(20),
        C: be.alloc(12),
        ldc: 3,
      }),
    /'ldc' expected an integer >= 4, received 3/,
  );
  assert.throws(
    () => be.sigmoid(be.alloc(4), be.alloc(3)),
    /ts\.sigmoid: argument 'out' expected 4 values \(the length of x\), received 3/,
  );
  assert.throws(() => be.addColumnSums(be.alloc(6), 2, 3, be.alloc(2)), /'out' expected 3 values/);
  assert.throws(
    () => createTsBackend('float16' as 'float32'),
    /createTsBackend: argument 'dtype' expected 'float32' or 'float64', received "float16"/,
  );
});

test('backends: ts and ts64 by name, a clear error for unknown names, one place for the default', () => {
  assert.equal(getBackend('ts').dtype, 'float32');
  assert.equal(getBackend('ts64').dtype, 'float64');
  assert.equal(getBackend('ts'), getBackend('ts'), 'one cached instance per name');
  assert.throws(
    () => getBackend('cuda' as 'ts'),
    /getBackend: argument 'name' expected one of 'wasm', 'ts', 'ts64', received "cuda"/,
  );
  // 'wasm' either loads or says clearly that it cannot; the default follows from that.
  let wasmLoads = true;
  try {
    assert.equal(getBackend('wasm').name, 'wasm');
  } catch (e) {
    assert.ok(e instanceof RnnlensError && /wasm/.test(e.message), String(e));
    wasmLoads = false;
  }
  assert.equal(defaultBackendName(), wasmLoads ? 'wasm' : 'ts');
  const before = defaultBackendName();
  setDefaultBackend('ts64');
  assert.equal(getBackend().dtype, 'float64');
  setDefaultBackend(before);
  assert.equal(getBackend().name, before === 'wasm' ? 'wasm' : 'ts');
});

// ---------------------------------------------------------------- PyTorch parity

interface TorchCase {
  name: string;
  cell: CellSpec;
  steps: number;
  batch: number;
  torch: Record<string, TensorJson> & { grad: Record<string, TensorJson> };
  ours: Record<string, TensorJson>;
}

for (const file of ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'gru_reset_before']) {
  const doc = loadFixture<{ cases: TorchCase[] }>('sequence', `${file}.json`);
  for (const c of doc.cases) {
    test(`PyTorch parity (${file}, ${c.name}): our layout is the PyTorch tensors converted`, () => {
      const t = c.torch;
      const o = c.ours;
      const { steps: T, batch: B } = c;
      const H = c.cell.hiddenSize;
      // W = weight_ihᵀ, U = weight_hhᵀ, bx = bias_ih, bh = bias_hh; gate order unchanged.
      assert.deepEqual(transpose2d(t.weight_ih_l0!), o.W);
      assert.deepEqual(transpose2d(t.weight_hh_l0!), o.U);
      assert.deepEqual(t.bias_ih_l0!.data, o.bx!.data);
      assert.deepEqual(t.bias_hh_l0!.data, o.bh!.data);
      assert.deepEqual(transpose2d(t.grad.weight_ih_l0!), o.dW);
      assert.deepEqual(transpose2d(t.grad.weight_hh_l0!), o.dU);
      assert.deepEqual(t.grad.bias_ih_l0!.data, o.dbx!.data);
      assert.deepEqual(t.grad.bias_hh_l0!.data, o.dbh!.data);
      // PyTorch (batch_first=False) is time-major like us; states [1, B, H] are [B, H].
      assert.deepEqual(t.input!.data, o.x!.data);
      assert.deepEqual(t.output!.data, o.out!.data);
      assert.deepEqual(t.grad.input!.data, o.dx!.data);
      assert.deepEqual(reshapeJson(t.h0!, [B, H]), o.h0);
      assert.deepEqual(reshapeJson(t.h_n!, [B, H]), o.hLast);
      assert.deepEqual(reshapeJson(t.grad.h0!, [B, H]), o.dh0);
      if (c.cell.kind === 'lstm') {
        assert.deepEqual(reshapeJson(t.c_n!, [B, H]), o.cLast);
        assert.deepEqual(reshapeJson(t.grad.c0!, [B, H]), o.dc0);
      }
      assert.equal(t.output!.shape.join(), [T, B, H].join());
    });

    for (const [dtype, rtol] of [
      ['float64', 1e-9],
      ['float32', 1e-5],
    ] as const) {
      test(`PyTorch parity (${file}, ${c.name}): ts ${dtype} matches outputs, final states and all gradients`, () => {
        const be = createTsBackend(dtype);
        const o = c.ours;
        const d = (name: string): FloatArray | null =>
          o[name] ? tensorData(o[name]!, dtype) : null;
        const args: SequenceForwardArgs = {
          cell: c.cell,
          steps: c.steps,
          batch: c.batch,
          x: d('x')!,
          W: d('W')!,
          U: d('U')!,
          bx: d('bx')!,
          bh: d('bh')!,
          mask: o.mask ? Uint8Array.from(o.mask.data) : null,
          h0: d('h0'),
          c0: d('c0'),
        };
        const fwd = be.sequenceForward(args);
        const GH = gateCount(c.cell.kind) * c.cell.hiddenSize;
        const grads = {
          W: be.alloc(c.cell.inputSize * GH),
          U: be.alloc(c.cell.hiddenSize * GH),
          bx: be.alloc(GH),
          bh: be.alloc(GH),
        };
        const bwd = be.sequenceBackward({
          ...args,
          fwd,
          dOut: d('dOut'),
          dhLast: d('dhLast'),
          dcLast: d('dcLast'),
          grads,
          wantDx: true,
        });
        const check = (what: string, actual: ArrayLike<number> | undefined, ref: string) =>
          assertCloseToFixture(`${c.name} ${dtype} ${what}`, actual, o[ref]!, rtol);
        check('out', fwd.out, 'out');
        check('hLast', fwd.hLast, 'hLast');
        check('dW', grads.W, 'dW');
        check('dU', grads.U, 'dU');
        check('dbx', grads.bx, 'dbx');
        check('dbh', grads.bh, 'dbh');
        check('dx', bwd.dx, 'dx');
        check('dh0', bwd.dh0, 'dh0');
        if (c.cell.kind === 'lstm') {
          check('cLast', fwd.cLast, 'cLast');
          check('dc0', bwd.dc0, 'dc0');
        }
      });
    }
  }
}
