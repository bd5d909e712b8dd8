/**
 * Shared plumbing of the methods: building large batches of work-space rows (path points, noisy
 * or perturbed copies of the user's sequences), option checks, and perturbation groups.
 */
import { ArgumentError, checkInt, describe } from '../../core/errors.js';
import type { SeqBatch } from '../../nn/layer.js';
import type { AttributionContext, FeatureGroups } from '../types.js';

export type WorkBatch = SeqBatch & { data: Float64Array };

/** An empty batch of `rows` rows shaped like ctx.input; lengths[r] = lengths of source[r]. */
export function emptyRows(ctx: AttributionContext, source: Int32Array): WorkBatch {
  const { steps, features } = ctx.input;
  const lengths = new Int32Array(source.length);
  for (let r = 0; r < source.length; r++) lengths[r] = ctx.input.lengths[source[r]!]!;
  return {
    data: new Float64Array(source.length * steps * features),
    batch: source.length,
    steps,
    features,
    lengths,
  };
}

/** Maps rows of a derived batch (whose row r copies ctx row source[r]) to the user's sequences. */
export function originOf(ctx: AttributionContext, source: Int32Array): Int32Array {
  return Int32Array.from(source, (i) => ctx.origin[i]!);
}

/** Elements per row. */
export function rowSize(ctx: AttributionContext): number {
  return ctx.input.steps * ctx.input.features;
}

/** An integer option with a default, checked to be at least `min`. */
export function intOption(
  ctx: AttributionContext,
  name: string,
  fallback: number,
  min = 1,
): number {
  const v = ctx.options[name];
  if (v === undefined) return fallback;
  checkInt('attribute', name, v as number, min);
  return v as number;
}

/** A finite non-negative number option with a default. */
export function numberOption(ctx: AttributionContext, name: string, fallback: number): number {
  const v = ctx.options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ArgumentError('attribute', name, 'a finite number >= 0', describe(v));
  return v;
}

/**
 * Perturbation groups of every row: group id per element [rows, T, F] (−1 at padded steps) and
 * the number of groups per row. Default: every element its own group (Captum's default). Token
 * models perturb whole tokens: a group is one step's whole embedding vector ('steps', the
 * default) or a user mask with one group id per token ([T] or [B, T]); groups that split a
 * token's embedding ('elements', 'features', a mask per dimension) are refused.
 */
export function groupsOf(ctx: AttributionContext): { ids: Int32Array; counts: Int32Array } {
  const { batch: B, steps: T, features: F, lengths } = ctx.input;
  const spec: FeatureGroups =
    (ctx.options.groups as FeatureGroups | undefined) ??
    (ctx.inputKind === 'tokens' ? 'steps' : 'elements');
  const ids = new Int32Array(B * T * F).fill(-1);
  const counts = new Int32Array(B);
  let of: (r: number, t: number, f: number) => number;
  if (ctx.inputKind === 'tokens') of = tokenGroups(ctx, spec);
  else if (spec === 'elements') of = (_, t, f) => t * F + f;
  else if (spec === 'steps') of = (_, t) => t;
  else if (spec === 'features') of = (_, __, f) => f;
  else if (spec && typeof spec === 'object' && 'mask' in spec) {
    const m = spec.mask;
    const users = ctx.target.targets.length; // the user's sequences (rows may be copies of them)
    if (!m || (m.length !== T * F && m.length !== users * T * F))
      throw new ArgumentError(
        'attribute',
        'groups.mask',
        `${T * F} group ids ([T, F]) or ${users * T * F} ([B, T, F])`,
        describe(m),
      );
    for (let i = 0; i < m.length; i++)
      if (!Number.isInteger(m[i]) || m[i]! < 0)
        throw new ArgumentError(
          'attribute',
          `groups.mask[${i}]`,
          'a group id (an integer >= 0)',
          describe(m[i]),
        );
    const shared = m.length === T * F;
    of = (r, t, f) => m[shared ? t * F + f : (ctx.origin[r]! * T + t) * F + f]!;
  } else
    throw new ArgumentError(
      'attribute',
      'groups',
      "'elements', 'steps', 'features' or { mask }",
      describe(spec),
    );
  // Renumber each row's groups densely (0..G_r − 1) in order of first appearance over valid steps,
  // so a group that exists only in padding is never evaluated.
  for (let r = 0; r < B; r++) {
    const dense = new Map<number, number>();
    for (let t = 0; t < lengths[r]!; t++)
      for (let f = 0; f < F; f++) {
        const g = of(r, t, f);
        let d = dense.get(g);
        if (d === undefined) dense.set(g, (d = dense.size));
        ids[(r * T + t) * F + f] = d;
      }
    counts[r] = dense.size;
  }
  return { ids, counts };
}

/** Group of step t of row r for a token model: the step itself, or the mask's id for the token. */
function tokenGroups(
  ctx: AttributionContext,
  spec: FeatureGroups,
): (r: number, t: number) => number {
  const T = ctx.input.steps;
  if (spec === 'steps') return (_, t) => t;
  if (spec && typeof spec === 'object' && 'mask' in spec) {
    const m = spec.mask;
    const users = ctx.target.targets.length;
    if (!m || (m.length !== T && m.length !== users * T))
      throw new ArgumentError(
        'attribute',
        'groups.mask',
        `one group id per token: ${T} ([T]) or ${users * T} ([B, T]) for a token model`,
        describe(m),
      );
    for (let i = 0; i < m.length; i++)
      if (!Number.isInteger(m[i]) || m[i]! < 0)
        throw new ArgumentError(
          'attribute',
          `groups.mask[${i}]`,
          'a group id (an integer >= 0)',
          describe(m[i]),
        );
    const shared = m.length === T;
    return (r, t) => m[shared ? t : ctx.origin[r]! * T + t]!;
  }
  throw new ArgumentError(
    'attribute',
    'groups',
    "'steps' or { mask } with one group id per token for a token model (perturbation methods perturb whole tokens)",
    describe(spec),
  );
}

/**
 * Evaluates F on `count` generated rows, `ctx.batchSize` at a time (so memory stays bounded):
 * `fill(q, row)` writes row q (a zeroed [T, F] slice) and returns the ctx row it perturbs.
 */
export function evaluateGenerated(
  ctx: AttributionContext,
  count: number,
  fill: (q: number, row: Float64Array) => number,
  message: string,
): Float64Array {
  const S = rowSize(ctx);
  const values = new Float64Array(count);
  const size = Math.min(ctx.batchSize, Math.max(count, 1));
  const data = new Float64Array(size * S);
  const lengths = new Int32Array(size);
  const origin = new Int32Array(size);
  for (let start = 0; start < count; start += size) {
    const n = Math.min(size, count - start);
    data.fill(0);
    for (let j = 0; j < n; j++) {
      const r = fill(start + j, data.subarray(j * S, (j + 1) * S));
      lengths[j] = ctx.input.lengths[r]!;
      origin[j] = ctx.origin[r]!;
    }
    const batch: WorkBatch = {
      data: n === size ? data : data.subarray(0, n * S),
      batch: n,
      steps: ctx.input.steps,
      features: ctx.input.features,
      lengths: n === size ? lengths : lengths.subarray(0, n),
    };
    values.set(ctx.target.evaluate(batch, n === size ? origin : origin.subarray(0, n)), start);
    ctx.progress(Math.min(count, start + n), count, message);
  }
  return values;
}

/** Each row's groups as lists of element indices: row r's group g is list[start[base_r + g] .. start[base_r + g + 1]). */
export interface GroupIndex {
  ids: Int32Array;
  counts: Int32Array;
  /** First group slot of each row (cumulative counts). */
  base: Int32Array;
  start: Int32Array;
  list: Int32Array;
}

export function groupIndex(ctx: AttributionContext): GroupIndex {
  const { ids, counts } = groupsOf(ctx);
  const R = ctx.input.batch;
  const S = rowSize(ctx);
  const base = new Int32Array(R + 1);
  for (let r = 0; r < R; r++) base[r + 1] = base[r]! + counts[r]!;
  const start = new Int32Array(base[R]! + 1);
  for (let r = 0; r < R; r++)
    for (let i = 0; i < S; i++) {
      const g = ids[r * S + i]!;
      if (g >= 0) start[base[r]! + g + 1]!++;
    }
  for (let k = 0; k < base[R]!; k++) start[k + 1] = start[k + 1]! + start[k]!;
  const fillAt = start.slice(0, base[R]!);
  const list = new Int32Array(start[base[R]!]!);
  for (let r = 0; r < R; r++)
    for (let i = 0; i < S; i++) {
      const g = ids[r * S + i]!;
      if (g >= 0) list[fillAt[base[r]! + g]!++] = i;
    }
  return { ids, counts, base, start, list };
}

/** Spreads one value per group back to the group's elements: out[r, e] = v[r][g(e)]. */
export function spreadGroups(
  ctx: AttributionContext,
  gi: GroupIndex,
  value: (r: number, g: number) => number,
): Float64Array {
  const S = rowSize(ctx);
  const out = new Float64Array(ctx.input.batch * S);
  for (let r = 0; r < ctx.input.batch; r++)
    for (let i = 0; i < S; i++) {
      const g = gi.ids[r * S + i]!;
      if (g >= 0) out[r * S + i] = value(r, g);
    }
  return out;
}

/** The first step of every group slot (a group's elements are listed in increasing order). */
export function firstSteps(ctx: AttributionContext, gi: GroupIndex): Int32Array {
  const F = ctx.input.features;
  return Int32Array.from({ length: gi.start.length - 1 }, (_, k) =>
    Math.floor(gi.list[gi.start[k]!]! / F),
  );
}
