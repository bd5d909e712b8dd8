/**
 * Global surrogates: an interpretable model (an ml-cart decision tree, or a random forest) fitted
 * to a network's *predicted* labels on interpretable features. Fidelity is the share of held-out
 * samples where the surrogate agrees with the network; the tree's rules are returned as text.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import { ArgumentError } from '../core/errors.js';
import { checkTrainingData, toRows } from './baselines/classifier.js';
import { fitRandomForest } from './baselines/forest.js';

/** A trained CART node (ml-cart's shape): internal nodes split, leaves hold a class distribution. */
export interface TreeNode {
  left?: TreeNode;
  right?: TreeNode;
  splitColumn?: number;
  splitValue?: number;
  distribution?: { getRow(i: number): number[] };
}

export interface SurrogateOptions {
  /** 'tree' (default; readable rules) or 'forest'. */
  kind?: 'tree' | 'forest';
  /** Tree depth; default 4 so the rules stay readable. */
  maxDepth?: number;
  /** ml-cart's minNumSamples (nodes with at most this many samples become leaves); default 5. */
  minNumSamples?: number;
  featureNames?: string[];
  classNames?: string[];
  seed?: number;
  nEstimators?: number;
}

export interface SurrogateData {
  /** Features [N][D] and the network's predicted labels for fitting. */
  trainX: ArrayLike<ArrayLike<number>>;
  trainLabels: ArrayLike<number>;
  /** Held-out features and the network's predicted labels there. */
  testX: ArrayLike<ArrayLike<number>>;
  testLabels: ArrayLike<number>;
}

export interface SurrogateResult {
  kind: 'tree' | 'forest';
  /** Agreement with the network on the held-out data. */
  fidelity: number;
  /** Agreement on the fitting data. */
  trainFidelity: number;
  /** Surrogate predictions on the held-out data. */
  testPredictions: Int32Array;
  /** Indented if/else rules (tree only). */
  rules?: string;
  leaves?: number;
  depth?: number;
}

function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function isLeaf(node: TreeNode): boolean {
  return !(node.left && node.right);
}

/** Routes one row to its leaf, as ml-cart's classify does (x < split goes left). */
function leafOf(node: TreeNode, row: ArrayLike<number>): TreeNode {
  let n = node;
  while (!isLeaf(n)) n = row[n.splitColumn!]! < n.splitValue! ? n.left! : n.right!;
  return n;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/** The tree as indented rules, each leaf with the class, its training count and purity. */
export function treeRules(
  root: TreeNode,
  trainX: number[][],
  trainLabels: ArrayLike<number>,
  opts: { featureNames?: string[]; classNames?: string[] } = {},
): { text: string; leaves: number; depth: number } {
  const stats = new Map<TreeNode, Map<number, number>>();
  trainX.forEach((row, i) => {
    const leaf = leafOf(root, row);
    const m = stats.get(leaf) ?? new Map<number, number>();
    m.set(trainLabels[i]!, (m.get(trainLabels[i]!) ?? 0) + 1);
    stats.set(leaf, m);
  });
  const fname = (c: number) => opts.featureNames?.[c] ?? `x${c}`;
  const cname = (k: number) => opts.classNames?.[k] ?? `class ${k}`;
  const lines: string[] = [];
  let leaves = 0;
  let depth = 0;
  // iterative walk (explicit stack) so deep trees cannot overflow the call stack
  const stack: { node: TreeNode; level: number; prefix: string }[] = [
    { node: root, level: 0, prefix: '' },
  ];
  while (stack.length > 0) {
    const { node, level, prefix } = stack.pop()!;
    const indent = '  '.repeat(level);
    depth = Math.max(depth, level);
    if (isLeaf(node)) {
      leaves++;
      const dist = node.distribution?.getRow(0) ?? [];
      const label = dist.reduce((best, v, c) => (v > dist[best]! ? c : best), 0);
      const counts = stats.get(node);
      const n = counts ? [...counts.values()].reduce((a, b) => a + b, 0) : 0;
      const agree = counts?.get(label) ?? 0;
      lines.push(
        `${indent}${prefix}→ ${cname(label)} (${n} training samples, ${n ? Math.round((100 * agree) / n) : 0}% ${cname(label)})`,
      );
      continue;
    }
    const f = fname(node.splitColumn!);
    const v = formatNumber(node.splitValue!);
    lines.push(`${indent}${prefix}split on ${f}:`);
    stack.push({ node: node.right!, level: level + 1, prefix: `if ${f} >= ${v}: ` });
    stack.push({ node: node.left!, level: level + 1, prefix: `if ${f} < ${v}: ` });
  }
  return { text: lines.join('\n'), leaves, depth };
}

/** Fits a surrogate to the network's predicted labels and measures its fidelity on held-out data. */
export function fitSurrogate(data: SurrogateData, opts: SurrogateOptions = {}): SurrogateResult {
  const where = 'fitSurrogate';
  const C = checkTrainingData(where, data.trainX, data.trainLabels);
  checkTrainingData(where, data.testX, data.testLabels);
  const D = data.trainX[0]!.length;
  if (data.testX[0]!.length !== D)
    throw new ArgumentError(
      where,
      'testX',
      `rows of ${D} features (as trainX)`,
      `${data.testX[0]!.length}`,
    );
  if (opts.featureNames && opts.featureNames.length !== D)
    throw new ArgumentError(where, 'featureNames', `${D} names`, `${opts.featureNames.length}`);
  const kind = opts.kind ?? 'tree';
  const trainX = toRows(data.trainX);
  const trainY = Array.from(data.trainLabels);
  if (kind === 'forest') {
    const forest = fitRandomForest(trainX, trainY, {
      numClasses: Math.max(C, ...Array.from(data.testLabels, (v) => v + 1)),
      maxDepth: opts.maxDepth ?? Infinity,
      minNumSamples: opts.minNumSamples ?? 5,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.nEstimators !== undefined ? { nEstimators: opts.nEstimators } : {}),
    });
    const testPredictions = forest.predict(data.testX);
    return {
      kind,
      fidelity: agreement(testPredictions, data.testLabels),
      trainFidelity: agreement(forest.predict(trainX), trainY),
      testPredictions,
    };
  }
  if (kind !== 'tree') throw new ArgumentError(where, 'kind', "'tree' or 'forest'", String(kind));
  const maxDepth = opts.maxDepth ?? 4;
  const tree = new DecisionTreeClassifier({
    gainFunction: 'gini',
    maxDepth,
    minNumSamples: opts.minNumSamples ?? 5,
  });
  const constant = trainY.every((v) => v === trainY[0]);
  let predict: (X: number[][]) => Int32Array;
  let rules: { text: string; leaves: number; depth: number };
  if (constant) {
    // ml-cart cannot split a single class; the surrogate is the constant rule
    predict = (X) => new Int32Array(X.length).fill(trainY[0]!);
    rules = {
      text: `→ ${opts.classNames?.[trainY[0]!] ?? `class ${trainY[0]}`} (${trainY.length} training samples, 100%)`,
      leaves: 1,
      depth: 0,
    };
  } else {
    tree.train(trainX, trainY);
    predict = (X) => Int32Array.from(tree.predict(X));
    rules = treeRules(tree.root, trainX, trainY, opts);
  }
  const testPredictions = predict(toRows(data.testX));
  return {
    kind,
    fidelity: agreement(testPredictions, data.testLabels),
    trainFidelity: agreement(predict(trainX), trainY),
    testPredictions,
    rules: rules.text,
    leaves: rules.leaves,
    depth: rules.depth,
  };
}
