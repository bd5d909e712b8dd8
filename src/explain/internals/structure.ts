/**
 * The model as a graph: input, every layer with its input/output shapes, parameter counts,
 * recurrent cell, units and direction, Bidirectional layers split into their two directions and
 * a merge node, and the output. `structureSvg` lays the graph out in ranks from top to bottom
 * (a sequential model is a chain, a Bidirectional rank holds two nodes side by side), which is
 * all a sequential model needs; a general graph-layout library (elkjs or dagre) is not installed.
 */
import type { LayerConfig } from '../../nn/config.js';
import type { Layer } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';

export interface GraphNode {
  id: string;
  kind: string;
  label: string;
  /** e.g. `[B, T, 16]` or `[B, 5]` */
  inputShape: string;
  outputShape: string;
  params: number;
  /** 0 input, then one per layer */
  rank: number;
  details: Record<string, string | number | boolean>;
}

export interface ModelGraph {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
  totalParams: number;
}

function shape(seq: boolean, features: number): string {
  return seq ? `[B, T, ${features}]` : `[B, ${features}]`;
}

function countParams(l: Layer): number {
  return l.parameters().reduce((n, p) => n + p.value.length, 0);
}

export function modelGraph(model: SequenceModel): ModelGraph {
  const spec = model.inputSpec;
  const nodes: GraphNode[] = [];
  const edges: { from: string; to: string }[] = [];
  const inShape = spec.kind === 'tokens' ? '[B, T] token ids' : `[B, T, ${spec.features}]`;
  nodes.push({
    id: 'input',
    kind: 'input',
    label: 'input',
    inputShape: inShape,
    outputShape: inShape,
    params: 0,
    rank: 0,
    details: spec.kind === 'tokens' ? { vocabSize: spec.vocabSize } : { features: spec.features },
  });
  let prev = ['input'];
  let seq = true;
  let inText = inShape;
  model.layers.forEach((l, i) => {
    const cfg = l.config() as LayerConfig;
    const rank = i + 1;
    const outSeq =
      l.kind === 'dense' || l.kind === 'dropout' || l.kind === 'embedding' ? seq : l.sequenceOutput;
    const outText = shape(outSeq, l.outputFeatures);
    const params = countParams(l);
    if (cfg.kind === 'bidirectional') {
      const inner = cfg.layer;
      const dirParams = params / 2;
      const ids = ['forward', 'backward'].map((d) => `${l.name}/${d}`);
      ids.forEach((id, k) => {
        nodes.push({
          id,
          kind: inner.kind,
          label: `${l.name} ${k === 0 ? 'forward' : 'backward'}`,
          inputShape: inText,
          outputShape: shape(l.sequenceOutput, inner.units),
          params: dirParams,
          rank,
          details: {
            cell: inner.kind,
            units: inner.units,
            direction: k === 0 ? 'forward' : 'backward',
          },
        });
        for (const p of prev) edges.push({ from: p, to: id });
      });
      const merge = `${l.name}/merge`;
      nodes.push({
        id: merge,
        kind: 'merge',
        label: `${l.name} merge (${cfg.merge ?? 'concat'})`,
        inputShape: `2 × ${shape(l.sequenceOutput, inner.units)}`,
        outputShape: outText,
        params: 0,
        rank: rank + 0.5,
        details: { merge: cfg.merge ?? 'concat' },
      });
      for (const id of ids) edges.push({ from: id, to: merge });
      prev = [merge];
    } else {
      const details: GraphNode['details'] = {};
      for (const [k, v] of Object.entries(cfg))
        if (
          (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
          k !== 'name' &&
          k !== 'kind'
        )
          details[k] = v;
      if (cfg.kind === 'simple_rnn' || cfg.kind === 'lstm' || cfg.kind === 'gru')
        details['direction'] = cfg.goBackwards ? 'backward' : 'forward';
      // a graph layer: its ops in order (the dashboard's structure view shows them)
      if (cfg.kind === 'graph') details['ops'] = cfg.nodes.map((n) => n.op).join(' → ') || 'identity';
      nodes.push({
        id: l.name,
        kind: l.kind,
        label: l.name === l.kind ? l.kind : `${l.name} (${l.kind})`,
        inputShape: inText,
        outputShape: outText,
        params,
        rank,
        details,
      });
      for (const p of prev) edges.push({ from: p, to: l.name });
      prev = [l.name];
    }
    seq = outSeq;
    inText = outText;
  });
  nodes.push({
    id: 'output',
    kind: 'output',
    label: 'output',
    inputShape: inText,
    outputShape: inText,
    params: 0,
    rank: model.layers.length + 1,
    details: {},
  });
  for (const p of prev) edges.push({ from: p, to: 'output' });
  return { nodes, edges, totalParams: nodes.reduce((n, x) => n + x.params, 0) };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLOURS: Record<string, string> = {
  input: '#eeeeee',
  output: '#eeeeee',
  embedding: '#fde0c5',
  lstm: '#c6dbef',
  gru: '#c7e9c0',
  simple_rnn: '#dadaeb',
  merge: '#f0f0f0',
  dense: '#fdd0a2',
  head: '#fcbba1',
  dropout: '#f7f7f7',
};

/** A top-to-bottom layered SVG drawing of the graph. */
export function structureSvg(g: ModelGraph): string {
  const W = 250;
  const H = 56;
  const gapX = 30;
  const gapY = 34;
  const ranks = [...new Set(g.nodes.map((n) => n.rank))].sort((a, b) => a - b);
  const widest = Math.max(...ranks.map((r) => g.nodes.filter((n) => n.rank === r).length));
  const width = widest * W + (widest - 1) * gapX + 40;
  const height = ranks.length * (H + gapY) + 40 - gapY + 24;
  const pos = new Map<string, { x: number; y: number }>();
  ranks.forEach((r, ri) => {
    const row = g.nodes.filter((n) => n.rank === r);
    const rowWidth = row.length * W + (row.length - 1) * gapX;
    row.forEach((n, k) =>
      pos.set(n.id, { x: (width - rowWidth) / 2 + k * (W + gapX), y: 20 + ri * (H + gapY) }),
    );
  });
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    '<rect width="100%" height="100%" fill="white"/>',
  ];
  for (const e of g.edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    parts.push(
      `<line x1="${a.x + W / 2}" y1="${a.y + H}" x2="${b.x + W / 2}" y2="${b.y}" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`,
    );
  }
  for (const n of g.nodes) {
    const p = pos.get(n.id)!;
    const sub =
      n.kind === 'input' || n.kind === 'output'
        ? n.outputShape
        : `${n.inputShape} → ${n.outputShape}`;
    const third =
      n.params > 0
        ? `${n.params.toLocaleString('en-US')} parameters`
        : n.kind === 'output'
          ? `${g.totalParams.toLocaleString('en-US')} parameters in total`
          : '';
    parts.push(
      `<g><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${COLOURS[n.kind] ?? '#ffffff'}" stroke="#444"/>`,
      `<text x="${p.x + W / 2}" y="${p.y + 17}" text-anchor="middle" font-size="13" font-weight="bold">${esc(n.label)}</text>`,
      `<text x="${p.x + W / 2}" y="${p.y + 33}" text-anchor="middle" font-size="11">${esc(sub)}</text>`,
      `<text x="${p.x + W / 2}" y="${p.y + 48}" text-anchor="middle" font-size="10" fill="#555">${esc(third)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
