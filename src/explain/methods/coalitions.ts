/**
 * Surrogate-model attribution shared by KernelSHAP and LIME: evaluate F on inputs where a
 * coalition z ∈ {0,1}^M of groups keeps the input and the rest take the baseline,
 *   x(z)[e] = z_{g(e)} x[e] + (1 − z_{g(e)}) b[e],
 * then fit a linear model of F(x(z)) on z per row; each group gets its coefficient.
 */
import type { AttributionContext, MethodOutput } from '../types.js';
import { evaluatePerturbed } from './prefix.js';
import { firstSteps, groupIndex, rowSize, spreadGroups, type GroupIndex } from './rows.js';

export interface CoalitionModel {
  /** Draws coalition s of row r with M groups into z (zeroed, length M). */
  draw(r: number, s: number, M: number, z: Uint8Array): void;
  /** Sample weight of coalition z of row r, given its input x(z) (row slice). */
  weight(r: number, z: Uint8Array, input: Float64Array): number;
  /** Fits coefficients per group. */
  fit(z: Float64Array, y: Float64Array, w: Float64Array, M: number): Float64Array;
}

export function coalitionAttribution(
  ctx: AttributionContext,
  n: number,
  model: CoalitionModel,
  message: string,
): MethodOutput {
  const R = ctx.input.batch;
  const S = rowSize(ctx);
  const gi: GroupIndex = groupIndex(ctx);
  const zs: Uint8Array[] = [];
  for (let r = 0; r < R; r++) {
    const M = gi.counts[r]!;
    const all = new Uint8Array(n * M);
    for (let s = 0; s < n; s++) model.draw(r, s, M, all.subarray(s * M, (s + 1) * M));
    zs.push(all);
  }
  const weights = new Float64Array(R * n);
  const x = ctx.input.data;
  const b = ctx.baseline.data;
  const coalition = (q: number): Uint8Array => {
    const r = Math.floor(q / n);
    const M = gi.counts[r]!;
    return zs[r]!.subarray((q % n) * M, ((q % n) + 1) * M);
  };
  /** x(z) of copy q into `row`. */
  const build = (q: number, row: Float64Array): void => {
    const r = Math.floor(q / n);
    const z = coalition(q);
    row.set(b.subarray(r * S, (r + 1) * S));
    for (let g = 0; g < z.length; g++) {
      if (!z[g]) continue;
      const slot = gi.base[r]! + g;
      for (let m = gi.start[slot]!; m < gi.start[slot + 1]!; m++)
        row[gi.list[m]!] = x[r * S + gi.list[m]!]!;
    }
  };
  // Weights first: every copy has one, including those whose value comes from a reference run.
  const scratch = new Float64Array(S);
  for (let q = 0; q < R * n; q++) {
    build(q, scratch);
    weights[q] = model.weight(Math.floor(q / n), coalition(q), scratch);
  }
  // Prefix sharing: a coalition equals the baseline before its earliest "on" step and the input
  // before its earliest "off" step; resume from whichever lasts longer.
  const first = firstSteps(ctx, gi);
  const T = ctx.input.steps;
  const values = evaluatePerturbed(
    ctx,
    R * n,
    (q) => {
      const r = Math.floor(q / n);
      const s = q % n;
      const M = gi.counts[r]!;
      const z = zs[r]!.subarray(s * M, (s + 1) * M);
      let on = T;
      let off = T;
      for (let g = 0; g < M; g++) {
        const t = first[gi.base[r]! + g]!;
        if (z[g]) on = Math.min(on, t);
        else off = Math.min(off, t);
      }
      return off >= on ? { row: r, first: off } : { row: r, first: on, fromBaseline: true };
    },
    build,
    message,
  );
  const coefs = new Float64Array(gi.base[R]!);
  for (let r = 0; r < R; r++) {
    const M = gi.counts[r]!;
    const z = Float64Array.from(zs[r]!);
    coefs.set(
      model.fit(z, values.subarray(r * n, (r + 1) * n), weights.subarray(r * n, (r + 1) * n), M),
      gi.base[r]!,
    );
  }
  return {
    attributions: spreadGroups(ctx, gi, (r, g) => coefs[gi.base[r]! + g]!),
    diagnostics: { samples: n, groups: gi.base[R]! },
  };
}
