/**
 * GEMM throughput of the wasm kernels on the recurrent shapes, one thread, data already in wasm
 * memory: `gemm` (general: packs both operands), `packed` (gemm_acc_packed: B packed once, A read
 * in place, as the per-step h·U) and, for K = 16 + 128, `step` (gemm_step: bias + [x, h]·[W; U]).
 * Prints the median and the best of 15 timings. Run: npx tsx bench/gemm-gflops.ts
 *
 * First it measures the ceiling those figures are held against: the multiply-add rate of 128-bit
 * wasm SIMD on this CPU, from a loop of twelve independent 4-lane multiply-add chains (enough to
 * cover the latency of two multiply-add units) and nothing else.
 */
import { WA, kernelVariant, type WasmModule } from '../src/core/wasm/module.js';
import { Runtime } from '../src/core/wasm/runtime.js';

const rt = new Runtime(1);
const k = rt.kernels;
const ar = rt.arena;

function measure(M: number, N: number, K: number): void {
  ar.reset();
  const pA = ar.alloc(M * K);
  const pB = ar.alloc(K * N);
  const pC = ar.zeros(M * N);
  const pBias = ar.zeros(N);
  const f = ar.f32;
  for (let i = 0; i < M * K; i++) f[(pA >> 2) + i] = Math.sin(i);
  for (let i = 0; i < K * N; i++) f[(pB >> 2) + i] = Math.cos(i);
  const work = ar.alloc(rt.gemmWork);
  const pBp = ar.alloc(k.packed_b_size(K, N));
  k.pack_b(0, K, N, pB, N, 0, 0, pBp);
  const flops = 2 * M * N * K;
  const reps = Math.max(20, Math.round(2e8 / flops));
  const variants: Array<[string, () => void]> = [
    ['gemm', () => k.gemm(0, 0, M, N, K, 1, pA, K, pB, N, 1, pC, N, work)],
    ['packed', () => k.gemm_acc_packed(M, N, K, pA, K, pBp, pC, N, work)],
  ];
  if (K === 144) {
    // the LSTM step: K1 = 16 input features, K2 = 128 hidden units, same packed [W; U]
    variants.push([
      'step',
      () => k.gemm_step(M, N, 16, pA, K, 128, pA + 64, K, pBp, pBias, pC, N, work),
    ]);
  }
  for (const [name, fn] of variants) {
    for (let i = 0; i < reps; i++) fn();
    const rates: number[] = [];
    for (let r = 0; r < 15; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) fn();
      rates.push((flops * reps) / Number(process.hrtime.bigint() - t0));
    }
    rates.sort((a, b) => a - b);
    const label = `${M}x${K} . ${K}x${N}`;
    console.log(
      `${label.padEnd(20)} ${name.padEnd(7)} median ${rates[7]!.toFixed(1).padStart(5)}  best ${rates[14]!.toFixed(1).padStart(5)} GFLOP/s`,
    );
  }
}

/**
 * A wasm module exporting peak(n): n rounds of acc_i = acc_i · x + y on twelve v128 accumulators
 * (f32x4.relaxed_madd with the relaxed kernels, else f32x4.mul then f32x4.add), returning their
 * sum so nothing is dead. Written as bytes: a dozen instructions need no toolchain.
 */
function peakModule(relaxed: boolean): WasmModule {
  const ACC = 12;
  const X = ACC + 1,
    Y = ACC + 2;
  const f32 = (v: number): number[] => [...new Uint8Array(new Float32Array([v]).buffer)];
  const body: number[] = [1, Y, 0x7b]; // locals 1..14: v128
  body.push(0x43, ...f32(0.999), 0xfd, 0x13, 0x21, X); // x = splat(0.999)
  body.push(0x43, ...f32(1e-6), 0xfd, 0x13, 0x21, Y); // y = splat(1e-6)
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  body.push(0x20, 0, 0x45, 0x0d, 1); // if n == 0: break
  for (let i = 1; i <= ACC; i++) {
    if (relaxed) body.push(0x20, i, 0x20, X, 0x20, Y, 0xfd, 0x85, 0x02, 0x21, i);
    else body.push(0x20, i, 0x20, X, 0xfd, 0xe6, 0x01, 0x20, Y, 0xfd, 0xe4, 0x01, 0x21, i);
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x21, 0, 0x0c, 0, 0x0b, 0x0b); // n -= 1; continue; end end
  body.push(0x20, 1);
  for (let i = 2; i <= ACC; i++) body.push(0x20, i, 0xfd, 0xe4, 0x01);
  body.push(0xfd, 0x1f, 0, 0x0b); // lane 0 of the sum; end
  const section = (id: number, content: number[]): number[] => [
    id,
    ...leb(content.length),
    ...content,
  ];
  const code = [1, ...leb(body.length), ...body];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // (func (param i32) (result f32))
    ...section(3, [1, 0]),
    ...section(7, [1, 4, 0x70, 0x65, 0x61, 0x6b, 0, 0]), // export "peak"
    ...section(10, code),
  ];
  return new WA.Module(new Uint8Array(bytes));
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function measurePeak(): void {
  const relaxed = kernelVariant() === 'relaxed';
  const inst = new WA.Instance(peakModule(relaxed), {});
  const peak = (inst.exports as { peak: (n: number) => number }).peak;
  const n = 2_000_000;
  const flops = n * 12 * 4 * 2;
  peak(n);
  const rates: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    peak(n);
    rates.push(flops / Number(process.hrtime.bigint() - t0));
  }
  rates.sort((a, b) => a - b);
  console.log(
    `${'peak (12 chains)'.padEnd(20)} ${(relaxed ? 'madd' : 'mul+add').padEnd(7)} median ${rates[7]!.toFixed(1).padStart(5)}  best ${rates[14]!.toFixed(1).padStart(5)} GFLOP/s`,
  );
}

console.log(`kernels: ${kernelVariant()}`);
measurePeak();
measure(32, 512, 144);
measure(16, 512, 128);
measure(32, 512, 128);
measure(128, 512, 1600);
