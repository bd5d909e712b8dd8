/**
 * Which sequences of a dataset internals traces: all of them when they are few enough; for a
 * dataset with a class per sequence, a sample stratified by class (each class in proportion to
 * its size, at least one sequence per class when there is room, the first ones of each class);
 * otherwise the first sequences. Returned as dataset positions in increasing order.
 */
import type { Dataset } from '../../data/dataset.js';

export function sampleSequences(ds: Dataset, n: number, include: readonly number[] = []): Int32Array {
  const N = ds.items.length;
  const wanted = [...new Set(include.filter((i) => Number.isInteger(i) && i >= 0 && i < N))];
  if (n >= N) return Int32Array.from({ length: N }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  const labelled = ds.items.every((it) => it.label !== undefined) && ds.target === 'class';
  if (labelled) for (const [i, it] of ds.items.entries()) byClass.set(it.label!, [...(byClass.get(it.label!) ?? []), i]);
  const picked = new Set<number>(wanted);
  const room = Math.max(0, n - picked.size);
  if (!labelled || byClass.size < 2) {
    for (let i = 0; picked.size < wanted.length + room && i < N; i++) picked.add(i);
  } else {
    // largest remainders of the proportional shares; then one sequence for every class left
    // without any, taken from the class with the most (when there is room for every class)
    const classes = [...byClass.keys()].sort((x, y) => x - y);
    const shares = classes.map((c) => ({ c, exact: (room * byClass.get(c)!.length) / N }));
    const quota = new Map(shares.map((x) => [x.c, Math.floor(x.exact)]));
    let left = room - shares.reduce((acc, x) => acc + Math.floor(x.exact), 0);
    const byRemainder = [...shares].sort((x, y) => y.exact - Math.floor(y.exact) - (x.exact - Math.floor(x.exact)) || x.c - y.c);
    for (let k = 0; left > 0 && k < byRemainder.length; k++, left--) quota.set(byRemainder[k]!.c, quota.get(byRemainder[k]!.c)! + 1);
    if (room >= classes.length)
      for (const c of classes) {
        if (quota.get(c)! > 0) continue;
        const most = classes.reduce((x, y) => (quota.get(y)! > quota.get(x)! ? y : x));
        quota.set(most, quota.get(most)! - 1);
        quota.set(c, 1);
      }
    for (const c of classes) {
      let q = Math.min(quota.get(c)!, byClass.get(c)!.length);
      for (const i of byClass.get(c)!) {
        if (q === 0) break;
        if (!picked.has(i)) {
          picked.add(i);
          q--;
        }
      }
    }
  }
  return Int32Array.from([...picked].sort((a, b) => a - b));
}
