/** Checks on the flows between lowering rules (a rule gets what its layer's forward would get). */
import { RnnlensError } from '../../../core/errors.js';
import type { LFlow } from './graph.js';

export function expectSeqFlow(where: string, f: LFlow): number[] {
  if (f.kind !== 'seq')
    throw new RnnlensError(
      `certify: layer ${where} needs a sequence input, but the previous layer outputs one vector`,
    );
  return f.steps;
}

/** Applies `fn` to one node or to every step's node. */
export function mapFlow(f: LFlow, fn: (node: number, t: number) => number): LFlow {
  return f.kind === 'seq'
    ? { kind: 'seq', steps: f.steps.map(fn) }
    : { kind: 'flat', node: fn(f.node, 0) };
}

/** A float32 or float64 parameter as exact float64 values. */
export function f64(v: ArrayLike<number>): Float64Array {
  return Float64Array.from(v);
}
