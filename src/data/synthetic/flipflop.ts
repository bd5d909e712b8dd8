/**
 * The 3-bit flip-flop task (Sussillo & Barak 2013): three input channels carry rare pulses of +1
 * or −1; at every step the network reports, per channel, the sign of the last pulse it has seen.
 * Every sequence starts with a pulse on all three channels, so the memory is defined from step 0.
 * The per-step tag is the joint memory state, one of 8 classes named by the three signs ("+-+").
 * A network that solves it must hold 8 memories: its state space has 8 stable fixed points (one
 * per memory) under zero input, with saddles between them.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';

export const FLIPFLOP_BITS = 3;

/** Class c holds bit k as '+' when (c >> (2 − k)) & 1 is 0: 0 = "+++", 7 = "---". */
export const FLIPFLOP_CLASSES = Array.from({ length: 8 }, (_, c) =>
  [2, 1, 0].map((k) => ((c >> k) & 1 ? '-' : '+')).join(''),
);

export interface FlipFlopOptions {
  n: number;
  seed: number;
  length?: number;
  /** probability of a pulse on a channel at a step (default 0.05) */
  pPulse?: number;
}

export function flipflopDataset(opts: FlipFlopOptions): Dataset {
  const where = 'flipflopDataset';
  const T = opts.length ?? 60;
  const p = opts.pPulse ?? 0.05;
  for (const [k, v, min] of [['n', opts.n, 1], ['length', T, 1]] as const)
    if (!Number.isInteger(v) || v < min) throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(where, 'pPulse', 'a probability in [0, 1]', describe(p));
  const rng = new Rng(opts.seed);
  const items: Item[] = [];
  for (let i = 0; i < opts.n; i++) {
    const x = new Float32Array(T * FLIPFLOP_BITS);
    const tags = new Int32Array(T);
    const truth = new Uint8Array(T * FLIPFLOP_BITS);
    const bits = [0, 0, 0];
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < FLIPFLOP_BITS; k++) {
        if (t === 0 || rng.next() < p) {
          const neg = rng.next() < 0.5;
          x[t * FLIPFLOP_BITS + k] = neg ? -1 : 1;
          bits[k] = neg ? 1 : 0;
          truth[t * FLIPFLOP_BITS + k] = 1;
        }
      }
      tags[t] = (bits[0]! << 2) | (bits[1]! << 1) | bits[2]!;
    }
    items.push({ x, steps: T, tags, truth });
  }
  return createDataset({
    name: 'flipflop',
    input: 'numeric',
    features: FLIPFLOP_BITS,
    target: 'tags',
    classNames: FLIPFLOP_CLASSES,
    items,
    settings: { synthetic: { kind: 'flipflop', n: opts.n, seed: opts.seed, length: T, pPulse: p } },
  });
}
