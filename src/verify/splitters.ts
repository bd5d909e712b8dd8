/**
 * Cross-validation splitters. Each returns the folds as `{ train, test }` index arrays (sorted
 * ascending). Without shuffling, kFold, stratifiedKFold, groupKFold, timeSeriesSplit and
 * leaveOneGroupOut give exactly the indices of scikit-learn 1.2's KFold, StratifiedKFold,
 * GroupKFold, TimeSeriesSplit and LeaveOneGroupOut; shuffling uses rnnlens' seeded Rng (so the
 * permutations differ from NumPy's, but are reproducible from the seed).
 */
import { ArgumentError, checkInt, describe } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

export interface SplitWarningSink {
  /** Receives non-fatal problems (for example a class with fewer members than folds). */
  onWarning?: (message: string) => void;
}

function checkSplits(where: string, k: number, n: number, what = 'samples'): void {
  checkInt(where, 'k', k, 2);
  if (n < k) throw new ArgumentError(where, 'k', `at most the number of ${what} (${n})`, String(k));
}

/** Builds {train, test} from a test-fold id per sample. */
function foldsFromAssignment(assign: Int32Array, k: number): Split[] {
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < assign.length; i++) (assign[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}

function sorted(a: ArrayLike<number>): Int32Array {
  return Int32Array.from(a).sort();
}

/** Complement of `test` in 0..n-1. */
function complement(n: number, test: Int32Array): Int32Array {
  const inTest = new Uint8Array(n);
  for (const i of test) inTest[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (!inTest[i]) train.push(i);
  return Int32Array.from(train);
}

export interface KFoldOptions {
  k?: number;
  shuffle?: boolean;
  seed?: number;
}

/** K-fold: consecutive blocks (after an optional seeded shuffle); the first n mod k folds get one extra sample. */
export function kFold(n: number, opts: KFoldOptions = {}): Split[] {
  const k = opts.k ?? 5;
  checkInt('kFold', 'n', n, 1);
  checkSplits('kFold', k, n);
  const order = opts.shuffle
    ? new Rng(opts.seed ?? 0).permutation(n)
    : Int32Array.from({ length: n }, (_, i) => i);
  const out: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = sorted(order.subarray(start, start + size));
    out.push({ train: complement(n, test), test });
    start += size;
  }
  return out;
}

function checkLabelArray(where: string, argument: string, y: ArrayLike<number | string>): void {
  if (!y || typeof y.length !== 'number' || y.length === 0)
    throw new ArgumentError(where, argument, 'a non-empty array', describe(y));
}

/** Encodes values as 0..m-1 in order of first appearance (as sklearn's StratifiedKFold). */
function encodeByFirstAppearance(y: ArrayLike<number | string>): {
  codes: Int32Array;
  count: number;
} {
  // sklearn: classes sorted, then renumbered by index of first occurrence
  const first = new Map<number | string, number>();
  for (let i = 0; i < y.length; i++) if (!first.has(y[i]!)) first.set(y[i]!, first.size);
  const codes = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) codes[i] = first.get(y[i]!)!;
  return { codes, count: first.size };
}

export interface StratifiedOptions extends KFoldOptions, SplitWarningSink {}

/**
 * Stratified k-fold (sklearn's algorithm): classes are dealt round-robin over the folds, so each
 * class's count differs by at most one between any two test folds; within a class samples stay in
 * order (blocks) unless `shuffle`. Errors when every class has fewer than k members; warns
 * (through `onWarning`) when only some do, as sklearn.
 */
export function stratifiedKFold(
  y: ArrayLike<number | string>,
  opts: StratifiedOptions = {},
): Split[] {
  const where = 'stratifiedKFold';
  const k = opts.k ?? 5;
  checkLabelArray(where, 'y', y);
  checkSplits(where, k, y.length);
  const { codes, count } = encodeByFirstAppearance(y);
  const counts = new Int32Array(count);
  for (const c of codes) counts[c] += 1;
  const minCount = Math.min(...counts);
  if (counts.every((c) => c < k)) {
    throw new ArgumentError(
      where,
      'k',
      `at most the number of members of some class (largest class has ${Math.max(...counts)})`,
      String(k),
    );
  }
  if (minCount < k)
    opts.onWarning?.(
      `${where}: the least populated class has only ${minCount} members, fewer than k=${k}`,
    );
  // allocation[f][c]: round robin over the samples sorted by class code
  const sortedCodes = Int32Array.from(codes).sort();
  const allocation = Array.from({ length: k }, () => new Int32Array(count));
  for (let i = 0; i < sortedCodes.length; i++) allocation[i % k]![sortedCodes[i]!] += 1;
  const rng = opts.shuffle ? new Rng(opts.seed ?? 0) : null;
  const assign = new Int32Array(y.length);
  for (let c = 0; c < count; c++) {
    const foldsForClass: number[] = [];
    for (let f = 0; f < k; f++) for (let j = 0; j < allocation[f]![c]!; j++) foldsForClass.push(f);
    if (rng) rng.shuffle(foldsForClass);
    let j = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] === c) assign[i] = foldsForClass[j++]!;
  }
  return foldsFromAssignment(assign, k);
}

export interface RepeatedOptions extends SplitWarningSink {
  k?: number;
  repeats?: number;
  seed?: number;
}

/** Stratified k-fold repeated with a different seeded shuffle each time: repeats × k splits. */
export function repeatedStratifiedKFold(
  y: ArrayLike<number | string>,
  opts: RepeatedOptions = {},
): Split[] {
  const repeats = opts.repeats ?? 10;
  checkInt('repeatedStratifiedKFold', 'repeats', repeats, 1);
  const rng = new Rng(opts.seed ?? 0);
  const out: Split[] = [];
  for (let r = 0; r < repeats; r++) {
    const sink = r === 0 && opts.onWarning ? { onWarning: opts.onWarning } : {};
    out.push(
      ...stratifiedKFold(y, { k: opts.k ?? 5, shuffle: true, seed: rng.int(0x7fffffff), ...sink }),
    );
  }
  return out;
}

/** Distinct groups (sorted) and each sample's group index. */
function encodeGroups(groups: ArrayLike<number | string>): {
  codes: Int32Array;
  unique: (number | string)[];
} {
  const unique = [...new Set(Array.from(groups))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(unique.map((g, i) => [g, i]));
  return { codes: Int32Array.from(Array.from(groups), (g) => index.get(g)!), unique };
}

/**
 * Group k-fold (sklearn's greedy algorithm): groups from largest to smallest each go to the fold
 * with the fewest samples so far; a group never spans train and test.
 */
export function groupKFold(groups: ArrayLike<number | string>, opts: { k?: number } = {}): Split[] {
  const where = 'groupKFold';
  const k = opts.k ?? 5;
  checkLabelArray(where, 'groups', groups);
  const { codes, unique } = encodeGroups(groups);
  checkSplits(where, k, unique.length, 'groups');
  const sizes = new Array<number>(unique.length).fill(0);
  for (const c of codes) sizes[c]! += 1;
  // np.argsort(sizes)[::-1]: stable ascending sort reversed, so among equal sizes the later group comes first
  const order = sizes
    .map((_, g) => g)
    .sort((a, b) => sizes[a]! - sizes[b]! || a - b)
    .reverse();
  const load = new Array<number>(k).fill(0);
  const groupToFold = new Int32Array(unique.length);
  for (const g of order) {
    let lightest = 0;
    for (let f = 1; f < k; f++) if (load[f]! < load[lightest]!) lightest = f;
    load[lightest]! += sizes[g]!;
    groupToFold[g] = lightest;
  }
  return foldsFromAssignment(
    Int32Array.from(codes, (c) => groupToFold[c]!),
    k,
  );
}

/** One split per distinct group (sorted), that group being the test set. */
export function leaveOneGroupOut(
  groups: ArrayLike<number | string>,
): (Split & { group: number | string })[] {
  checkLabelArray('leaveOneGroupOut', 'groups', groups);
  const { codes, unique } = encodeGroups(groups);
  if (unique.length < 2)
    throw new ArgumentError(
      'leaveOneGroupOut',
      'groups',
      'at least 2 distinct groups',
      `${unique.length}`,
    );
  return foldsFromAssignment(codes, unique.length).map((s, g) => ({ ...s, group: unique[g]! }));
}

export interface TimeSeriesOptions {
  k?: number;
  /** Samples dropped between the end of train and the start of test. */
  gap?: number;
  /** Keep only the most recent `maxTrainSize` training samples. */
  maxTrainSize?: number;
  /** Test set size; default floor(n / (k + 1)). */
  testSize?: number;
}

/**
 * Expanding-window time-series split (sklearn TimeSeriesSplit): k consecutive test blocks at the
 * end of the series, training always strictly before the test block minus `gap`.
 */
export function timeSeriesSplit(n: number, opts: TimeSeriesOptions = {}): Split[] {
  const where = 'timeSeriesSplit';
  const k = opts.k ?? 5;
  const gap = opts.gap ?? 0;
  checkInt(where, 'n', n, 1);
  checkInt(where, 'k', k, 2);
  checkInt(where, 'gap', gap, 0);
  if (k + 1 > n)
    throw new ArgumentError(
      where,
      'k',
      `k + 1 folds at most the number of samples (${n})`,
      String(k),
    );
  const testSize = opts.testSize ?? Math.floor(n / (k + 1));
  checkInt(where, 'testSize', testSize, 1);
  if (opts.maxTrainSize !== undefined) checkInt(where, 'maxTrainSize', opts.maxTrainSize, 1);
  if (n - gap - testSize * k <= 0) {
    throw new ArgumentError(
      where,
      'k',
      `few enough splits that n - gap - testSize*k > 0 (n=${n}, gap=${gap}, testSize=${testSize})`,
      String(k),
    );
  }
  const out: Split[] = [];
  for (let testStart = n - k * testSize; testStart < n; testStart += testSize) {
    const trainEnd = testStart - gap;
    const trainStart =
      opts.maxTrainSize !== undefined && opts.maxTrainSize < trainEnd
        ? trainEnd - opts.maxTrainSize
        : 0;
    out.push({
      train: Int32Array.from({ length: trainEnd - trainStart }, (_, i) => trainStart + i),
      test: Int32Array.from({ length: Math.min(testSize, n - testStart) }, (_, i) => testStart + i),
    });
  }
  return out;
}

export interface ShuffleSplitOptions {
  splits?: number;
  /** Test share in (0, 1) or a count >= 1; default 0.1. */
  testSize?: number;
  trainSize?: number;
  seed?: number;
}

function sizeFrom(where: string, name: string, v: number, n: number): number {
  if (v > 0 && v < 1) return v;
  checkInt(where, name, v, 1, n - 1);
  return v;
}

/** Independent random train/test splits (ceil for the test share, as sklearn). */
export function shuffleSplit(n: number, opts: ShuffleSplitOptions = {}): Split[] {
  const where = 'shuffleSplit';
  checkInt(where, 'n', n, 2);
  const splits = opts.splits ?? 10;
  checkInt(where, 'splits', splits, 1);
  const ts = sizeFrom(where, 'testSize', opts.testSize ?? 0.1, n);
  const nTest = ts < 1 ? Math.ceil(ts * n) : ts;
  const trs =
    opts.trainSize === undefined ? undefined : sizeFrom(where, 'trainSize', opts.trainSize, n);
  const nTrain = trs === undefined ? n - nTest : trs < 1 ? Math.floor(trs * n) : trs;
  if (nTest < 1 || nTrain < 1 || nTest + nTrain > n) {
    throw new ArgumentError(
      where,
      'testSize/trainSize',
      `sizes with 1 <= test, 1 <= train and test + train <= ${n}`,
      `test ${nTest}, train ${nTrain}`,
    );
  }
  const rng = new Rng(opts.seed ?? 0);
  const out: Split[] = [];
  for (let s = 0; s < splits; s++) {
    const perm = rng.permutation(n);
    out.push({
      test: sorted(perm.subarray(0, nTest)),
      train: sorted(perm.subarray(nTest, nTest + nTrain)),
    });
  }
  return out;
}
