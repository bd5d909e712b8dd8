/**
 * Directed rounding in float64. JavaScript only rounds to nearest, so a bound that must hold in
 * floating point is computed to nearest and then moved outward when (and only when) the exact
 * result lies beyond it:
 * - `nextUp` / `nextDown` step one representable number through the bit pattern;
 * - `addUp`/`addDown` use the error-free TwoSum transformation (Knuth): s + e = a + b exactly, so
 *   the sign of e says on which side of s the exact sum lies;
 * - `mulUp`/`mulDown` use Dekker's TwoProduct (Veltkamp splitting) in the range where it is exact
 *   and fall back to one unconditional step elsewhere (over/underflow zones);
 * - `divUp`, `sqrtUp`, ... step unconditionally unless the result is verifiably exact.
 * Every function returns a float that is ≥ (Up) or ≤ (Down) the exact real result of its
 * operation on its float arguments. NaN in, NaN out.
 */

const buf = new Float64Array(1);
const words = new Uint32Array(buf.buffer);
// Word order of a float64 in memory; every platform Node runs on is little-endian, but check.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** The smallest float64 strictly greater than x (nextUp(+∞) = +∞, nextUp(±0) = MIN_VALUE). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  buf[0] = x;
  // The bit pattern of a float orders its magnitude: for x > 0 step the 64-bit pattern up by one,
  // for x < 0 down by one (carry / borrow between the two 32-bit words).
  if (x > 0) {
    if (words[LO] === 0xffffffff) {
      words[LO] = 0;
      words[HI] = words[HI]! + 1;
    } else words[LO] = words[LO]! + 1;
  } else if (words[LO] === 0) {
    words[LO] = 0xffffffff;
    words[HI] = words[HI]! - 1;
  } else words[LO] = words[LO]! - 1;
  return buf[0]!;
}

/** The largest float64 strictly less than x. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Moves x outward by k representable steps (k ≥ 0). */
export function stepsUp(x: number, k: number): number {
  for (let i = 0; i < k; i++) x = nextUp(x);
  return x;
}
export function stepsDown(x: number, k: number): number {
  for (let i = 0; i < k; i++) x = nextDown(x);
  return x;
}

/** Exact rounding error of a + b when the rounded sum s is finite: a + b = s + err. */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** Upper bound of a + b. Overflow of finite operands to -∞ is corrected to -MAX_VALUE. */
export function addUp(a: number, b: number): number {
  const s = a + b;
  if (!Number.isFinite(s))
    return s === -Infinity && Number.isFinite(a) && Number.isFinite(b) ? -Number.MAX_VALUE : s;
  return twoSumErr(a, b, s) > 0 ? nextUp(s) : s;
}

/** Lower bound of a + b. */
export function addDown(a: number, b: number): number {
  const s = a + b;
  if (!Number.isFinite(s))
    return s === Infinity && Number.isFinite(a) && Number.isFinite(b) ? Number.MAX_VALUE : s;
  return twoSumErr(a, b, s) < 0 ? nextDown(s) : s;
}

export function subUp(a: number, b: number): number {
  return addUp(a, -b);
}
export function subDown(a: number, b: number): number {
  return addDown(a, -b);
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's constant for 53-bit significands
const TWO_PRODUCT_MAX = 2 ** 995; // splitting a larger operand overflows
const TWO_PRODUCT_MIN = 2 ** -900; // below this the error term can underflow (inexact)

/**
 * Sign of the exact rounding error a·b − fl(a·b): +1, −1, 0, or NaN when TwoProduct is not exact
 * for these operands (then the caller steps unconditionally).
 */
function mulErrSign(a: number, b: number, p: number): number {
  const ap = Math.abs(p);
  if (ap < TWO_PRODUCT_MIN || Math.abs(a) > TWO_PRODUCT_MAX || Math.abs(b) > TWO_PRODUCT_MAX)
    return NaN;
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  const err = ah * bh - p + ah * bl + al * bh + al * bl;
  return Math.sign(err);
}

/** Upper bound of a·b (0·±∞ gives NaN as in IEEE; interval code treats that case itself). */
export function mulUp(a: number, b: number): number {
  const p = a * b;
  if (!Number.isFinite(p))
    return p === -Infinity && Number.isFinite(a) && Number.isFinite(b) ? -Number.MAX_VALUE : p;
  if (a === 0 || b === 0) return p;
  const s = mulErrSign(a, b, p);
  if (s === 0 || s < 0) return p;
  // Underflow to zero: the exact product is nonzero with the operands' sign.
  if (p === 0) return a > 0 === b > 0 ? Number.MIN_VALUE : 0;
  return nextUp(p);
}

/** Lower bound of a·b. */
export function mulDown(a: number, b: number): number {
  const p = a * b;
  if (!Number.isFinite(p))
    return p === Infinity && Number.isFinite(a) && Number.isFinite(b) ? Number.MAX_VALUE : p;
  if (a === 0 || b === 0) return p;
  const s = mulErrSign(a, b, p);
  if (s === 0 || s > 0) return p;
  if (p === 0) return a > 0 === b > 0 ? 0 : -Number.MIN_VALUE;
  return nextDown(p);
}

/** True when x·y equals p exactly (p = fl(x·y) had no rounding error). */
function isExactProduct(x: number, y: number, p: number): boolean {
  return x * y === p && mulErrSign(x, y, p) === 0;
}

/** Upper bound of a / b (b ≠ 0). Exact quotients (q·b = a exactly) are kept. */
export function divUp(a: number, b: number): number {
  const q = a / b;
  if (Number.isNaN(q) || a === 0 || isExactProduct(q, b, a)) return q;
  return nextUp(q);
}

/** Lower bound of a / b (b ≠ 0). */
export function divDown(a: number, b: number): number {
  const q = a / b;
  if (Number.isNaN(q) || a === 0 || isExactProduct(q, b, a)) return q;
  return nextDown(q);
}

/** Upper bound of √a (a ≥ 0). Math.sqrt is correctly rounded (IEEE 754), so one step suffices. */
export function sqrtUp(a: number): number {
  const r = Math.sqrt(a);
  if (!Number.isFinite(r) || r === 0 || isExactProduct(r, r, a)) return r;
  return nextUp(r);
}

/** Lower bound of √a (a ≥ 0). */
export function sqrtDown(a: number): number {
  const r = Math.sqrt(a);
  if (!Number.isFinite(r) || r === 0 || isExactProduct(r, r, a)) return r;
  return nextDown(r);
}

/** Lower bound of Σ a_i·b_i, every product and partial sum rounded down. */
export function dotDown(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n = a.length,
  aOff = 0,
  bOff = 0,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = addDown(s, mulDown(a[aOff + i]!, b[bOff + i]!));
  return s;
}

/** Upper bound of Σ a_i·b_i. */
export function dotUp(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n = a.length,
  aOff = 0,
  bOff = 0,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = addUp(s, mulUp(a[aOff + i]!, b[bOff + i]!));
  return s;
}
