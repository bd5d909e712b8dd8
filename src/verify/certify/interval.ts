/**
 * Sound interval arithmetic in float64: every lower end is rounded down and every upper end up
 * (through ./rounding.ts), so the exact real result of the operation on any real points of the
 * operand intervals lies inside the returned interval. Vectors of intervals are `Box`es.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { addDown, addUp, mulDown, mulUp } from './rounding.js';

export interface Interval {
  lo: number;
  hi: number;
}

/** A vector of intervals: lo[i] ≤ v[i] ≤ hi[i]. */
export interface Box {
  lo: Float64Array;
  hi: Float64Array;
}

/** A checked interval [lo, hi] (lo ≤ hi, no NaN; infinite ends allowed). */
export function interval(lo: number, hi: number, where = 'interval'): Interval {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new ArgumentError(
      where,
      '[lo, hi]',
      'lo ≤ hi without NaN',
      `[${describe(lo)}, ${describe(hi)}]`,
    );
  }
  return { lo, hi };
}

/** A checked box from two equal-length arrays. */
export function box(lo: ArrayLike<number>, hi: ArrayLike<number>, where = 'box'): Box {
  if (lo.length !== hi.length) {
    throw new ArgumentError(
      where,
      'hi',
      `${lo.length} values (as many as lo)`,
      `${hi.length} values`,
    );
  }
  for (let i = 0; i < lo.length; i++) {
    if (Number.isNaN(lo[i]!) || Number.isNaN(hi[i]!) || lo[i]! > hi[i]!) {
      throw new ArgumentError(
        where,
        `[lo, hi] at index ${i}`,
        'lo ≤ hi without NaN',
        `[${lo[i]}, ${hi[i]}]`,
      );
    }
  }
  return { lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
}

export function iadd(a: Interval, b: Interval): Interval {
  return { lo: addDown(a.lo, b.lo), hi: addUp(a.hi, b.hi) };
}

export function isub(a: Interval, b: Interval): Interval {
  return { lo: addDown(a.lo, -b.hi), hi: addUp(a.hi, -b.lo) };
}

/** s·a for a float scalar s. */
export function iscale(a: Interval, s: number): Interval {
  if (s === 0) return { lo: 0, hi: 0 };
  return s > 0
    ? { lo: mulDown(s, a.lo), hi: mulUp(s, a.hi) }
    : { lo: mulDown(s, a.hi), hi: mulUp(s, a.lo) };
}

/** Lower / upper product of two interval ends with the interval convention 0·∞ = 0. */
function pDown(x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : mulDown(x, y);
}
function pUp(x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : mulUp(x, y);
}

/** a·b: the hull of the four end products (Moore). */
export function imul(a: Interval, b: Interval): Interval {
  const lo = Math.min(pDown(a.lo, b.lo), pDown(a.lo, b.hi), pDown(a.hi, b.lo), pDown(a.hi, b.hi));
  const hi = Math.max(pUp(a.lo, b.lo), pUp(a.lo, b.hi), pUp(a.hi, b.lo), pUp(a.hi, b.hi));
  return { lo, hi };
}

/** 1 − a. */
export function ioneMinus(a: Interval): Interval {
  return { lo: addDown(1, -a.hi), hi: addUp(1, -a.lo) };
}

/**
 * Σ_i w[wOff+i]·v_i for an interval vector v and a float vector w (plus an optional float bias):
 * each term contributes w·lo or w·hi depending on the sign of w, all rounded outward.
 */
export function idot(v: Box, w: ArrayLike<number>, wOff = 0, bias = 0): Interval {
  let lo = bias;
  let hi = bias;
  const n = v.lo.length;
  for (let i = 0; i < n; i++) {
    const c = w[wOff + i]!;
    if (c === 0) continue;
    if (c > 0) {
      lo = addDown(lo, pDown(c, v.lo[i]!));
      hi = addUp(hi, pUp(c, v.hi[i]!));
    } else {
      lo = addDown(lo, pDown(c, v.hi[i]!));
      hi = addUp(hi, pUp(c, v.lo[i]!));
    }
  }
  return { lo, hi };
}

/**
 * W·v + b for W [rows, cols] row-major, an interval vector v [cols] and an optional bias [rows]:
 * the IBP rule for an affine map.
 */
export function imatvec(
  W: ArrayLike<number>,
  rows: number,
  cols: number,
  v: Box,
  b?: ArrayLike<number>,
): Box {
  if (W.length !== rows * cols) {
    throw new ArgumentError(
      'imatvec',
      'W',
      `${rows * cols} values (${rows}×${cols})`,
      `${W.length} values`,
    );
  }
  if (v.lo.length !== cols)
    throw new ArgumentError('imatvec', 'v', `${cols} intervals`, `${v.lo.length} intervals`);
  if (b && b.length !== rows)
    throw new ArgumentError('imatvec', 'b', `${rows} values`, `${b.length} values`);
  const lo = new Float64Array(rows);
  const hi = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const s = idot(v, W, r * cols, b ? b[r]! : 0);
    lo[r] = s.lo;
    hi[r] = s.hi;
  }
  return { lo, hi };
}

/** The largest |v| over an interval (used to fold coefficient rounding errors into offsets). */
export function maxAbs(lo: number, hi: number): number {
  return Math.max(Math.abs(lo), Math.abs(hi));
}

/** The boxes laid end to end, as one box. */
export function concatBoxes(boxes: Box[]): Box {
  const n = boxes.reduce((s, b) => s + b.lo.length, 0);
  const out: Box = { lo: new Float64Array(n), hi: new Float64Array(n) };
  let o = 0;
  for (const b of boxes) {
    out.lo.set(b.lo, o);
    out.hi.set(b.hi, o);
    o += b.lo.length;
  }
  return out;
}
