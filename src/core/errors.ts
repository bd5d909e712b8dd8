/**
 * Errors that name the place, the argument, what was expected and what was received.
 * Every user-facing failure in rnnlens is an RnnlensError (or a subclass), so the CLI can print
 * it without a stack trace and exit non-zero.
 */
export class RnnlensError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RnnlensError';
  }
}

/** A wrong shape, size, dtype or value range of an argument. */
export class ArgumentError extends RnnlensError {
  constructor(
    readonly where: string,
    readonly argument: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`${where}: argument '${argument}' expected ${expected}, received ${received}`);
    this.name = 'ArgumentError';
  }
}

/** Describes a value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as object).constructor.name;
    return `${ctor}(length ${(value as unknown as { length: number }).length})`;
  }
  if (Array.isArray(value)) return `array(length ${value.length})`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  return typeof value;
}

/** Throws unless `arr.length === expected`. */
export function checkLength(
  where: string,
  argument: string,
  arr: { length: number } | null | undefined,
  expected: number,
  shapeText?: string,
): void {
  if (!arr || arr.length !== expected) {
    throw new ArgumentError(
      where,
      argument,
      `${expected} values${shapeText ? ` (${shapeText})` : ''}`,
      arr ? `${arr.length} values` : describe(arr),
    );
  }
}

/** Throws when any element is NaN or ±Infinity; names the first bad index. */
export function checkFinite(where: string, argument: string, arr: ArrayLike<number>): void {
  // Fast scan without a branch per value: v·0 is 0 for finite v and NaN for NaN or ±Infinity,
  // so the sum stays 0 exactly when every value is finite (about twice as fast as Number.isFinite
  // per value; it runs on every input and weight of every pass).
  // Four partial sums: one sum would wait on the previous add at every value.
  let z0 = 0,
    z1 = 0,
    z2 = 0,
    z3 = 0;
  const n = arr.length;
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    z0 += arr[i]! * 0;
    z1 += arr[i + 1]! * 0;
    z2 += arr[i + 2]! * 0;
    z3 += arr[i + 3]! * 0;
  }
  for (; i < n; i++) z0 += arr[i]! * 0;
  if (z0 + z1 + z2 + z3 === 0) return;
  for (let j = 0; j < n; j++) {
    const v = arr[j]!;
    if (!Number.isFinite(v)) {
      throw new ArgumentError(where, argument, 'finite numbers', `${v} at flat index ${j}`);
    }
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInt(where: string, argument: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ArgumentError(where, argument, range, describe(value));
  }
}
