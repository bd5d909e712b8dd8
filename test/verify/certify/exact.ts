/** Exact rational arithmetic on float64 values through BigInt, for checking directed rounding. */
const buf = new Float64Array(1);
const bits = new BigUint64Array(buf.buffer);

/** A finite float x as num / 2^1074 exactly (every float64 is a multiple of 2^-1074). */
export function toScaled(x: number): bigint {
  if (!Number.isFinite(x)) throw new Error(`toScaled: ${x} is not finite`);
  buf[0] = x;
  const b = bits[0]!;
  const sign = b >> 63n ? -1n : 1n;
  const exp = Number((b >> 52n) & 0x7ffn);
  const frac = b & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const shift = exp === 0 ? 0 : exp - 1;
  return sign * (mant << BigInt(shift));
}

/** A rational p/q with q > 0. */
export interface Rat {
  p: bigint;
  q: bigint;
}
export const ONE = 1n << 1074n;
export function rat(x: number): Rat {
  return { p: toScaled(x), q: ONE };
}
export function radd(a: Rat, b: Rat): Rat {
  return { p: a.p * b.q + b.p * a.q, q: a.q * b.q };
}
export function rmul(a: Rat, b: Rat): Rat {
  return { p: a.p * b.p, q: a.q * b.q };
}
export function rdiv(a: Rat, b: Rat): Rat {
  const s = b.p < 0n ? -1n : 1n;
  return { p: a.p * b.q * s, q: a.q * b.p * s };
}
/** Sign of a − b. */
export function rcmp(a: Rat, b: Rat): number {
  const d = a.p * b.q - b.p * a.q;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** A decimal string such as "-1.25e-3" as an exact rational. */
export function ratDecimal(s: string): Rat {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s.trim());
  if (!m) throw new Error(`ratDecimal: cannot parse ${s}`);
  const digits = BigInt((m[2] ?? '') + (m[3] ?? ''));
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  const sign = m[1] === '-' ? -1n : 1n;
  return exp >= 0
    ? { p: sign * digits * 10n ** BigInt(exp), q: 1n }
    : { p: sign * digits, q: 10n ** BigInt(-exp) };
}
