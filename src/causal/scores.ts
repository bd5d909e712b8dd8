/**
 * How an intervention is scored (intervene.ts): the model's outputs over a dataset as
 * probabilities (or values), the task metric on them, per-item hits for the test over data, the
 * change of outputs against the clean run, and the unit subsets of the exact permutation test.
 */
import { Tensor } from '../core/tensor.js';
import type { Batch } from '../data/batching.js';
import { scoreSteps } from '../train/evaluate.js';
import { logSoftmax } from '../train/losses/index.js';
import type { TaskKind } from '../train/tasks.js';

export const METRIC: Record<TaskKind, { name: string; higherIsBetter: boolean }> = {
  classification: { name: 'accuracy', higherIsBetter: true },
  tagging: { name: 'stepAccuracy', higherIsBetter: true },
  'language-model': { name: 'bpc', higherIsBetter: false },
  regression: { name: 'rmse', higherIsBetter: false },
};

export interface Outputs {
  /** per batch: probabilities (or values) as a Tensor, with the batch */
  rows: { probs: Float64Array; width: number; steps: number; batch: Batch; logits: Tensor }[];
}

export function probabilities(t: Tensor, task: TaskKind): Float64Array {
  if (task === 'regression') return Float64Array.from(t.data);
  return Float64Array.from(logSoftmax(t).data, Math.exp);
}

export function metricOf(o: Outputs, task: TaskKind): number {
  if (task === 'classification') {
    let hit = 0;
    let n = 0;
    for (const r of o.rows) {
      const C = r.width;
      for (let i = 0; i < r.batch.size; i++) {
        let best = 0;
        for (let k = 1; k < C; k++) if (r.probs[i * C + k]! > r.probs[i * C + best]!) best = k;
        if (best === r.batch.labels![i]) hit++;
        n++;
      }
    }
    return hit / n;
  }
  if (task === 'regression') {
    let s = 0;
    let n = 0;
    for (const r of o.rows)
      for (let i = 0; i < r.probs.length; i++) {
        s += (r.probs[i]! - r.batch.values![i]!) ** 2;
        n++;
      }
    return Math.sqrt(s / n);
  }
  let correct = 0;
  let count = 0;
  let nll = 0;
  for (const r of o.rows) {
    const sc = scoreSteps(r.logits, r.batch.lengths, r.batch.tags!);
    correct += sc.correct;
    count += sc.count;
    nll += sc.nll;
  }
  return task === 'tagging' ? correct / count : nll / count / Math.LN2;
}

/** Hits (correct rows or steps) per dataset item, and the count they are out of. */
export function itemHits(o: Outputs, task: TaskKind, N: number): { hits: Float64Array; total: number } | null {
  if (task !== 'classification' && task !== 'tagging') return null;
  const hits = new Float64Array(N);
  let total = 0;
  for (const r of o.rows) {
    const C = r.width;
    for (let i = 0; i < r.batch.size; i++) {
      const item = r.batch.indices[i]!;
      const steps = r.steps === 1 ? 1 : r.batch.lengths[i]!;
      for (let s = 0; s < steps; s++) {
        const base = (i * r.steps + s) * C;
        let best = 0;
        for (let k = 1; k < C; k++) if (r.probs[base + k]! > r.probs[base + best]!) best = k;
        const truth = r.steps === 1 ? r.batch.labels![i]! : r.batch.tags![i * r.steps + s]!;
        if (best === truth) hits[item] = hits[item]! + 1;
        total++;
      }
    }
  }
  return { hits, total };
}

export function compare(clean: Outputs, other: Outputs, task: TaskKind): { outputChange: number; flipped: number } {
  let change = 0;
  let flips = 0;
  let rows = 0;
  clean.rows.forEach((r, k) => {
    const o = other.rows[k]!;
    const W = r.width;
    const perRow = r.steps; // 1 for row outputs, T for per-step outputs
    for (let i = 0; i < r.batch.size; i++) {
      const len = perRow === 1 ? 1 : r.batch.lengths[i]!;
      for (let s = 0; s < len; s++) {
        const base = (i * perRow + s) * W;
        let d = 0;
        let a = 0;
        let b = 0;
        for (let j = 0; j < W; j++) {
          d += Math.abs(r.probs[base + j]! - o.probs[base + j]!);
          if (r.probs[base + j]! > r.probs[base + a]!) a = j;
          if (o.probs[base + j]! > o.probs[base + b]!) b = j;
        }
        change += task === 'regression' ? d / W : d / 2;
        if (task !== 'regression' && a !== b) flips++;
        rows++;
      }
    }
  });
  return { outputChange: change / rows, flipped: flips / rows };
}

export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) {
    r = (r * (n - k + i)) / i;
    if (r > 1e9) return Infinity;
  }
  return Math.round(r);
}

/** All k-subsets of 0..n-1 in lexicographic order. */
export function* combinations(n: number, k: number): Generator<number[]> {
  const c = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield [...c];
    let i = k - 1;
    while (i >= 0 && c[i] === n - k + i) i--;
    if (i < 0) return;
    c[i]!++;
    for (let j = i + 1; j < k; j++) c[j] = c[j - 1]! + 1;
  }
}
