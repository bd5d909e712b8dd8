/** Shared parsing and formatting for CLI options. */
import { InvalidArgumentError } from 'commander';

/** A commander parser for integer options (>= 1, or >= 0 with `allowZero`). */
export function intOption(flag: string, allowZero = false): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
      throw new InvalidArgumentError(`${flag} expected an integer >= ${allowZero ? 0 : 1}, received ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** `name=value` pairs with 4 significant digits. */
export function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join('  ');
}
