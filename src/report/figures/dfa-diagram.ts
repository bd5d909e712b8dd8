/**
 * A DFA as a diagram: states placed in layers by breadth-first distance from the start (left to
 * right), edges as lines labelled with their symbols (a self-loop is a label above its state),
 * accepting states drawn with a double ring, the start state marked by an incoming arrow.
 */
import { ArgumentError } from '../../core/errors.js';
import { frame, type VegaLiteSpec } from './common.js';

export interface DfaDiagramData {
  alphabet: string[];
  states: number;
  start: number;
  accepting: boolean[];
  transitions: number[][];
  title?: string;
}

export function dfaDiagram(data: DfaDiagramData): VegaLiteSpec {
  const where = 'dfaDiagram';
  const n = data.states;
  if (!Number.isInteger(n) || n < 1 || data.transitions?.length !== n || data.accepting?.length !== n)
    throw new ArgumentError(where, 'states', 'a DFA with matching accepting flags and transition rows', String(n));
  const depth = new Array<number>(n).fill(-1);
  depth[data.start] = 0;
  const queue = [data.start];
  for (let i = 0; i < queue.length; i++)
    for (const t of data.transitions[queue[i]!]!) if (depth[t]! < 0) { depth[t] = depth[queue[i]!]! + 1; queue.push(t); }
  const maxDepth = Math.max(0, ...depth);
  for (let q = 0; q < n; q++) if (depth[q]! < 0) depth[q] = maxDepth + 1; // unreachable: a last column
  const row = new Array<number>(n).fill(0);
  const used = new Map<number, number>();
  for (let q = 0; q < n; q++) { row[q] = used.get(depth[q]!) ?? 0; used.set(depth[q]!, row[q]! + 1); }
  const nodes = Array.from({ length: n }, (_, q) => ({ state: String(q), x: depth[q]!, y: row[q]! + (depth[q]! % 2) * 0.35, accepting: data.accepting[q]! }));
  const edges: { x: number; y: number; x2: number; y2: number; label: string; lx: number; ly: number }[] = [];
  for (let q = 0; q < n; q++) {
    const by = new Map<number, string[]>();
    data.transitions[q]!.forEach((t, a) => by.set(t, [...(by.get(t) ?? []), data.alphabet[a]!]));
    for (const [t, syms] of by) {
      const a = nodes[q]!;
      const b = nodes[t]!;
      const self = q === t;
      // two opposite edges share a line: offset each label to its own side
      const side = q < t ? -0.12 : 0.12;
      // lines carry no arrowheads: the label's triangle points the way the edge goes
      const arrow = self ? '' : b.x > a.x ? ' ▸' : b.x < a.x ? ' ◂' : b.y > a.y ? ' ▾' : ' ▴';
      const text = arrow === ' ◂' ? `◂ ${syms.join(',')}` : syms.join(',') + arrow;
      edges.push({ x: a.x, y: a.y, x2: b.x, y2: b.y, label: text, lx: self ? a.x : (a.x + b.x) / 2, ly: self ? a.y - 0.3 : (a.y + b.y) / 2 + side });
    }
  }
  const s = nodes[data.start]!;
  const xs = { field: 'x', type: 'quantitative' as const, axis: null, scale: { domain: [-0.7, maxDepth + 1.3] } };
  const ys = { field: 'y', type: 'quantitative' as const, axis: null, scale: { domain: [Math.max(...nodes.map((d) => d.y)) + 0.7, -0.7] } };
  return {
    ...frame(data.title ?? `DFA: ${n} states over {${data.alphabet.join(',')}}`, Math.max(240, 110 * (maxDepth + 2)), Math.max(160, 90 * (Math.max(...used.values()) + 1))),
    layer: [
      { data: { values: edges }, mark: { type: 'rule', color: '#888' }, encoding: { x: xs, y: ys, x2: { field: 'x2' }, y2: { field: 'y2' } } },
      { data: { values: [{ x: s.x - 0.55, y: s.y, x2: s.x - 0.15, y2: s.y }] }, mark: { type: 'rule', color: 'black', strokeWidth: 2 }, encoding: { x: xs, y: ys, x2: { field: 'x2' }, y2: { field: 'y2' } } },
      { data: { values: edges }, mark: { type: 'text', fontSize: 12, color: '#b0413e' }, encoding: { x: { ...xs, field: 'lx' }, y: { ...ys, field: 'ly' }, text: { field: 'label' } } },
      { data: { values: nodes }, mark: { type: 'point', filled: true, color: 'white', stroke: 'black', strokeWidth: 1.5, size: 900, opacity: 1 }, encoding: { x: xs, y: ys, tooltip: [{ field: 'state', type: 'nominal' }, { field: 'accepting', type: 'nominal' }] } },
      { data: { values: nodes.filter((d) => d.accepting) }, mark: { type: 'point', stroke: 'black', strokeWidth: 1.5, size: 500 }, encoding: { x: xs, y: ys } },
      { data: { values: nodes }, mark: { type: 'text', fontSize: 13 }, encoding: { x: xs, y: ys, text: { field: 'state' } } },
    ],
  } as VegaLiteSpec;
}
