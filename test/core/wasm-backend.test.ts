/**
 * The wasm backend: kernels against plain float64 loops (GEMM in every transpose variant and odd
 * size, sigmoid/tanh against Math to 1e-6 relative, reductions), the shared backend suite,
 * sequence parity with the float32 TS backend for every cell kind with masks, thread-count
 * independence, argument errors, that its worker threads never keep a process alive, that both
 * kernel builds agree, and that the bench cases run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createWasmBackend } from '../../src/core/wasm-backend.js';
import { createTsBackend } from '../../src/core/ts-backend.js';
import { ArgumentError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { FloatArray } from '../../src/core/tensor.js';
import { WA, type Kernels } from '../../src/core/wasm/module.js';
import { CASE_NAMES, medianMs, runBench } from '../../bench/cases.js';
import { CELL_VARIANTS, backendSuite, randomProblem, runOnBackend } from './backend-suite.js';

const wasm = createWasmBackend({ threads: 1 });
const wasm2 = createWasmBackend({ threads: 2, minParallelMacs: 0 });
const ts32 = createTsBackend('float32');
after(() => {
  wasm.close();
  wasm2.close();
});

function rand(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** C = alpha·op(A)·op(B) + beta·C in float64, the plain triple loop. */
function gemmRef(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FloatArray,
  lda: number,
  B: FloatArray,
  ldb: number,
  beta: number,
  C: FloatArray,
  ldc: number,
): Float64Array {
  const out = Float64Array.from(C);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++)
        s += (tA ? A[p * lda + i]! : A[i * lda + p]!) * (tB ? B[j * ldb + p]! : B[p * ldb + j]!);
      out[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * ldc + j]!);
    }
  }
  return out;
}

test('wasm gemm matches a float64 triple loop for every transpose, odd sizes, strides, alpha and beta', () => {
  const rng = new Rng(1);
  // sizes cross the 4×8 micro-tile, the 64-row, 256-deep and 256-wide cache blocks
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [9, 17, 33],
    [65, 13, 300],
    [6, 530, 21],
    [33, 40, 257],
  ];
  for (const [M, N, K] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const lda = (tA ? M : K) + 3,
          ldb = (tB ? K : N) + 1,
          ldc = N + 2;
        const A = rand(rng, (tA ? K : M) * lda),
          B = rand(rng, (tB ? N : K) * ldb),
          C = rand(rng, M * ldc);
        const ref = gemmRef(tA, tB, M, N, K, 0.75, A, lda, B, ldb, -0.5, C, ldc);
        wasm.gemm({
          transA: tA,
          transB: tB,
          M,
          N,
          K,
          alpha: 0.75,
          A,
          lda,
          B,
          ldb,
          beta: -0.5,
          C,
          ldc,
        });
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            const e = ref[i * ldc + j]!;
            const got = C[i * ldc + j]!;
            assert.ok(
              Math.abs(got - e) <= 1e-5 * (K + 1),
              `M${M} N${N} K${K} tA${tA} tB${tB} [${i},${j}]: ${got} vs ${e}`,
            );
          }
          // the gaps between rows (j ≥ N) are left untouched
          assert.equal(C[i * ldc + N], Math.fround(C[i * ldc + N]!));
        }
      }
    }
  }
});

test('wasm gemm with offsets, and beta = 0 ignores NaN already in C', () => {
  const rng = new Rng(2);
  const M = 5,
    N = 9,
    K = 6;
  const A = rand(rng, 3 + M * K),
    B = rand(rng, 2 + K * N);
  const C = new Float32Array(1 + M * N).fill(NaN);
  wasm.gemm({
    transA: false,
    transB: false,
    M,
    N,
    K,
    alpha: 1,
    A,
    aOffset: 3,
    B,
    bOffset: 2,
    beta: 0,
    C,
    cOffset: 1,
  });
  const ref = gemmRef(
    false,
    false,
    M,
    N,
    K,
    1,
    A.subarray(3),
    K,
    B.subarray(2),
    N,
    0,
    new Float32Array(M * N),
    N,
  );
  assert.ok(Number.isNaN(C[0]!), 'values before cOffset untouched');
  for (let i = 0; i < M * N; i++) assert.ok(Math.abs(C[1 + i]! - ref[i]!) < 1e-5, `C[${i}]`);
});

test('wasm sigmoid and tanh are within 1e-6 relative of Math (float64) over the whole range', () => {
  const xs: number[] = [
    0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 1e-3, 0.1, 0.6249, 0.625, 0.6251, 80, -80, 87, -87,
  ];
  for (let v = -30; v <= 30; v += 0.00371) xs.push(v);
  for (let e = -20; e <= 1.5; e += 0.01) xs.push(10 ** e, -(10 ** e));
  const x = Float32Array.from(xs);
  const s = new Float32Array(x.length),
    t = new Float32Array(x.length);
  wasm.sigmoid(x, s);
  wasm.tanh(x, t);
  let worstS = 0,
    worstT = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const rs = Math.abs(s[i]! - 1 / (1 + Math.exp(-v))) / (1 / (1 + Math.exp(-v)));
    worstS = Math.max(worstS, rs);
    const tt = Math.tanh(v);
    worstT = Math.max(worstT, tt === 0 ? Math.abs(t[i]!) : Math.abs(t[i]! - tt) / Math.abs(tt));
  }
  assert.ok(worstS <= 1e-6, `sigmoid worst relative error ${worstS}`);
  assert.ok(worstT <= 1e-6, `tanh worst relative error ${worstT}`);
  // saturation and in-place use
  const y = Float32Array.from([1000, -1000, Infinity, -Infinity]);
  wasm.tanh(y, y);
  assert.deepEqual([...y], [1, -1, 1, -1]);
  const z = Float32Array.from([1000, Infinity]);
  wasm.sigmoid(z, z);
  assert.deepEqual([...z], [1, 1]);
});

test('wasm reductions: sum, sumSquares, addColumnSums', () => {
  const rng = new Rng(3);
  const x = rand(rng, 1003);
  let s = 0,
    q = 0;
  for (const v of x) {
    s += v;
    q += v * v;
  }
  assert.ok(Math.abs(wasm.sum(x) - s) < 1e-9);
  assert.ok(Math.abs(wasm.sumSquares(x) - q) < 1e-9);
  const rows = 37,
    cols = 11;
  const A = rand(rng, rows * cols);
  const out = Float32Array.from({ length: cols }, (_, j) => j);
  wasm.addColumnSums(A, rows, cols, out);
  for (let j = 0; j < cols; j++) {
    let c = j;
    for (let i = 0; i < rows; i++) c += A[i * cols + j]!;
    assert.ok(Math.abs(out[j]! - c) < 1e-5, `column ${j}`);
  }
});

backendSuite('wasm', () => wasm, { rtol: 1e-5 });
backendSuite('wasm (2 threads)', () => wasm2, { rtol: 1e-5 });

/** max |a − b| / max |b|. */
function relDiff(a: FloatArray | undefined, b: FloatArray | undefined): number {
  assert.ok(a && b && a.length === b.length, 'same length');
  let d = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / (s || 1);
}

test('wasm sequence ops agree with the float32 TS backend (every cell kind, masks, H not a multiple of 4)', () => {
  const ts = createTsBackend('float32');
  for (const v of CELL_VARIANTS) {
    for (const [T, lengths, D, H] of [
      [7, [7, 2, 5, 1, 7, 3], 5, 13],
      [4, 9, 16, 32],
    ] as [number, number[] | number, number, number][]) {
      const p = randomProblem(v.spec(D, H), T, lengths, 11);
      const a = runOnBackend(wasm2, p, 0.5);
      const b = runOnBackend(ts, p, 0.5);
      const label = `${v.name} T${T} H${H}`;
      for (const k of ['out', 'hs', 'cs', 'hLast', 'cLast', 'hn'] as const) {
        if (b.fwd[k]) assert.ok(relDiff(a.fwd[k], b.fwd[k]) <= 1e-5, `${label} ${k}`);
      }
      for (const k of ['dx', 'dh0', 'dc0', 'dhSteps'] as const) {
        if (b.bwd[k]) assert.ok(relDiff(a.bwd[k], b.bwd[k]) <= 1e-5, `${label} ${k}`);
      }
      for (const k of ['W', 'U', 'bx', 'bh'] as const)
        assert.ok(relDiff(a.grads[k], b.grads[k]) <= 1e-5, `${label} d${k}`);
    }
  }
});

test('wasm results do not depend on the thread count (1 vs 2 threads: identical)', () => {
  for (const v of CELL_VARIANTS) {
    const p = randomProblem(v.spec(6, 20), 9, [9, 4, 9, 7, 1, 9, 8, 9, 2, 9, 9], 5);
    const a = runOnBackend(wasm, p);
    const b = runOnBackend(wasm2, p);
    assert.deepEqual(a.fwd.hs, b.fwd.hs, `${v.name} hs`);
    assert.deepEqual(a.bwd.dx, b.bwd.dx, `${v.name} dx`);
    assert.deepEqual(a.bwd.dh0, b.bwd.dh0, `${v.name} dh0`);
    for (const k of ['W', 'U', 'bx', 'bh'] as const)
      assert.deepEqual(a.grads[k], b.grads[k], `${v.name} d${k}`);
  }
});

test('wasm rejects bad arguments with ArgumentErrors that name them', () => {
  const cell = { kind: 'lstm' as const, inputSize: 2, hiddenSize: 3 };
  const base = {
    cell,
    steps: 2,
    batch: 1,
    x: new Float32Array(4),
    W: new Float32Array(24),
    U: new Float32Array(36),
    bx: new Float32Array(12),
    bh: new Float32Array(12),
  };
  assert.throws(
    () => wasm.sequenceForward({ ...base, x: new Float32Array(5) }),
    (e: unknown) =>
      e instanceof ArgumentError && /'x'/.test(e.message) && /5 values/.test(e.message),
  );
  assert.throws(
    () => wasm.sequenceForward({ ...base, U: new Float32Array(36).fill(NaN) }),
    (e: unknown) => e instanceof ArgumentError && /'U'/.test(e.message),
  );
  assert.throws(() => wasm.sequenceForward({ ...base, batch: 0 }), ArgumentError);
  assert.throws(
    () =>
      wasm.gemm({
        transA: false,
        transB: false,
        M: 2,
        N: 2,
        K: 2,
        alpha: 1,
        A: new Float32Array(3),
        B: new Float32Array(4),
        beta: 0,
        C: new Float32Array(4),
      }),
    (e: unknown) => e instanceof ArgumentError && /'A'/.test(e.message),
  );
  assert.throws(
    () => wasm.sigmoid(new Float32Array(3), new Float32Array(2)),
    (e: unknown) => e instanceof ArgumentError && /'out'/.test(e.message),
  );
  assert.throws(
    () => createWasmBackend({ threads: 0 }),
    (e: unknown) => e instanceof ArgumentError && /'threads'/.test(e.message),
  );
});

test('worker threads do not keep the process alive', () => {
  const entry = fileURLToPath(new URL('../../src/core/wasm-backend.ts', import.meta.url));
  const script = `
    import { createWasmBackend } from ${JSON.stringify(entry)};
    const be = createWasmBackend({ threads: 2, minParallelMacs: 0 });
    const cell = { kind: 'gru', inputSize: 3, hiddenSize: 8 };
    const r = be.sequenceForward({ cell, steps: 3, batch: 8, x: new Float32Array(72).fill(0.5),
      W: new Float32Array(72).fill(0.1), U: new Float32Array(192).fill(0.1), bx: new Float32Array(24), bh: new Float32Array(24) });
    console.log('ok', r.hLast.length);`;
  const t0 = Date.now();
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /ok 64/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('both kernel builds (f32x4, and f32x4 with fused multiply-add) compute the same GEMM', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const memory = new WA.Memory({ initial: 256, maximum: 65536, shared: true });
  const plain = new WA.Instance(new WA.Module(readFileSync(`${root}build/kernels.wasm`)), {
    env: { memory },
  }).exports as unknown as Kernels;
  const rng = new Rng(9);
  const M = 13,
    N = 37,
    K = 300;
  const A = rand(rng, M * K),
    B = rand(rng, K * N);
  const f = new Float32Array(memory.buffer);
  const pA = 4096,
    pB = pA + M * K * 4,
    pC = pB + K * N * 4,
    work = pC + M * N * 4 + 64;
  f.set(A, pA >> 2);
  f.set(B, pB >> 2);
  f.fill(0, pC >> 2, (pC >> 2) + M * N);
  plain.gemm(0, 0, M, N, K, 1, pA, K, pB, N, 0, pC, N, work);
  const C = new Float32Array(M * N);
  wasm.gemm({ transA: false, transB: false, M, N, K, alpha: 1, A, B, beta: 0, C });
  const ref = gemmRef(false, false, M, N, K, 1, A, K, B, N, 0, new Float32Array(M * N), N);
  for (let i = 0; i < M * N; i++) {
    assert.ok(Math.abs(f[(pC >> 2) + i]! - ref[i]!) < 1e-4, `plain build [${i}]`);
    assert.ok(Math.abs(C[i]! - ref[i]!) < 1e-4, `${wasm.kernels} build [${i}]`);
  }
});

test('bench cases run through the real model path and report a median per case', () => {
  assert.deepEqual(CASE_NAMES, [
    'train-lstm-b32-t50-d16-h128',
    'train-gru-b32-t50-d16-h128',
    'train-lstm-text-b32-t100-v5000-e64-h128',
    'infer-lstm-b256-t50-d16-h128',
    'ig-lstm-t50-d16-h128-s50',
    'infer-gru-b256-t50-d16-h128',
    'ig-lstm-b8-t50-d16-h128-s50',
    'smoothgrad-lstm-t50-d16-h128-n50',
    'kernelshap-lstm-t50-d16-h128-n500-g50',
    'crown-lstm-t10-d16-h32-eps0.01',
  ]);
  const quick = ['train-gru-b32-t50-d16-h128', 'infer-gru-b256-t50-d16-h128', 'smoothgrad-lstm-t50-d16-h128-n50'];
  const r = runBench({ backend: wasm2, only: quick, reps: 1, warmupMs: 100 });
  assert.deepEqual(Object.keys(r), quick);
  for (const c of quick) assert.ok(r[c]! > 0, c);
  // every case beyond the five of torch_ref.py has its same-run reference in bench/reference.py
  const reference = readFileSync(fileURLToPath(new URL('../../bench/reference.py', import.meta.url)), 'utf8');
  for (const c of CASE_NAMES.slice(5)) assert.match(reference, new RegExp(`'${c.replace(/\./g, '\\.')}': `), c);
  let calls = 0;
  assert.equal(medianMs(() => void calls++, 4, 1, 0) >= 0, true);
  assert.equal(calls, 5, 'one warm-up run, then the timed runs');
  // the warm-up also lasts at least warmupMs: with runs of ≥ 5 ms and 30 ms of warm-up, the
  // untimed runs start within the first 30 ms and the first timed run after them (start times,
  // not run counts, so a loaded machine cannot fail it)
  const starts: number[] = [];
  const busy = (): void => {
    const t = performance.now();
    starts.push(t);
    while (performance.now() - t < 5);
  };
  medianMs(busy, 2, 1, 30);
  const untimed = starts.length - 2;
  assert.ok(untimed >= 1, `expected at least the one required warm-up run, got ${untimed}`);
  for (let i = 1; i < untimed; i++)
    assert.ok(starts[i]! - starts[0]! < 30, `warm-up run ${i} started after 30 ms`);
  const firstTimed = starts[untimed]! - starts[0]!;
  assert.ok(firstTimed >= 29.5, `the first timed run started ${firstTimed} ms after the warm-up began`);
});

/** The forward arguments of a random problem as float32 arrays. */
function float32Args(p: ReturnType<typeof randomProblem>) {
  const f32 = (a: ArrayLike<number> | null) => (a ? Float32Array.from(a) : null);
  return {
    cell: p.cell, steps: p.T, batch: p.B, x: f32(p.x)!, W: f32(p.W)!, U: f32(p.U)!,
    bx: f32(p.bx)!, bh: f32(p.bh)!, mask: p.mask, h0: f32(p.h0), c0: f32(p.c0),
  };
}

test('backward reuses a resident forward pass, and falls back to copying from fwd once released', () => {
  for (const v of CELL_VARIANTS) {
    const p = randomProblem(v.spec(5, 9), 6, [6, 3, 5, 1], 41);
    const be = wasm2;
    const f32 = (a: ArrayLike<number> | null) => (a ? Float32Array.from(a) : null);
    const args = float32Args(p);
    const back = (fwd: ReturnType<typeof be.sequenceForward>, a = args) =>
      be.sequenceBackward({
        ...a,
        fwd,
        dOut: f32(p.dOut),
        dhLast: f32(p.dhLast),
        grads: null,
        wantDx: true,
      });
    const fwd = be.sequenceForward(args);
    const ref = back(fwd);
    // Resident: the kernels' own buffers are used, so scribbling on the copied-out gates changes nothing.
    const saved = Float32Array.from(fwd.gates);
    fwd.gates.fill(0.25);
    assert.deepEqual(back(fwd).dx, ref.dx, `${v.name}: resident backward`);
    // Another forward pass of the same weights releases the region: backward now reads fwd.gates.
    be.sequenceForward(args);
    assert.notDeepEqual(back(fwd).dx, ref.dx, `${v.name}: released region must not be used`);
    fwd.gates.set(saved);
    assert.deepEqual(back(fwd).dx, ref.dx, `${v.name}: fallback backward equals the resident one`);
    // Different input arrays (even with equal values) never match a resident region.
    const fwd2 = be.sequenceForward(args);
    fwd2.gates.fill(0.25);
    assert.notDeepEqual(back(fwd2, { ...args, x: Float32Array.from(args.x) }).dx, ref.dx, v.name);
  }
});

test('a kept forward pass is copied out only when read, or when its memory is reused; a discarded one is not', () => {
  for (const v of CELL_VARIANTS) {
    const p = randomProblem(v.spec(5, 9), 6, [6, 3, 5, 1], 43);
    const be = wasm2;
    const f32 = (a: ArrayLike<number> | null) => (a ? Float32Array.from(a) : null);
    const args = float32Args(p);
    const back = (fwd: ReturnType<typeof be.sequenceForward>) =>
      be.sequenceBackward({ ...args, fwd, dOut: f32(p.dOut), dhLast: f32(p.dhLast), grads: null, wantDx: true });
    const eager = be.sequenceForward(args);
    const fields = ['out', 'hs', 'cs', 'gates', 'hn'] as const;
    const want = Object.fromEntries(fields.map((k) => [k, eager[k] ? Float32Array.from(eager[k]!) : undefined]));
    const ref = back(eager);
    // Never read while resident: the next pass of the same weights copies it out before reusing the memory.
    const unread = be.sequenceForward(args);
    be.sequenceForward(args);
    for (const k of fields) assert.deepEqual(unread[k], want[k], `${v.name}: ${k} after release`);
    assert.deepEqual(back(unread).dx, ref.dx, `${v.name}: backward from the copied-out arrays`);
    // Discarded by its owner: not copied out, and reading it afterwards is an error.
    const dropped = be.sequenceForward(args);
    be.discardForward!(dropped);
    be.sequenceForward(args);
    assert.throws(() => dropped.gates, /read after its owner discarded it/, v.name);
    // A field read before the discard stays readable.
    const read = be.sequenceForward(args);
    const hs = read.hs;
    be.discardForward!(read);
    be.sequenceForward(args);
    assert.equal(read.hs, hs);
    assert.deepEqual(read.hs, want.hs);
  }
});

test('lastOnly inference returns only the final states, as the full pass computes them', () => {
  for (const v of CELL_VARIANTS) {
    const p = randomProblem(v.spec(5, 9), 6, [6, 3, 5, 1], 44);
    const args = float32Args(p);
    for (const be of [wasm, wasm2, ts32]) {
      const full = be.sequenceForward({ ...args, outputsOnly: true });
      const last = be.sequenceForward({ ...args, outputsOnly: true, lastOnly: true });
      assert.equal(last.hs.length, 0, v.name);
      assert.equal(last.out.length, 0, v.name);
      assert.deepEqual(last.hLast, full.hLast, `${v.name} on ${be.name}`);
      assert.deepEqual(last.cLast, full.cLast, `${v.name} on ${be.name}`);
      assert.throws(() => be.sequenceForward({ ...args, lastOnly: true }), (e: unknown) => e instanceof ArgumentError && /lastOnly/.test(e.message));
    }
  }
});
