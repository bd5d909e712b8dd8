/**
 * Attacks inside a perturbation region, in float64: they find points, so they give the other
 * side of a certificate (an output value that IS reached, an adversarial radius that IS enough).
 *
 * - PGD (Madry et al. 2018) maximising a linear function c·y of the outputs: gradient steps
 *   (sign for L∞, normalised for L2, steepest coordinate for L1) projected back onto the region,
 *   from the centre and from random starts (all restarts run as one batch);
 * - greedy substitution search for token substitution sets: change the position/substitute that
 *   improves the objective most, until nothing improves.
 */
import { Rng } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import type { Flow } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import { evaluateFlat } from './certify.js';
import { projectRegion, sampleRegion, type Region } from './perturbation.js';

export interface PgdOptions {
  /** Gradient steps per restart; default 40. */
  steps?: number;
  /** Random starts besides the centre; default 3. */
  restarts?: number;
  /** Seed of the random starts; default 0. */
  seed?: number;
}

export interface AttackResult {
  /** The largest c·y found. */
  value: number;
  /** The input vector reaching it [T·F]. */
  x: Float64Array;
  /** The outputs there. */
  y: Float64Array;
}

function dotc(c: Float64Array, y: ArrayLike<number>, off: number): number {
  let s = 0;
  for (let k = 0; k < c.length; k++) s += c[k]! * y[off + k]!;
  return s;
}

/** Gradients of c·y at a batch of points [B·N]; returns outputs [B·C] and gradients [B·N]. */
function gradBatch(
  m64: SequenceModel,
  xs: Float64Array,
  B: number,
  r: Region,
  c: Float64Array,
): { y: Float64Array; g: Float64Array } {
  const T = r.steps;
  const F = r.features;
  const input = { data: xs, batch: B, steps: T, features: F, lengths: new Int32Array(B).fill(T) };
  const gd = new Float64Array(B * c.length);
  for (let b = 0; b < B; b++) gd.set(c, b * c.length);
  const O = m64.outputFeatures;
  // c covers one output vector [O], or every step's outputs [T·O] (a per-step head)
  const gradOut: Flow =
    c.length === O
      ? new Tensor([B, O], gd)
      : { data: gd, batch: B, steps: T, features: O, lengths: input.lengths };
  const { output, grad } = m64.inputGradient(input, gradOut, {
    embedded: m64.inputSpec.kind === 'tokens',
  });
  return { y: Float64Array.from(output.data), g: Float64Array.from(grad.data) };
}

/** One ascent step on every ball block, then projection. */
function step(r: Region, x: Float64Array, g: Float64Array, off: number, frac: number): void {
  for (const b of r.blocks) {
    if (b.kind !== 'ball') continue;
    const a = b.eps * frac;
    if (b.norm === 'linf')
      for (const j of b.idx) x[off + j] = x[off + j]! + a * Math.sign(g[off + j]!);
    else if (b.norm === 'l2') {
      let s = 0;
      for (const j of b.idx) s += g[off + j]! ** 2;
      const n = Math.sqrt(s);
      if (n > 0) for (const j of b.idx) x[off + j] = x[off + j]! + (a * g[off + j]!) / n;
    } else {
      let best = b.idx[0]!;
      for (const j of b.idx) if (Math.abs(g[off + j]!) > Math.abs(g[off + best]!)) best = j;
      x[off + best] = x[off + best]! + a * Math.sign(g[off + best]!);
    }
  }
  const v = x.subarray(off, off + r.centre.length);
  projectRegion(r, v);
}

/** PGD maximising c·y over the ball blocks of the region (point blocks stay at the centre). */
export function pgdMaximize(
  m64: SequenceModel,
  r: Region,
  c: Float64Array,
  opts: PgdOptions = {},
): AttackResult {
  const steps = opts.steps ?? 40;
  const B = 1 + (opts.restarts ?? 3);
  const N = r.centre.length;
  const rng = new Rng(opts.seed ?? 0);
  const xs = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    const s = b === 0 ? r.centre : sampleRegion(r, rng);
    xs.set(s, b * N);
  }
  const C = c.length;
  let best: AttackResult = { value: -Infinity, x: r.centre.slice(), y: new Float64Array(C) };
  const track = (y: Float64Array): void => {
    for (let b = 0; b < B; b++) {
      const v = dotc(c, y, b * C);
      if (v > best.value)
        best = { value: v, x: xs.slice(b * N, (b + 1) * N), y: y.slice(b * C, (b + 1) * C) };
    }
  };
  for (let s = 0; s < steps; s++) {
    const { y, g } = gradBatch(m64, xs, B, r, c);
    track(y);
    // step size decays from ε/2 to ε/100: big moves first (the centre reaches the boundary in
    // a few steps), then settle
    const frac = 0.5 * Math.pow(0.02, s / Math.max(1, steps - 1));
    for (let b = 0; b < B; b++) step(r, xs, g, b * N, frac);
  }
  track(evaluateFlat(m64, xs, B, r.steps, r.features));
  return best;
}

/**
 * Greedy search over the vertices of point blocks (token substitutions): start at the centre; in
 * each round try every alternative at every position and keep the single best change.
 */
export function greedySubstitution(
  m64: SequenceModel,
  r: Region,
  c: Float64Array,
  maxRounds = 10,
): AttackResult {
  const T = r.steps;
  const F = r.features;
  const x = r.centre.slice();
  let y = evaluateFlat(m64, x, 1, T, F);
  let value = dotc(c, y, 0);
  for (let round = 0; round < maxRounds; round++) {
    const cands: Float64Array[] = [];
    for (const b of r.blocks) {
      if (b.kind !== 'points') continue;
      for (const p of b.points) {
        const z = x.slice();
        b.idx.forEach((j, k) => (z[j] = p[k]!));
        cands.push(z);
      }
    }
    if (cands.length === 0) break;
    const xs = new Float64Array(cands.length * x.length);
    cands.forEach((z, i) => xs.set(z, i * x.length));
    const ys = evaluateFlat(m64, xs, cands.length, T, F);
    const C = c.length;
    let bi = -1;
    for (let i = 0; i < cands.length; i++) {
      const v = dotc(c, ys, i * C);
      if (v > value) {
        value = v;
        bi = i;
      }
    }
    if (bi < 0) break;
    x.set(cands[bi]!);
    y = ys.slice(bi * C, (bi + 1) * C);
  }
  return { value, x, y };
}

/** The best attack for the region's kind: PGD on balls, greedy on substitution sets. */
export function attackMaximize(
  m64: SequenceModel,
  r: Region,
  c: Float64Array,
  opts: PgdOptions = {},
): AttackResult {
  const hasBall = r.blocks.some((b) => b.kind === 'ball');
  const hasPoints = r.blocks.some((b) => b.kind === 'points');
  if (hasPoints && !hasBall) return greedySubstitution(m64, r, c);
  return pgdMaximize(m64, r, c, opts);
}
