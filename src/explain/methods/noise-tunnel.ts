/**
 * Noise tunnel (Captum's NoiseTunnel) over any gradient method M, with n samples of Gaussian
 * noise ε ~ N(0, σ²) added to the input's valid steps (σ = `stdevs`, an absolute standard
 * deviation as in Captum; defaults n = 5, σ = 1.0):
 *   smoothgrad:    a = (1/n) Σ_s M(x + ε_s)
 *   smoothgrad_sq: a = (1/n) Σ_s M(x + ε_s)²
 *   vargrad:       a = (1/n) Σ_s M(x + ε_s)² − ((1/n) Σ_s M(x + ε_s))²
 * The n noisy copies of every row go to M as one batch (row r·n + s), so for integrated gradients
 * all n × steps path points are evaluated together.
 * `smoothgrad` is the same wrapper registered under the CLI's name (default inner: saliency).
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type {
  AttributionContext,
  AttributionMethod,
  MethodOutput,
  NoiseTunnelType,
} from '../types.js';
import { emptyRows, intOption, numberOption, originOf, rowSize } from './rows.js';

const TYPES: readonly NoiseTunnelType[] = ['smoothgrad', 'smoothgrad_sq', 'vargrad'];

function run(ctx: AttributionContext, name: string): MethodOutput {
  const type = (ctx.options.noiseType as NoiseTunnelType | undefined) ?? 'smoothgrad';
  if (!TYPES.includes(type))
    throw new ArgumentError(
      'attribute',
      'noiseType',
      TYPES.map((t) => `'${t}'`).join(', '),
      describe(type),
    );
  const innerName = (ctx.options.inner as string | undefined) ?? 'saliency';
  const inner = ctx.method(innerName);
  if (inner.family !== 'gradient')
    throw new ArgumentError(
      'attribute',
      'inner',
      `a gradient method to wrap in ${name}`,
      `'${innerName}' (${inner.family})`,
    );
  const n = intOption(ctx, 'samples', 5);
  const sd = numberOption(ctx, 'stdevs', 1.0);
  const R = ctx.input.batch;
  const S = rowSize(ctx);
  const F = ctx.input.features;
  const source = new Int32Array(R * n);
  for (let r = 0; r < R; r++) source.fill(r, r * n, (r + 1) * n);
  const noisy = emptyRows(ctx, source);
  const base = new Float64Array(R * n * S);
  const x = ctx.input.data;
  const b = ctx.baseline.data;
  for (let q = 0; q < R * n; q++) {
    const r = source[q]!;
    // noise on the valid steps only (padded steps stay 0), in the order of one draw per value
    ctx.rng.addNormals(noisy.data, q * S, ctx.input.lengths[r]! * F, x, r * S, sd);
    base.set(b.subarray(r * S, (r + 1) * S), q * S);
  }
  const sub = ctx.derive(noisy, originOf(ctx, source), { ...ctx.baseline, data: base });
  const out = inner.run(sub).attributions;
  const attr = new Float64Array(R * S);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < S; i++) {
      let m1 = 0;
      let m2 = 0;
      for (let s = 0; s < n; s++) {
        const a = out[(r * n + s) * S + i]!;
        m1 += a / n;
        m2 += (a * a) / n;
      }
      attr[r * S + i] = type === 'smoothgrad' ? m1 : type === 'smoothgrad_sq' ? m2 : m2 - m1 * m1;
    }
  }
  return {
    attributions: attr,
    diagnostics: { inner: innerName, noiseType: type, samples: n, stdevs: sd },
  };
}

export const noiseTunnel: AttributionMethod = {
  name: 'noise-tunnel',
  family: 'wrapper',
  inputKinds: ['numeric', 'tokens'],
  run: (ctx) => run(ctx, 'noise-tunnel'),
};

export const smoothgrad: AttributionMethod = {
  name: 'smoothgrad',
  family: 'wrapper',
  inputKinds: ['numeric', 'tokens'],
  run: (ctx) => run(ctx, 'smoothgrad'),
};
