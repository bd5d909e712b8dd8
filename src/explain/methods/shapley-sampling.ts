/**
 * Shapley value sampling (Castro et al. 2009; Captum's ShapleyValueSampling): for each of P random
 * orders of the groups (default 25), start from the baseline and switch groups to the input one
 * at a time; each group's marginal contribution is the output change when it is switched on:
 *   φ_g = (1/P) Σ_p [F(b with groups before g in order p, and g, on) − F(b with those before g on)].
 * Every element of a group gets φ_g. Efficiency holds exactly for every sample: Σ_g φ_g = F(x) − F(b).
 * With `permutations: 'all'` every order of every row's groups is taken once (G! orders; Captum's
 * ShapleyValues), which gives the exact Shapley values; at most 8 groups per row then.
 * All orders' prefixes of all rows are evaluated in large batches.
 */
import { ArgumentError } from '../../core/errors.js';
import type { AttributionContext, AttributionMethod } from '../types.js';
import { evaluatePerturbed } from './prefix.js';
import { firstSteps, groupIndex, intOption, rowSize, spreadGroups } from './rows.js';

/** The most groups per row for which every order is enumerated (8! = 40 320 orders). */
export const MAX_ALL_ORDERS_GROUPS = 8;

/** Every permutation of 0..n−1, in lexicographic order. */
export function allOrders(n: number): Int32Array[] {
  const out: Int32Array[] = [];
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (;;) {
    out.push(p.slice());
    let i = n - 2;
    while (i >= 0 && p[i]! > p[i + 1]!) i--;
    if (i < 0) return out;
    let j = n - 1;
    while (p[j]! < p[i]!) j--;
    [p[i], p[j]] = [p[j]!, p[i]!];
    p.subarray(i + 1).reverse();
  }
}

/** The orders of each row: `permutations` random ones, or all of them. */
function drawOrders(ctx: AttributionContext, counts: Int32Array): Int32Array[][] {
  if (ctx.options.permutations === 'all') {
    const G = Math.max(0, ...counts);
    if (G > MAX_ALL_ORDERS_GROUPS)
      throw new ArgumentError(
        'attribute',
        'permutations',
        `a number of sampled orders, or 'all' for at most ${MAX_ALL_ORDERS_GROUPS} groups per sequence`,
        `'all' with ${G} groups`,
      );
    return Array.from(counts, (n) => allOrders(n));
  }
  const P = intOption(ctx, 'permutations', 25);
  return Array.from(counts, (n) => Array.from({ length: P }, () => ctx.rng.permutation(n)));
}

export const shapleySampling: AttributionMethod = {
  name: 'shapley-sampling',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const R = ctx.input.batch;
    const S = rowSize(ctx);
    const gi = groupIndex(ctx);
    const orders = drawOrders(ctx, gi.counts);
    // Per row: the baseline, then P_r·G_r prefixes (order p, first k+1 groups on).
    const rowStart = new Int32Array(R + 1);
    for (let r = 0; r < R; r++)
      rowStart[r + 1] = rowStart[r]! + 1 + orders[r]!.length * gi.counts[r]!;
    const x = ctx.input.data;
    const b = ctx.baseline.data;
    const rowOf = new Int32Array(rowStart[R]!);
    for (let r = 0; r < R; r++) rowOf.fill(r, rowStart[r]!, rowStart[r + 1]!);
    // Prefix sharing: the copy with the first k+1 groups of an order on equals the baseline before
    // the earliest step of those groups, and the input before the earliest step of the others.
    const first = firstSteps(ctx, gi);
    const T = ctx.input.steps;
    const onMin: Int32Array[][] = [];
    const offMin: Int32Array[][] = [];
    for (let r = 0; r < R; r++) {
      const G = gi.counts[r]!;
      onMin.push(
        orders[r]!.map((o) => {
          const m = new Int32Array(G);
          for (let k = 0, v = T; k < G; k++) m[k] = v = Math.min(v, first[gi.base[r]! + o[k]!]!);
          return m;
        }),
      );
      offMin.push(
        orders[r]!.map((o) => {
          const m = new Int32Array(G + 1).fill(T);
          for (let k = G - 1; k >= 0; k--) m[k] = Math.min(m[k + 1]!, first[gi.base[r]! + o[k]!]!);
          return m;
        }),
      );
    }
    const values = evaluatePerturbed(
      ctx,
      rowStart[R]!,
      (q) => {
        const r = rowOf[q]!;
        const local = q - rowStart[r]! - 1;
        if (local < 0) return { row: r, first: T, fromBaseline: true };
        const G = gi.counts[r]!;
        const p = Math.floor(local / G);
        const k = local % G;
        const fromInput = offMin[r]![p]![k + 1]!;
        const fromBaseline = onMin[r]![p]![k]!;
        return fromInput >= fromBaseline
          ? { row: r, first: fromInput }
          : { row: r, first: fromBaseline, fromBaseline: true };
      },
      (q, row) => {
        const r = rowOf[q]!;
        row.set(b.subarray(r * S, (r + 1) * S));
        const local = q - rowStart[r]! - 1;
        if (local < 0) return;
        const G = gi.counts[r]!;
        const order = orders[r]![Math.floor(local / G)]!;
        const on = (local % G) + 1;
        for (let k = 0; k < on; k++) {
          const slot = gi.base[r]! + order[k]!;
          for (let m = gi.start[slot]!; m < gi.start[slot + 1]!; m++)
            row[gi.list[m]!] = x[r * S + gi.list[m]!]!;
        }
      },
      'shapley sampling',
    );
    const phi = new Float64Array(gi.base[R]!);
    for (let r = 0; r < R; r++) {
      const G = gi.counts[r]!;
      const P = orders[r]!.length;
      for (let p = 0; p < P; p++) {
        let prev = values[rowStart[r]!]!;
        for (let k = 0; k < G; k++) {
          const cur = values[rowStart[r]! + 1 + p * G + k]!;
          phi[gi.base[r]! + orders[r]![p]![k]!] += (cur - prev) / P;
          prev = cur;
        }
      }
    }
    const attr = spreadGroups(ctx, gi, (r, g) => phi[gi.base[r]! + g]!);
    const P = ctx.options.permutations === 'all' ? 'all' : orders[0]!.length;
    return { attributions: attr, diagnostics: { permutations: P, groups: gi.base[R]! } };
  },
};
