/**
 * Seeded randomness on top of pure-rand's xoroshiro128+. Every random choice in rnnlens
 * (initialisation, shuffling, dropout, sampling) goes through an Rng so that the same seed gives
 * the same results.
 *
 * The generator's 128-bit state is expanded from the 32-bit seed by a bijective integer hash of
 * four consecutive Weyl-sequence values (seed + k·0x9E3779B9), so nearby seeds (0, 1, 2, ...) give
 * unrelated streams from the first draw. pure-rand's own seeding puts the seed into a state that
 * is mostly constant, and its first outputs were then nearly the same for every seed (the first
 * uniform draw was ≈ 1.0 for seeds 0–3 and 42).
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { FloatArray } from './tensor.js';

type Gen = ReturnType<typeof xoroshiro128plusFromState>;

/** A bijective 32-bit mixer (the "lowbias32" constants of Wellons' hash-prospector). */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) | 0;
}

/** The four 32-bit state words of the generator for a seed (never all zero). */
export function seedState(seed: number): [number, number, number, number] {
  const s = Math.trunc(seed) | 0;
  const w = [0, 1, 2, 3].map((k) => mix32((s + Math.imul(k + 1, 0x9e3779b9)) | 0)) as [
    number,
    number,
    number,
    number,
  ];
  if ((w[0] | w[1] | w[2] | w[3]) === 0) w[3] = 1;
  return w;
}

export class Rng {
  private gen: Gen;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: argument 'seed' expected a finite number, received ${seed}`);
    this.gen = xoroshiro128plusFromState(seedState(seed));
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = (this.gen.next() >>> 0) >>> 5; // 27 bits
    const lo = (this.gen.next() >>> 0) >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + sd * v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * out[start + i] = src[srcStart + i] + sd · z_i for i < count, where z_0, z_1, … are the values
   * `count` calls of normal() would give (the same stream, pairs of Box–Muller included), drawn in
   * one loop without a call per value.
   */
  addNormals(
    out: FloatArray,
    start: number,
    count: number,
    src: ArrayLike<number>,
    srcStart: number,
    sd: number,
  ): void {
    let i = 0;
    if (count > 0 && this.spare !== null) {
      out[start] = src[srcStart]! + sd * this.spare;
      this.spare = null;
      i = 1;
    }
    const TWO_PI = 2 * Math.PI;
    for (; i + 1 < count; i += 2) {
      let u = 0;
      while (u === 0) u = this.next();
      const v = this.next();
      const r = Math.sqrt(-2 * Math.log(u));
      // exactly normal()'s arithmetic: mean + sd · r · cos, then the cached r · sin as mean + sd · spare
      out[start + i] = src[srcStart + i]! + (0 + sd * r * Math.cos(TWO_PI * v));
      out[start + i + 1] = src[srcStart + i + 1]! + (0 + sd * (r * Math.sin(TWO_PI * v)));
    }
    if (i < count) out[start + i] = src[srcStart + i]! + this.normal(0, sd);
  }

  fillUniform(out: FloatArray, lo: number, hi: number): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  fillNormal(out: FloatArray, mean = 0, sd = 1): FloatArray {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, sd);
    return out;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(arr: T[] | Int32Array | Uint32Array): typeof arr {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }

  /** 0..n-1 in random order. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p) as Int32Array;
  }

  /** A new independent generator derived from this one (for workers, folds, ...). */
  fork(): Rng {
    return new Rng(this.int(0x7fffffff));
  }
}
