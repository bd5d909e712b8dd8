// Small, fixed data for every figure kind, shared by the figure and report tests.
import type { FigureDataByKind, FigureKind } from '../../src/report/figures/index.js';

const wave = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

export const SAMPLE: { [K in FigureKind]: FigureDataByKind[K] } = {
  'training-curves': {
    points: [0, 1, 2, 3, 4].flatMap((e) => [
      { step: e, metric: 'loss', split: 'train', value: 1 / (e + 1) },
      { step: e, metric: 'loss', split: 'validation', value: 1.2 / (e + 1) + 0.05 },
      { step: e, metric: 'accuracy', split: 'train', value: 0.5 + 0.1 * e },
      { step: e, metric: 'accuracy', split: 'validation', value: 0.45 + 0.09 * e },
    ]),
  },
  'histogram-over-epochs': {
    name: 'lstm/kernel',
    epochs: [0, 1, 2].map((e) => ({
      epoch: e,
      values: wave(64, (i) => Math.sin(i * 1.3) * (1 + e * 0.5)),
    })),
    bins: 16,
  },
  'confusion-matrix': {
    labels: ['ham', 'spam'],
    matrix: [
      [40, 3],
      [5, 52],
    ],
  },
  'reliability-diagram': {
    confidence: wave(50, (i) => 0.5 + (i % 10) / 20),
    correct: wave(50, (i) => (i % 3 === 0 ? 0 : 1)),
  },
  heatmap: {
    values: wave(6, (r) => wave(10, (c) => Math.sin(r + c / 3))),
    rowTitle: 'unit',
    colTitle: 'step',
  },
  'token-attribution': {
    tokens: 'win a free cruise now , reply to claim your prize'.split(' '),
    scores: [0.8, 0.05, 0.9, 0.4, 0.3, 0, -0.2, -0.1, 0.5, -0.3, 0.7],
  },
  'error-bars': {
    metric: 'accuracy',
    rows: [
      { group: 'LSTM', value: 0.91, lower: 0.88, upper: 0.94 },
      { group: 'GRU', value: 0.9, lower: 0.86, upper: 0.93 },
      { group: 'random forest', value: 0.85, lower: 0.81, upper: 0.89 },
    ],
  },
  'saturation-scatter': {
    units: wave(12, (u) => ({
      unit: u,
      left: (u % 4) / 10,
      right: (u % 5) / 8,
      gate: u < 6 ? 'input' : 'forget',
    })),
  },
  'gradient-flow': {
    points: wave(10, (k) => ({ lag: k, norm: Math.exp(-0.5 * k), series: 'lstm' })),
  },
  'projection-trajectories': {
    sequences: [
      { id: 's0', label: 'ham', points: wave(6, (t) => [t, Math.sin(t)] as [number, number]) },
      { id: 's1', label: 'spam', points: wave(6, (t) => [t, -Math.cos(t)] as [number, number]) },
    ],
  },
  'certified-intervals': {
    classes: [
      { label: 'ham', lower: 1.2, upper: 2.1 },
      { label: 'spam', lower: -1.5, upper: 0.4 },
    ],
    predicted: 'ham',
  },
  'dfa-diagram': {
    alphabet: ['0', '1'],
    states: 4,
    start: 0,
    accepting: [true, true, true, false],
    transitions: [[1, 0], [2, 0], [3, 0], [3, 3]],
  },
  'fixed-points': {
    trajectories: [
      { id: '0', points: [[0, 0], [0.5, 0.2], [0.9, 0.1]] },
      { id: '1', points: [[0, 0], [-0.4, 0.3], [-0.8, 0.2]] },
    ],
    points: [
      { x: 0.9, y: 0.1, kind: 'fixed', stability: 'stable', q: 1e-20, radius: 0.8 },
      { x: -0.8, y: 0.2, kind: 'fixed', stability: 'stable', q: 1e-19, radius: 0.7 },
      { x: 0.05, y: 0.15, kind: 'slow', stability: 'saddle', q: 1e-7, radius: 1.3 },
    ],
    xTitle: 'PC 1 of the trajectories',
  },
  intervention: {
    metricName: 'stepAccuracy',
    effect: 0.36,
    randomEffects: [0, 0.01, 0.12, 0.15, 0.2, 0.24, 0.05, 0.1],
    p: 0.1111,
    units: [6],
    layer: 'lstm',
  },
};

/** Marks each figure's SVG must contain (vega's `mark-<type>` group classes) and a text in it. */
export const EXPECT: { [K in FigureKind]: { marks: string[]; text: string } } = {
  'training-curves': { marks: ['mark-line', 'mark-symbol'], text: 'validation' },
  'histogram-over-epochs': { marks: ['mark-rect', 'mark-line'], text: 'lstm/kernel' },
  'confusion-matrix': { marks: ['mark-rect', 'mark-text'], text: 'spam' },
  'reliability-diagram': { marks: ['mark-rect', 'mark-line', 'mark-symbol'], text: 'ECE' },
  heatmap: { marks: ['mark-rect'], text: 'unit' },
  'token-attribution': { marks: ['mark-rect', 'mark-text'], text: 'cruise' },
  'error-bars': { marks: ['mark-rect', 'mark-rule'], text: 'random forest' },
  'saturation-scatter': { marks: ['mark-symbol', 'mark-line'], text: 'forget' },
  'gradient-flow': { marks: ['mark-line', 'mark-symbol'], text: 'lag' },
  'projection-trajectories': { marks: ['mark-line', 'mark-symbol'], text: 'spam' },
  'certified-intervals': { marks: ['mark-rect', 'mark-rect'], text: 'certified' },
  'dfa-diagram': { marks: ['mark-rule', 'mark-symbol', 'mark-text'], text: 'DFA: 4 states' },
  'fixed-points': { marks: ['mark-line', 'mark-symbol'], text: 'PC 1 of the trajectories' },
  intervention: { marks: ['mark-rect', 'mark-rule', 'mark-text'], text: 'random unit sets' },
};
