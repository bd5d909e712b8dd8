/** Shared parsing and formatting for CLI options. */
import { InvalidArgumentError } from 'commander';
import { RnnlensError } from '../core/errors.js';

/** A commander parser for integer options (>= 1, or >= 0 with `allowZero`; at most `max` when given). */
export function intOption(flag: string, allowZero = false, max?: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    const lo = allowZero ? 0 : 1;
    if (!Number.isInteger(n) || n < lo || (max !== undefined && n > max)) {
      const range = max === undefined ? `>= ${lo}` : `in [${lo}, ${max.toLocaleString('en-US')}]`;
      throw new InvalidArgumentError(`${flag} expected an integer ${range}, received ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** `--timeout <seconds>`: a positive number of seconds, at most a day. */
export function secondsOption(flag: string): (value: string) => number {
  return (value: string) => {
    const s = Number(value);
    if (value.trim() === '' || !Number.isFinite(s) || s <= 0 || s > 86_400) {
      throw new InvalidArgumentError(`${flag} expected seconds in (0, 86400], received ${JSON.stringify(value)}`);
    }
    return s;
  };
}

/**
 * A progress callback that also enforces a deadline: past it, the next progress report throws,
 * which stops the computation at that point with a clear message.
 */
export function withDeadline<P>(command: string, seconds: number | undefined, cb: (p: P) => void): (p: P) => void {
  if (seconds === undefined) return cb;
  const deadline = performance.now() + seconds * 1000;
  return (p: P) => {
    if (performance.now() > deadline) throw new RnnlensError(`${command}: stopped after --timeout ${seconds} s (raise --timeout or reduce the work)`);
    cb(p);
  };
}

/** `name=value` pairs with 4 significant digits. */
export function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join('  ');
}
