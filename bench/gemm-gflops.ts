/**
 * GEMM throughput of the wasm kernels on the recurrent shapes, one thread, data already in wasm
 * memory: `gemm` (general: packs both operands), `packed` (gemm_acc_packed: B packed once, A read
 * in place, as the per-step h·U) and, for K = 16 + 128, `step` (gemm_step: bias + [x, h]·[W; U]).
 * Prints the median and the best of 15 timings. Run: npx tsx bench/gemm-gflops.ts
 */
import { kernelVariant } from '../src/core/wasm/module.js';
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

console.log(`kernels: ${kernelVariant()}`);
measure(32, 512, 144);
measure(16, 512, 128);
measure(32, 512, 128);
measure(128, 512, 1600);
