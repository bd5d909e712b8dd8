/**
 * Occlusion (Zeiler & Fergus 2014; Captum's Occlusion): slide a window of `window` = [steps,
 * features] with `strides` over each sequence, replace the covered inputs by the baseline, and
 * give every element the mean output change over the windows that cover it:
 *   a[t, f] = (1/|W(t,f)|) Σ_{w ∈ W(t,f)} (F(x) − F(x with window w set to the baseline)).
 * Window positions along a dimension of size N: ⌊(N − n)/s⌋ + 1 (as Captum). Elements no window
 * covers get 0. Windows lying entirely in a sequence's padding change nothing and are not run.
 * Default window: one step × all features; default strides 1. On token models a window always
 * covers whole tokens (every dimension of the embedding), replaced by the baseline's embedding.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { AttributionContext, AttributionMethod } from '../types.js';
import { evaluatePerturbed } from './prefix.js';
import { rowSize } from './rows.js';

function pair(
  ctx: AttributionContext,
  name: 'window' | 'strides',
  fallback: [number, number],
): [number, number] {
  const v = ctx.options[name];
  if (v === undefined) return fallback;
  const p: unknown[] =
    typeof v === 'number'
      ? name === 'window'
        ? [v, ctx.input.features]
        : [v, v]
      : (v as unknown as unknown[]);
  const limits = [ctx.input.steps, ctx.input.features];
  if (
    !Array.isArray(p) ||
    p.length !== 2 ||
    !p.every(
      (n, i) =>
        Number.isInteger(n) &&
        (n as number) >= 1 &&
        (name === 'strides' || (n as number) <= limits[i]!),
    )
  )
    throw new ArgumentError(
      'attribute',
      name,
      name === 'window'
        ? `[steps, features] with 1 <= steps <= ${limits[0]} and 1 <= features <= ${limits[1]} (or a number of steps)`
        : '[steps, features] of integers >= 1 (or one integer for both)',
      describe(v),
    );
  if (name === 'window' && ctx.inputKind === 'tokens' && p[1] !== ctx.input.features)
    throw new ArgumentError(
      'attribute',
      'window',
      `whole tokens for a token model: [steps, ${ctx.input.features}] (the embedding size) or a number of steps`,
      describe(v),
    );
  return p as [number, number];
}

export const occlusion: AttributionMethod = {
  name: 'occlusion',
  family: 'perturbation',
  inputKinds: ['numeric', 'tokens'],
  run(ctx) {
    const { batch: R, steps: T, features: F, lengths } = ctx.input;
    const S = rowSize(ctx);
    const [wt, wf] = pair(ctx, 'window', [1, F]);
    const [st, sf] = pair(ctx, 'strides', [1, 1]);
    const nT = Math.floor((T - wt) / st) + 1;
    const nF = Math.floor((F - wf) / sf) + 1;
    // Jobs: R unperturbed rows, then (row, window) pairs whose window starts at a valid step.
    const jobRow: number[] = [];
    const jobWin: number[] = [];
    for (let r = 0; r < R; r++)
      for (let i = 0; i < nT && i * st < lengths[r]!; i++)
        for (let j = 0; j < nF; j++) {
          jobRow.push(r);
          jobWin.push(i * nF + j);
        }
    const x = ctx.input.data;
    const b = ctx.baseline.data;
    const values = evaluatePerturbed(
      ctx,
      R + jobRow.length,
      (q) =>
        q < R
          ? { row: q, first: T }
          : { row: jobRow[q - R]!, first: Math.floor(jobWin[q - R]! / nF) * st },
      (q, row) => {
        if (q < R) {
          row.set(x.subarray(q * S, (q + 1) * S));
          return;
        }
        const r = jobRow[q - R]!;
        const w = jobWin[q - R]!;
        const t0 = Math.floor(w / nF) * st;
        const f0 = (w % nF) * sf;
        row.set(x.subarray(r * S, (r + 1) * S));
        for (let t = t0; t < Math.min(t0 + wt, lengths[r]!); t++)
          for (let f = f0; f < f0 + wf; f++) row[t * F + f] = b[r * S + t * F + f]!;
      },
      'occlusion',
    );
    // How many windows cover each element (the same for every sequence).
    const cover = new Float64Array(S);
    for (let i = 0; i < nT; i++)
      for (let j = 0; j < nF; j++)
        for (let t = i * st; t < i * st + wt; t++)
          for (let f = j * sf; f < j * sf + wf; f++) cover[t * F + f]!++;
    const attr = new Float64Array(R * S);
    for (let k = 0; k < jobRow.length; k++) {
      const r = jobRow[k]!;
      const w = jobWin[k]!;
      const diff = values[r]! - values[R + k]!;
      const t0 = Math.floor(w / nF) * st;
      const f0 = (w % nF) * sf;
      for (let t = t0; t < t0 + wt; t++)
        for (let f = f0; f < f0 + wf; f++) attr[r * S + t * F + f] += diff;
    }
    for (let r = 0; r < R; r++)
      for (let i = 0; i < S; i++) if (cover[i]! > 0) attr[r * S + i] = attr[r * S + i]! / cover[i]!;
    return {
      attributions: attr,
      outputs: values.slice(0, R),
      diagnostics: { window: [wt, wf], strides: [st, sf], windows: nT * nF },
    };
  },
};
