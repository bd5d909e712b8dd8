/**
 * Feature permutation (Breiman 2001; Captum's FeaturePermutation): for each group, shuffle its
 * values across the sequences of the batch (one random permutation per group, never the
 * identity) and give every element of the group the output change of its own sequence:
 *   a[r, e] = F(x_r) − F(x_r with group g(e) taken from sequence π_g(r)).
 * Needs at least two sequences. A donor shorter than the receiver contributes zeros at its
 * padded steps (its "absent" values).
 */
import { ArgumentError } from '../../core/errors.js';
import type { AttributionMethod } from '../types.js';
import { evaluatePerturbed } from './prefix.js';
import { groupIndex, rowSize, spreadGroups } from './rows.js';
import { maxOf } from '../../core/extent.js';

export const featurePermutation: AttributionMethod = {
  name: 'feature-permutation',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const R = ctx.input.batch;
    if (R < 2)
      throw new ArgumentError(
        'attribute',
        'input.batch',
        'at least 2 sequences (feature permutation shuffles within the batch)',
        String(R),
      );
    const S = rowSize(ctx);
    const gi = groupIndex(ctx);
    const G = maxOf(gi.counts);
    // One non-identity permutation of the batch per group id.
    const perms: Int32Array[] = [];
    for (let g = 0; g < G; g++) {
      let p: Int32Array;
      do p = ctx.rng.permutation(R);
      while (p.every((v, i) => v === i));
      perms.push(p);
    }
    // Jobs: R unperturbed rows, then (group, row) for rows that have the group.
    const jobs: number[] = [];
    for (let g = 0; g < G; g++)
      for (let r = 0; r < R; r++) if (g < gi.counts[r]!) jobs.push(g * R + r);
    const x = ctx.input.data;
    const F = ctx.input.features;
    const values = evaluatePerturbed(
      ctx,
      R + jobs.length,
      (q) => {
        if (q < R) return { row: q, first: ctx.input.steps };
        const g = Math.floor(jobs[q - R]! / R);
        const r = jobs[q - R]! % R;
        return { row: r, first: Math.floor(gi.list[gi.start[gi.base[r]! + g]!]! / F) };
      },
      (q, row) => {
        if (q < R) {
          row.set(x.subarray(q * S, (q + 1) * S));
          return;
        }
        const g = Math.floor(jobs[q - R]! / R);
        const r = jobs[q - R]! % R;
        const donor = perms[g]![r]!;
        row.set(x.subarray(r * S, (r + 1) * S));
        const k = gi.base[r]! + g;
        for (let m = gi.start[k]!; m < gi.start[k + 1]!; m++)
          row[gi.list[m]!] = x[donor * S + gi.list[m]!]!;
      },
      'feature permutation',
    );
    const at = new Map<number, number>();
    jobs.forEach((j, k) => at.set(j, values[R + k]!));
    const attr = spreadGroups(ctx, gi, (r, g) => values[r]! - at.get(g * R + r)!);
    return { attributions: attr, outputs: values.slice(0, R), diagnostics: { groups: G } };
  },
};
