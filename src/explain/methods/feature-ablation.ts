/**
 * Feature ablation (Captum's FeatureAblation): replace one group of inputs at a time by the
 * baseline; every element of the group gets the group's output change
 *   a[e] = F(x) − F(x with group g(e) set to the baseline).
 * Groups (option `groups`): every element (default; Captum's default), every step, every feature,
 * or a user mask. Groups lying only in padding are never run.
 */
import type { AttributionMethod } from '../types.js';
import { evaluatePerturbed } from './prefix.js';
import { groupIndex, rowSize, spreadGroups } from './rows.js';

export const featureAblation: AttributionMethod = {
  name: 'feature-ablation',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const R = ctx.input.batch;
    const S = rowSize(ctx);
    const gi = groupIndex(ctx);
    const total = gi.base[R]!;
    // Slot k < total: row r's group k − base[r]; rows' slots are contiguous.
    const rowOfSlot = new Int32Array(total);
    for (let r = 0; r < R; r++) rowOfSlot.fill(r, gi.base[r]!, gi.base[r + 1]!);
    const x = ctx.input.data;
    const b = ctx.baseline.data;
    const F = ctx.input.features;
    const values = evaluatePerturbed(
      ctx,
      R + total,
      // A group's elements are listed in increasing order: its first step is its first element's.
      (q) =>
        q < R
          ? { row: q, first: ctx.input.steps }
          : { row: rowOfSlot[q - R]!, first: Math.floor(gi.list[gi.start[q - R]!]! / F) },
      (q, row) => {
        const r = q < R ? q : rowOfSlot[q - R]!;
        row.set(x.subarray(r * S, (r + 1) * S));
        if (q >= R) {
          const k = q - R;
          for (let m = gi.start[k]!; m < gi.start[k + 1]!; m++)
            row[gi.list[m]!] = b[r * S + gi.list[m]!]!;
        }
      },
      'feature ablation',
    );
    const attr = spreadGroups(ctx, gi, (r, g) => values[r]! - values[R + gi.base[r]! + g]!);
    return { attributions: attr, outputs: values.slice(0, R), diagnostics: { groups: total } };
  },
};
