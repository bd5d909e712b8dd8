/**
 * Ismail et al. (2020) style time series with a known informative box (reference.md, "Verifying
 * explanations"): T steps x D features of background noise; inside a box of steps x features the
 * class adds a constant: +shift for class 1, -shift for class 0 (PositionalTime: +shift for both,
 * the box's position in time is what differs). Every item carries its boolean ground-truth mask.
 *
 * Layouts (fractions of T and D; boxes have at least one step and one feature):
 * - Middle:         steps [T/4, 3T/4),    features [D/4, 3D/4)
 * - SmallMiddle:    steps [0.4T, 0.6T),   features [0.4D, 0.6D)
 * - MovingMiddle:   Middle's size, starting at a random step per item
 * - RareTime:       5 % of steps around T/2, features [D/4, 3D/4)
 * - RareFeature:    steps [T/4, 3T/4),    5 % of features around D/2
 * - PositionalTime: class 0 at steps [T/8, 3T/8), class 1 at [5T/8, 7T/8), features [D/4, 3D/4)
 * Background generators: gaussian N(0,1); ar: AR(1) x_t = 0.9 x_{t-1} + e, e ~ N(0, 1 - 0.81)
 * (unit stationary variance); harmonic: sin(2 pi f t / T + phase) with f in [1, 5] per feature,
 * plus N(0, 0.1^2) noise.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';

export const ISMAIL_LAYOUTS = [
  'Middle',
  'SmallMiddle',
  'MovingMiddle',
  'RareTime',
  'RareFeature',
  'PositionalTime',
] as const;
export type IsmailLayout = (typeof ISMAIL_LAYOUTS)[number];
export const ISMAIL_GENERATORS = ['gaussian', 'ar', 'harmonic'] as const;
export type IsmailGenerator = (typeof ISMAIL_GENERATORS)[number];

export interface IsmailOptions {
  n: number;
  layout: IsmailLayout;
  generator?: IsmailGenerator;
  steps?: number;
  features?: number;
  shift?: number;
  seed: number;
}

interface Box {
  t0: number;
  t1: number;
  f0: number;
  f1: number;
}

const span = (n: number, a: number, b: number): [number, number] => {
  const lo = Math.floor(a * n);
  return [lo, Math.max(lo + 1, Math.floor(b * n))];
};
const rare = (n: number): [number, number] => {
  const k = Math.max(1, Math.round(0.05 * n));
  const lo = Math.floor((n - k) / 2);
  return [lo, lo + k];
};

/** The informative box for one item of a class. */
export function ismailBox(
  layout: IsmailLayout,
  T: number,
  D: number,
  label: number,
  rng: Rng,
): Box {
  const box = (t: [number, number], f: [number, number]): Box => ({
    t0: t[0],
    t1: t[1],
    f0: f[0],
    f1: f[1],
  });
  switch (layout) {
    case 'Middle':
      return box(span(T, 0.25, 0.75), span(D, 0.25, 0.75));
    case 'SmallMiddle':
      return box(span(T, 0.4, 0.6), span(D, 0.4, 0.6));
    case 'MovingMiddle': {
      const [a, b] = span(T, 0.25, 0.75);
      const start = rng.int(T - (b - a) + 1);
      return box([start, start + b - a], span(D, 0.25, 0.75));
    }
    case 'RareTime':
      return box(rare(T), span(D, 0.25, 0.75));
    case 'RareFeature':
      return box(span(T, 0.25, 0.75), rare(D));
    case 'PositionalTime':
      return box(label === 0 ? span(T, 0.125, 0.375) : span(T, 0.625, 0.875), span(D, 0.25, 0.75));
  }
}

function background(gen: IsmailGenerator, T: number, D: number, rng: Rng): Float32Array {
  const x = new Float32Array(T * D);
  if (gen === 'gaussian') return rng.fillNormal(x) as Float32Array;
  if (gen === 'ar') {
    const phi = 0.9;
    const sd = Math.sqrt(1 - phi * phi);
    for (let d = 0; d < D; d++) {
      let v = rng.normal(); // start in the stationary distribution
      for (let t = 0; t < T; t++) {
        x[t * D + d] = v;
        v = phi * v + rng.normal(0, sd);
      }
    }
    return x;
  }
  for (let d = 0; d < D; d++) {
    const f = rng.uniform(1, 5);
    const phase = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < T; t++)
      x[t * D + d] = Math.sin((2 * Math.PI * f * t) / T + phase) + rng.normal(0, 0.1);
  }
  return x;
}

/** Balanced two-class dataset with per-item ground-truth masks [steps * features]. */
export function ismailDataset(opts: IsmailOptions): Dataset {
  const where = 'ismailDataset';
  const T = opts.steps ?? 50;
  const D = opts.features ?? 50;
  const gen = opts.generator ?? 'gaussian';
  const shift = opts.shift ?? 1;
  if (!ISMAIL_LAYOUTS.includes(opts.layout))
    throw new ArgumentError(
      where,
      'layout',
      `one of ${ISMAIL_LAYOUTS.join(', ')}`,
      describe(opts.layout),
    );
  if (!ISMAIL_GENERATORS.includes(gen))
    throw new ArgumentError(
      where,
      'generator',
      `one of ${ISMAIL_GENERATORS.join(', ')}`,
      describe(gen),
    );
  for (const [k, v, min] of [
    ['n', opts.n, 1],
    ['steps', T, 4],
    ['features', D, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  }
  const rng = new Rng(opts.seed);
  const items: Item[] = [];
  for (let i = 0; i < opts.n; i++) {
    const label = i % 2; // balanced; order is shuffled by batching
    const x = background(gen, T, D, rng);
    const truth = new Uint8Array(T * D);
    const b = ismailBox(opts.layout, T, D, label, rng);
    const delta = opts.layout === 'PositionalTime' || label === 1 ? shift : -shift;
    for (let t = b.t0; t < b.t1; t++) {
      for (let d = b.f0; d < b.f1; d++) {
        x[t * D + d] += delta;
        truth[t * D + d] = 1;
      }
    }
    items.push({ x, steps: T, label, truth, meta: { boxStart: b.t0, boxEnd: b.t1 } });
  }
  return createDataset({
    name: `ismail-${opts.layout}-${gen}`,
    input: 'numeric',
    features: D,
    target: 'class',
    classNames: ['0', '1'],
    items,
    settings: {
      synthetic: {
        kind: 'ismail',
        layout: opts.layout,
        generator: gen,
        steps: T,
        features: D,
        shift,
        seed: opts.seed,
        n: opts.n,
      },
    },
  });
}
