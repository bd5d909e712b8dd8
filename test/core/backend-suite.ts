/**
 * The kernel test suite every Backend must pass. `backendSuite(label, make, { rtol })` registers
 * node:test tests that compare every Backend method with a naive float64 implementation written
 * plainly below (scalar loops, one sequence at a time, no GEMMs), independent of the backends'
 * code. Inputs are rounded to float32 first, so a float32 backend and the float64 reference see
 * the same numbers; results are compared with tolerances, never bit for bit.
 *   GEMM:      |C − C_ref| ≤ rtol · (Σ_p |α·a·b| + |β·c|)  (the scale of a rounding-error bound)
 *   sequences: |v − v_ref| ≤ rtol · max|v_ref| over the array
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  Backend,
  CellSpec,
  SequenceForwardArgs,
  SequenceForwardResult,
} from '../../src/core/backend.js';
import { gateCount } from '../../src/core/backend.js';
import type { FloatArray } from '../../src/core/tensor.js';
import { Rng } from '../../src/core/rng.js';

export interface SuiteOptions {
  rtol: number;
}

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** The gate activation of a cell written out plainly: logistic, or the clip of a line. */
function gateFn(cell: CellSpec): (v: number) => number {
  const ra = cell.recurrentActivation ?? 'sigmoid';
  if (ra === 'sigmoid') return sig;
  const slope = ra === 'hard_sigmoid' ? 0.2 : 1 / 6;
  return (v) => Math.min(1, Math.max(0, slope * v + 0.5));
}

/** Derivative of the gate activation at pre-activation v (hard: slope strictly inside the kinks). */
function gateGrad(cell: CellSpec): (v: number) => number {
  const ra = cell.recurrentActivation ?? 'sigmoid';
  if (ra === 'sigmoid') return (v) => sig(v) * (1 - sig(v));
  const slope = ra === 'hard_sigmoid' ? 0.2 : 1 / 6;
  const edge = 0.5 / slope; // the kinks are at ±2.5 (Keras 2) and ±3 (Keras 3)
  return (v) => (Math.abs(v) < edge ? slope : 0);
}

/** float32-representable uniform values in [lo, hi). */
export function randomValues(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(rng.uniform(lo, hi));
  return out;
}

function toBackend(be: Backend, v: ArrayLike<number>): FloatArray {
  const a = be.alloc(v.length);
  a.set(v);
  return a;
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

/** Asserts |actual − expected| ≤ rtol · max|expected| element-wise (optionally only where `use(i)`). */
export function assertCloseArrays(
  what: string,
  actual: ArrayLike<number> | undefined,
  expected: ArrayLike<number>,
  rtol: number,
  use?: (i: number) => boolean,
): void {
  assert.ok(actual, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  const tol = rtol * maxAbs(expected);
  for (let i = 0; i < expected.length; i++) {
    if (use && !use(i)) continue;
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= tol)) {
      assert.fail(
        `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (|error| ${err.toExponential(2)} > ${tol.toExponential(2)})`,
      );
    }
  }
}

// ---------------------------------------------------------------- GEMM, activations, reductions

interface GemmCase {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  pad: number; // extra columns in each leading dimension and offset of each operand
}

function gemmCases(): GemmCase[] {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 1],
    [1, 17, 3],
    [5, 3, 17],
    [17, 33, 5],
    [33, 17, 33],
    [4, 8, 16],
    [2, 65, 7],
  ];
  const out: GemmCase[] = [];
  let k = 0;
  for (const [M, N, K] of sizes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const ab = [
          [1, 0],
          [0.5, 1],
          [-2, 0.25],
          [1, 1],
        ][k % 4]!;
        out.push({ transA, transB, M, N, K, alpha: ab[0]!, beta: ab[1]!, pad: k % 3 });
        k++;
      }
    }
  }
  return out;
}

function checkGemm(be: Backend, c: GemmCase, rng: Rng, rtol: number): void {
  const { transA, transB, M, N, K, alpha, beta, pad } = c;
  const [aRows, aCols] = transA ? [K, M] : [M, K];
  const [bRows, bCols] = transB ? [N, K] : [K, N];
  const lda = aCols + pad;
  const ldb = bCols + 2 * pad;
  const ldc = N + pad;
  const aOff = pad;
  const bOff = 2 * pad + 1;
  const cOff = 3 * pad;
  const A = randomValues(rng, aOff + aRows * lda);
  const B = randomValues(rng, bOff + bRows * ldb);
  const C0 = randomValues(rng, cOff + M * ldc + pad);
  const opA = (i: number, p: number): number =>
    transA ? A[aOff + p * lda + i]! : A[aOff + i * lda + p]!;
  const opB = (p: number, j: number): number =>
    transB ? B[bOff + j * ldb + p]! : B[bOff + p * ldb + j]!;
  const Cb = toBackend(be, C0);
  be.gemm({
    transA,
    transB,
    M,
    N,
    K,
    alpha,
    beta,
    A: toBackend(be, A),
    aOffset: aOff,
    lda,
    B: toBackend(be, B),
    bOffset: bOff,
    ldb,
    C: Cb,
    cOffset: cOff,
    ldc,
  });
  const label = `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} M=${M} N=${N} K=${K} α=${alpha} β=${beta} pad=${pad}`;
  const inBlock = new Uint8Array(C0.length);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const idx = cOff + i * ldc + j;
      inBlock[idx] = 1;
      let s = 0;
      let scale = Math.abs(beta * C0[idx]!);
      for (let p = 0; p < K; p++) {
        s += opA(i, p) * opB(p, j);
        scale += Math.abs(alpha * opA(i, p) * opB(p, j));
      }
      const want = alpha * s + beta * C0[idx]!;
      const err = Math.abs(Cb[idx]! - want);
      assert.ok(
        err <= rtol * scale + 1e-300,
        `${label}: C[${i},${j}] = ${Cb[idx]}, expected ${want}`,
      );
    }
  }
  // Nothing outside the M×N block (offset, padding columns, tail) may be touched.
  for (let idx = 0; idx < C0.length; idx++) {
    if (!inBlock[idx])
      assert.equal(Cb[idx], Math.fround(C0[idx]!), `${label}: C[${idx}] outside the block changed`);
  }
}

function activationInputs(): number[] {
  // The contract is −40..40 and tiny inputs; all results there are normal float32 numbers
  // (σ(−87.3) is already below the smallest normal float32, where relative error is meaningless).
  const xs: number[] = [0, -0, 1e-30, -1e-30, 1e-12, -3e-9, 1e-7, -1e-4, 40, -40, 39.99, -39.99];
  for (let v = -40; v <= 40; v += 0.0625 * 1.37) xs.push(v);
  for (let v = -1; v <= 1; v += 0.001 * 3.1) xs.push(v);
  return xs.map(Math.fround);
}

function registerBasics(label: string, make: () => Backend, rtol: number): void {
  test(`${label}: alloc gives zeroed arrays of the backend dtype`, () => {
    const be = make();
    const a = be.alloc(37);
    assert.equal(a.length, 37);
    assert.ok(be.dtype === 'float64' ? a instanceof Float64Array : a instanceof Float32Array);
    assert.ok(a.every((v) => v === 0));
    assert.equal(be.alloc(0).length, 0);
  });

  test(`${label}: gemm, all transpose combinations, odd sizes, offsets, leading dimensions, alpha/beta`, () => {
    const be = make();
    const rng = new Rng(11);
    for (const c of gemmCases()) checkGemm(be, c, rng, rtol);
  });

  test(`${label}: sigmoid and tanh within relative 1e-6 of Math over −40..40 and tiny values`, () => {
    const be = make();
    const xs = activationInputs();
    for (const [name, ref] of [
      ['sigmoid', sig],
      ['tanh', Math.tanh],
    ] as const) {
      const x = toBackend(be, xs);
      const out = be.alloc(xs.length);
      (name === 'sigmoid' ? be.sigmoid : be.tanh).call(be, x, out);
      for (let i = 0; i < xs.length; i++) {
        const want = ref(x[i]!);
        const rel = want === 0 ? Math.abs(out[i]!) : Math.abs(out[i]! - want) / Math.abs(want);
        assert.ok(
          rel <= 1e-6,
          `${name}(${x[i]}) = ${out[i]}, expected ${want} (relative error ${rel})`,
        );
      }
      // In place (out === x) gives the same result.
      (name === 'sigmoid' ? be.sigmoid : be.tanh).call(be, x, x);
      assert.deepEqual(Array.from(x), Array.from(out), `${name} in place`);
    }
  });

  test(`${label}: sum, sumSquares, addColumnSums`, () => {
    const be = make();
    const rng = new Rng(5);
    for (const n of [0, 1, 3, 17, 33, 1000, 4097]) {
      const v = randomValues(rng, n, -2, 3);
      const x = toBackend(be, v);
      let s = 0;
      let s2 = 0;
      let scale = 0;
      for (const e of v) {
        s += e;
        s2 += e * e;
        scale += Math.abs(e);
      }
      assert.ok(Math.abs(be.sum(x) - s) <= rtol * scale, `sum of ${n}: ${be.sum(x)} vs ${s}`);
      assert.ok(
        Math.abs(be.sumSquares(x) - s2) <= rtol * s2,
        `sumSquares of ${n}: ${be.sumSquares(x)} vs ${s2}`,
      );
    }
    for (const [rows, cols] of [
      [1, 1],
      [5, 3],
      [33, 17],
      [100, 2],
    ] as const) {
      const A = randomValues(rng, rows * cols);
      const start = randomValues(rng, cols);
      const out = toBackend(be, start);
      be.addColumnSums(toBackend(be, A), rows, cols, out);
      const want = Array.from(start);
      const scale = Array.from(start, Math.abs);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          want[j] += A[i * cols + j]!;
          scale[j] += Math.abs(A[i * cols + j]!);
        }
      }
      for (let j = 0; j < cols; j++) {
        assert.ok(
          Math.abs(out[j]! - want[j]!) <= rtol * scale[j]!,
          `addColumnSums ${rows}×${cols} column ${j}`,
        );
      }
    }
  });
}

// ---------------------------------------------------------------- naive recurrent reference

export interface SeqProblem {
  cell: CellSpec;
  T: number;
  B: number;
  x: Float64Array; // [T, B, D]
  W: Float64Array;
  U: Float64Array;
  bx: Float64Array;
  bh: Float64Array;
  mask: Uint8Array | null;
  h0: Float64Array | null;
  c0: Float64Array | null;
  dOut: Float64Array | null;
  dhLast: Float64Array | null;
  dcLast: Float64Array | null;
}

export interface NaiveResult {
  out: Float64Array;
  hs: Float64Array;
  cs: Float64Array;
  gates: Float64Array;
  preact: Float64Array;
  hn: Float64Array;
  hLast: Float64Array;
  cLast: Float64Array;
  dx: Float64Array;
  dW: Float64Array;
  dU: Float64Array;
  dbx: Float64Array;
  dbh: Float64Array;
  dh0: Float64Array;
  dc0: Float64Array;
  dhSteps: Float64Array;
}

/** Per step cache of one sequence element, kept for backward. */
interface StepCache {
  hPrev: number[];
  cPrev: number[];
  act: number[]; // gate activations [G*H]
  pre: number[]; // gate pre-activations [G*H] (the gate derivative is taken here)
  hU: number[]; // h·U + bh [G*H] (GRU reset-before: n block is (r⊙h)·U_n + bh_n)
  c: number[];
  h: number[];
}

/** Forward and backward through one sequence at a time, step by step, with scalar loops. */
export function naiveSequence(p: SeqProblem): NaiveResult {
  const { cell, T, B } = p;
  const D = cell.inputSize;
  const H = cell.hiddenSize;
  const G = gateCount(cell.kind);
  const GH = G * H;
  const relu = cell.activation === 'relu';
  const resetAfter = cell.resetAfter !== false;
  const gate = gateFn(cell);
  const z = (n: number): Float64Array => new Float64Array(n);
  const r: NaiveResult = {
    out: z(T * B * H),
    hs: z(T * B * H),
    cs: z(T * B * H),
    gates: z(T * B * GH),
    preact: z(T * B * GH),
    hn: z(T * B * H),
    hLast: z(B * H),
    cLast: z(B * H),
    dx: z(T * B * D),
    dW: z(D * GH),
    dU: z(H * GH),
    dbx: z(GH),
    dbh: z(GH),
    dh0: z(B * H),
    dc0: z(B * H),
    dhSteps: z(T * B * H),
  };
  const real = (t: number, b: number): boolean => !p.mask || p.mask[t * B + b] === 1;
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: H }, (_, j) => (p.h0 ? p.h0[b * H + j]! : 0));
    let c = Array.from({ length: H }, (_, j) => (p.c0 ? p.c0[b * H + j]! : 0));
    const caches: (StepCache | null)[] = [];
    for (let t = 0; t < T; t++) {
      if (!real(t, b)) {
        caches.push(null);
      } else {
        const xw = (k: number): number => {
          let s = p.bx[k]!;
          for (let d = 0; d < D; d++) s += p.x[(t * B + b) * D + d]! * p.W[d * GH + k]!;
          return s;
        };
        const hu = (k: number, hv: number[]): number => {
          let s = p.bh[k]!;
          for (let i = 0; i < H; i++) s += hv[i]! * p.U[i * GH + k]!;
          return s;
        };
        const pre = new Array<number>(GH).fill(0);
        const act = new Array<number>(GH).fill(0);
        const hU = new Array<number>(GH).fill(0);
        const hNew = new Array<number>(H).fill(0);
        const cNew = new Array<number>(H).fill(0);
        if (cell.kind === 'rnn') {
          for (let j = 0; j < H; j++) {
            pre[j] = xw(j) + hu(j, h);
            act[j] = relu ? Math.max(0, pre[j]!) : Math.tanh(pre[j]!);
            hNew[j] = act[j]!;
          }
        } else if (cell.kind === 'lstm') {
          for (let k = 0; k < GH; k++) {
            pre[k] = xw(k) + hu(k, h);
            act[k] = k >= 2 * H && k < 3 * H ? Math.tanh(pre[k]!) : gate(pre[k]!);
          }
          for (let j = 0; j < H; j++) {
            cNew[j] = act[H + j]! * c[j]! + act[j]! * act[2 * H + j]!;
            hNew[j] = act[3 * H + j]! * Math.tanh(cNew[j]!);
          }
        } else {
          for (let k = 0; k < 2 * H; k++) {
            hU[k] = hu(k, h);
            pre[k] = xw(k) + hU[k]!;
            act[k] = gate(pre[k]!);
          }
          const rh = h.map((v, j) => v * act[j]!);
          for (let j = 0; j < H; j++) {
            hU[2 * H + j] = hu(2 * H + j, resetAfter ? h : rh);
            pre[2 * H + j] =
              xw(2 * H + j) + (resetAfter ? act[j]! * hU[2 * H + j]! : hU[2 * H + j]!);
            act[2 * H + j] = Math.tanh(pre[2 * H + j]!);
            hNew[j] = (1 - act[H + j]!) * act[2 * H + j]! + act[H + j]! * h[j]!;
          }
        }
        caches.push({ hPrev: h, cPrev: c, act, pre, hU, c: cNew, h: hNew });
        for (let k = 0; k < GH; k++) {
          r.gates[(t * B + b) * GH + k] = act[k]!;
          r.preact[(t * B + b) * GH + k] = pre[k]!;
        }
        for (let j = 0; j < H; j++) {
          r.out[(t * B + b) * H + j] = hNew[j]!;
          r.hn[(t * B + b) * H + j] = hU[2 * H + j] ?? 0;
        }
        h = hNew;
        if (cell.kind === 'lstm') c = cNew;
      }
      for (let j = 0; j < H; j++) {
        r.hs[(t * B + b) * H + j] = h[j]!;
        r.cs[(t * B + b) * H + j] = c[j]!;
      }
    }
    for (let j = 0; j < H; j++) {
      r.hLast[b * H + j] = h[j]!;
      r.cLast[b * H + j] = c[j]!;
    }
    naiveBackwardOne(p, b, caches, r);
  }
  return r;
}

function naiveBackwardOne(
  p: SeqProblem,
  b: number,
  caches: (StepCache | null)[],
  r: NaiveResult,
): void {
  const { cell, T, B } = p;
  const D = cell.inputSize;
  const H = cell.hiddenSize;
  const GH = gateCount(cell.kind) * H;
  const relu = cell.activation === 'relu';
  const resetAfter = cell.resetAfter !== false;
  const dgate = gateGrad(cell);
  let dh = Array.from({ length: H }, (_, j) => (p.dhLast ? p.dhLast[b * H + j]! : 0));
  let dc = Array.from({ length: H }, (_, j) => (p.dcLast ? p.dcLast[b * H + j]! : 0));
  for (let t = T - 1; t >= 0; t--) {
    const s = caches[t];
    if (s && p.dOut) for (let j = 0; j < H; j++) dh[j] += p.dOut[(t * B + b) * H + j]!;
    for (let j = 0; j < H; j++) r.dhSteps[(t * B + b) * H + j] = dh[j]!;
    if (!s) continue; // padded: h and c pass through unchanged
    const a = s.act;
    const ds = (k: number): number => dgate(s.pre[k]!); // σ'(a_k) of a sigmoid gate
    const dX = new Array<number>(GH).fill(0); // ∂ on x·W + bx
    const dHU = new Array<number>(GH).fill(0); // ∂ on the h-side product (+ bh)
    const dhPrev = new Array<number>(H).fill(0);
    const dcPrev = new Array<number>(H).fill(0);
    let uInput = s.hPrev; // what multiplies U for each block (reset-before n block: r⊙h)
    if (cell.kind === 'rnn') {
      for (let j = 0; j < H; j++)
        dX[j] = relu ? (a[j]! > 0 ? dh[j]! : 0) : dh[j]! * (1 - a[j]! * a[j]!);
      dHU.splice(0, GH, ...dX);
    } else if (cell.kind === 'lstm') {
      for (let j = 0; j < H; j++) {
        const [i, f, g, o] = [a[j]!, a[H + j]!, a[2 * H + j]!, a[3 * H + j]!];
        const tc = Math.tanh(s.c[j]!);
        const dct = dc[j]! + dh[j]! * o * (1 - tc * tc);
        dX[j] = dct * g * ds(j);
        dX[H + j] = dct * s.cPrev[j]! * ds(H + j);
        dX[2 * H + j] = dct * i * (1 - g * g);
        dX[3 * H + j] = dh[j]! * tc * ds(3 * H + j);
        dcPrev[j] = dct * f;
      }
      dHU.splice(0, GH, ...dX);
    } else {
      const drh = new Array<number>(H).fill(0);
      for (let j = 0; j < H; j++) {
        const [rr, zz, n] = [a[j]!, a[H + j]!, a[2 * H + j]!];
        const dn = dh[j]! * (1 - zz) * (1 - n * n);
        dX[H + j] = dHU[H + j] = dh[j]! * (s.hPrev[j]! - n) * ds(H + j);
        dX[2 * H + j] = dn;
        dHU[2 * H + j] = resetAfter ? dn * rr : dn;
        dhPrev[j] = dh[j]! * zz;
        if (resetAfter) dX[j] = dHU[j] = dn * s.hU[2 * H + j]! * ds(j);
      }
      if (!resetAfter) {
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < H; j++) drh[i] += p.U[i * GH + 2 * H + j]! * dX[2 * H + j]!;
          const rr = a[i]!;
          dX[i] = dHU[i] = drh[i]! * s.hPrev[i]! * ds(i);
          dhPrev[i] += drh[i]! * rr;
        }
        uInput = s.hPrev.map((v, j) => v * a[j]!);
      }
    }
    for (let k = 0; k < GH; k++) {
      r.dbx[k] += dX[k]!;
      r.dbh[k] += dHU[k]!;
      for (let d = 0; d < D; d++) {
        r.dW[d * GH + k] += p.x[(t * B + b) * D + d]! * dX[k]!;
        r.dx[(t * B + b) * D + d] += p.W[d * GH + k]! * dX[k]!;
      }
      const isN = cell.kind === 'gru' && !resetAfter && k >= 2 * H;
      for (let i = 0; i < H; i++) {
        r.dU[i * GH + k] += (isN ? uInput[i]! : s.hPrev[i]!) * dHU[k]!;
        if (!isN) dhPrev[i] += p.U[i * GH + k]! * dHU[k]!;
      }
    }
    dh = dhPrev;
    if (cell.kind === 'lstm') dc = dcPrev;
  }
  for (let j = 0; j < H; j++) {
    r.dh0[b * H + j] = dh[j]!;
    r.dc0[b * H + j] = dc[j]!;
  }
}

// ---------------------------------------------------------------- sequence tests

export const CELL_VARIANTS: { name: string; spec: (D: number, H: number) => CellSpec }[] = [
  { name: 'rnn tanh', spec: (D, H) => ({ kind: 'rnn', inputSize: D, hiddenSize: H }) },
  {
    name: 'rnn relu',
    spec: (D, H) => ({ kind: 'rnn', inputSize: D, hiddenSize: H, activation: 'relu' }),
  },
  { name: 'lstm', spec: (D, H) => ({ kind: 'lstm', inputSize: D, hiddenSize: H }) },
  { name: 'gru reset-after', spec: (D, H) => ({ kind: 'gru', inputSize: D, hiddenSize: H }) },
  {
    name: 'gru reset-before',
    spec: (D, H) => ({ kind: 'gru', inputSize: D, hiddenSize: H, resetAfter: false }),
  },
  {
    name: 'lstm hard_sigmoid',
    spec: (D, H) => ({
      kind: 'lstm',
      inputSize: D,
      hiddenSize: H,
      recurrentActivation: 'hard_sigmoid',
    }),
  },
  {
    name: 'lstm hard_sigmoid_keras3',
    spec: (D, H) => ({
      kind: 'lstm',
      inputSize: D,
      hiddenSize: H,
      recurrentActivation: 'hard_sigmoid_keras3',
    }),
  },
  {
    name: 'gru reset-after hard_sigmoid',
    spec: (D, H) => ({
      kind: 'gru',
      inputSize: D,
      hiddenSize: H,
      recurrentActivation: 'hard_sigmoid',
    }),
  },
  {
    name: 'gru reset-before hard_sigmoid_keras3',
    spec: (D, H) => ({
      kind: 'gru',
      inputSize: D,
      hiddenSize: H,
      resetAfter: false,
      recurrentActivation: 'hard_sigmoid_keras3',
    }),
  },
];

/** Does this cell use a hard sigmoid for its gates? */
export function isHard(cell: CellSpec): boolean {
  return cell.recurrentActivation !== undefined && cell.recurrentActivation !== 'sigmoid';
}

/** A mask [T, B] from per-sequence lengths (padding at the end). */
export function maskFromLengths(T: number, lengths: readonly number[]): Uint8Array {
  const B = lengths.length;
  const m = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t < lengths[b]! ? 1 : 0;
  return m;
}

/**
 * A random problem with h0/c0, dOut, dhLast and dcLast (float32-representable values). Hard-sigmoid
 * cells get 3× larger weights and biases so that their gates reach both the linear part and the
 * saturated parts (outside ±2.5 or ±3), exercising both branches of the derivative.
 */
export function randomProblem(
  cell: CellSpec,
  T: number,
  lengths: readonly number[] | number,
  seed: number,
): SeqProblem {
  const rng = new Rng(seed);
  const B = typeof lengths === 'number' ? lengths : lengths.length;
  const D = cell.inputSize;
  const H = cell.hiddenSize;
  const GH = gateCount(cell.kind) * H;
  const k = isHard(cell) ? 3 : 1;
  const w = k / Math.sqrt(H);
  return {
    cell,
    T,
    B,
    x: randomValues(rng, T * B * D),
    W: randomValues(rng, D * GH, -w, w),
    U: randomValues(rng, H * GH, -w, w),
    bx: randomValues(rng, GH, -0.5 * k, 0.5 * k),
    bh: randomValues(rng, GH, -0.5 * k, 0.5 * k),
    mask: typeof lengths === 'number' ? null : maskFromLengths(T, lengths),
    h0: randomValues(rng, B * H),
    c0: cell.kind === 'lstm' ? randomValues(rng, B * H) : null,
    dOut: randomValues(rng, T * B * H),
    dhLast: randomValues(rng, B * H),
    dcLast: cell.kind === 'lstm' ? randomValues(rng, B * H) : null,
  };
}

/** The sequenceForward arguments of problem `p`, as arrays of `be`. */
export function forwardArgsOf(be: Backend, p: SeqProblem): SequenceForwardArgs {
  return {
    cell: p.cell,
    steps: p.T,
    batch: p.B,
    x: toBackend(be, p.x),
    W: toBackend(be, p.W),
    U: toBackend(be, p.U),
    bx: toBackend(be, p.bx),
    bh: toBackend(be, p.bh),
    mask: p.mask,
    h0: p.h0 ? toBackend(be, p.h0) : null,
    c0: p.c0 ? toBackend(be, p.c0) : null,
  };
}

/** Runs forward and backward of `p` on `be` (parameter gradients start from `gradStart`). */
export function runOnBackend(be: Backend, p: SeqProblem, gradStart = 0) {
  const GH = gateCount(p.cell.kind) * p.cell.hiddenSize;
  const D = p.cell.inputSize;
  const H = p.cell.hiddenSize;
  const args = { ...forwardArgsOf(be, p), keepPreactivations: true };
  const fwd: SequenceForwardResult = be.sequenceForward(args);
  const fill = (n: number): FloatArray => be.alloc(n).fill(gradStart);
  const grads = { W: fill(D * GH), U: fill(H * GH), bx: fill(GH), bh: fill(GH) };
  const bwd = be.sequenceBackward({
    ...args,
    fwd,
    dOut: p.dOut ? toBackend(be, p.dOut) : null,
    dhLast: p.dhLast ? toBackend(be, p.dhLast) : null,
    dcLast: p.dcLast ? toBackend(be, p.dcLast) : null,
    grads,
    wantDx: true,
    wantDhSteps: true,
  });
  return { fwd, bwd, grads };
}

function compareWithNaive(be: Backend, p: SeqProblem, rtol: number, label: string): void {
  const ref = naiveSequence(p);
  const start = 0.25; // gradients must accumulate (+=) into what is there
  const { fwd, bwd, grads } = runOnBackend(be, p, start);
  const { T, B, cell } = p;
  const H = cell.hiddenSize;
  const GH = gateCount(cell.kind) * H;
  const realH = (i: number): boolean => !p.mask || p.mask[Math.floor(i / H)] === 1;
  const realG = (i: number): boolean => !p.mask || p.mask[Math.floor(i / GH)] === 1;
  const c = (
    what: string,
    a: ArrayLike<number> | undefined,
    e: ArrayLike<number>,
    use?: (i: number) => boolean,
  ) => assertCloseArrays(`${label}: ${what}`, a, e, rtol, use);
  if (isHard(cell) && T * B * H >= 20) {
    // the problem must exercise both branches of the hard sigmoid (else the test proves little)
    const sigmoidGate = (i: number): boolean =>
      realG(i) && (cell.kind === 'gru' ? i % GH < 2 * H : Math.floor((i % GH) / H) !== 2);
    let sat = 0;
    let lin = 0;
    ref.gates.forEach((g, i) => {
      if (!sigmoidGate(i)) return;
      if (g === 0 || g === 1) sat++;
      else lin++;
    });
    assert.ok(sat > 0 && lin > 0, `${label}: ${sat} saturated and ${lin} linear gate values`);
  }
  c('out', fwd.out, ref.out);
  c('hs', fwd.hs, ref.hs);
  c('hLast', fwd.hLast, ref.hLast);
  c('gates (real steps)', fwd.gates, ref.gates, realG);
  c('preact (real steps)', fwd.preact, ref.preact, realG);
  if (cell.kind === 'lstm') {
    c('cs', fwd.cs, ref.cs);
    c('cLast', fwd.cLast, ref.cLast);
  }
  if (cell.kind === 'gru' && cell.resetAfter !== false) c('hn (real steps)', fwd.hn, ref.hn, realH);
  const plus = (v: Float64Array): Float64Array => v.map((e) => e + Math.fround(start));
  c('grad W', grads.W, plus(ref.dW));
  c('grad U', grads.U, plus(ref.dU));
  c('grad bx', grads.bx, plus(ref.dbx));
  c('grad bh', grads.bh, plus(ref.dbh));
  c('dx', bwd.dx, ref.dx);
  c('dh0', bwd.dh0, ref.dh0);
  if (cell.kind === 'lstm') c('dc0', bwd.dc0, ref.dc0);
  c('dhSteps', bwd.dhSteps, ref.dhSteps);
  assert.equal(fwd.out.length, T * B * H);
}

function registerSequences(label: string, make: () => Backend, rtol: number): void {
  // `holes`: a mask that is not just end padding (left padding, a gap), which the mask semantics
  // (carry the state over any padded step) must handle too.
  const holes = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]; // [T=6, B=3]
  const shapes: { T: number; lengths: number[] | number; D: number; H: number; mask?: number[] }[] =
    [
      { T: 5, lengths: 4, D: 3, H: 5 },
      { T: 1, lengths: 1, D: 1, H: 1 },
      { T: 6, lengths: 3, D: 17, H: 33 },
      { T: 5, lengths: [5, 3, 1, 4], D: 3, H: 5 },
      { T: 7, lengths: [1, 7, 2], D: 5, H: 17 },
      { T: 6, lengths: [6, 6, 6], D: 2, H: 3, mask: holes },
    ];
  for (const v of CELL_VARIANTS) {
    test(`${label}: sequenceForward/Backward ${v.name} matches the naive reference (with and without masks)`, () => {
      const be = make();
      shapes.forEach((s, k) => {
        const p = randomProblem(v.spec(s.D, s.H), s.T, s.lengths, 100 + k);
        if (s.mask) p.mask = Uint8Array.from(s.mask);
        const masks = s.mask ? 'mask with holes' : `lengths=${JSON.stringify(s.lengths)}`;
        compareWithNaive(be, p, rtol, `${v.name} T=${s.T} D=${s.D} H=${s.H} ${masks}`);
      });
    });
  }

  test(`${label}: outputsOnly gives the full pass's outputs and states, keeps no gates, refuses backward`, () => {
    const be = make();
    for (const v of CELL_VARIANTS) {
      for (const lengths of [[5, 2, 4, 1, 5], 5]) {
        const p = randomProblem(v.spec(3, 6), 5, lengths, 21);
        const args = forwardArgsOf(be, p);
        const full = be.sequenceForward(args);
        const lean = be.sequenceForward({ ...args, outputsOnly: true });
        const what = `${v.name} lengths=${JSON.stringify(lengths)}`;
        assert.deepEqual(Array.from(lean.out), Array.from(full.out), `${what} out`);
        assert.deepEqual(Array.from(lean.hs), Array.from(full.hs), `${what} hs`);
        assert.deepEqual(Array.from(lean.hLast), Array.from(full.hLast), `${what} hLast`);
        if (full.cLast)
          assert.deepEqual(Array.from(lean.cLast!), Array.from(full.cLast), `${what} cLast`);
        assert.equal(lean.gates.length, 0, `${what}: no gates`);
        assert.equal(lean.cs, undefined, `${what}: no cell states`);
        assert.equal(lean.hn, undefined, `${what}: no hn`);
        assert.throws(
          () =>
            be.sequenceBackward({
              ...args,
              fwd: lean,
              dhLast: toBackend(be, p.dhLast!),
              grads: null,
              wantDx: true,
            }),
          /outputs-only forward result/,
        );
      }
    }
    assert.throws(
      () =>
        be.sequenceForward({
          cell: CELL_VARIANTS[2]!.spec(1, 1),
          steps: 1,
          batch: 1,
          x: be.alloc(1),
          W: be.alloc(4),
          U: be.alloc(4),
          bx: be.alloc(4),
          bh: be.alloc(4),
          outputsOnly: true,
          keepPreactivations: true,
        }),
      /outputsOnly/,
    );
  });

  test(`${label}: batchMajor x [B, T, D] gives the outputs of the same x time-major, bit for bit`, () => {
    const be = make();
    for (const v of CELL_VARIANTS) {
      for (const lengths of [[5, 2, 4, 1, 5, 3, 5], 5]) {
        const p = randomProblem(v.spec(3, 6), 7, lengths, 22);
        const D = p.cell.inputSize;
        const xb = new Float64Array(p.T * p.B * D); // [B, T, D]
        for (let t = 0; t < p.T; t++)
          for (let b = 0; b < p.B; b++)
            for (let i = 0; i < D; i++) xb[(b * p.T + t) * D + i] = p.x[(t * p.B + b) * D + i]!;
        const args = { ...forwardArgsOf(be, p), outputsOnly: true };
        const what = `${v.name} lengths=${JSON.stringify(lengths)}`;
        for (const lastOnly of [false, true]) {
          const tm = be.sequenceForward({ ...args, lastOnly });
          const bm = be.sequenceForward({
            ...args,
            lastOnly,
            x: toBackend(be, xb),
            batchMajor: true,
          });
          assert.deepEqual(
            Array.from(bm.out),
            Array.from(tm.out),
            `${what} lastOnly=${lastOnly} out`,
          );
          assert.deepEqual(
            Array.from(bm.hLast),
            Array.from(tm.hLast),
            `${what} lastOnly=${lastOnly} hLast`,
          );
          if (tm.cLast)
            assert.deepEqual(Array.from(bm.cLast!), Array.from(tm.cLast), `${what} cLast`);
        }
        assert.throws(
          () =>
            be.sequenceForward({
              ...args,
              outputsOnly: false,
              x: toBackend(be, xb),
              batchMajor: true,
            }),
          (e: unknown) =>
            e instanceof Error && /batchMajor/.test(e.message) && /outputsOnly/.test(e.message),
        );
      }
    }
  });

  test(`${label}: sequenceBackward without grads, dx, dOut or dhLast`, () => {
    const be = make();
    const p = randomProblem(CELL_VARIANTS[2]!.spec(3, 4), 4, [4, 2], 7);
    const ref = naiveSequence({ ...p, dOut: null });
    const args = forwardArgsOf(be, p);
    const fwd = be.sequenceForward(args);
    assert.equal(fwd.preact, undefined, 'preact only on request');
    const bwd = be.sequenceBackward({
      ...args,
      fwd,
      dhLast: toBackend(be, p.dhLast!),
      dcLast: toBackend(be, p.dcLast!),
      grads: null,
      wantDx: false,
    });
    assert.equal(bwd.dx, undefined);
    assertCloseArrays('dh0', bwd.dh0, ref.dh0, rtol);
    assertCloseArrays('dc0', bwd.dc0, ref.dc0, rtol);
    // No upstream gradient at all: every gradient is exactly zero.
    const none = be.sequenceBackward({ ...args, fwd, grads: null, wantDx: true });
    assert.ok(none.dh0.every((e) => e === 0) && none.dx!.every((e) => e === 0));
  });
}

/** Registers the whole suite for one backend. */
export function backendSuite(label: string, make: () => Backend, opts: SuiteOptions): void {
  registerBasics(label, make, opts.rtol);
  registerSequences(label, make, opts.rtol);
}
