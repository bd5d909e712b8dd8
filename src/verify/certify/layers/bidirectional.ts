/**
 * Bidirectional: a forward and a backward (goBackwards, aligned to input positions) copy of the
 * inner layer, merged per step (or on the final states): concat [a; b], sum a + b,
 * mean 0.5·(a + b) (exact scaling of one rounded sum), mul a⊙b (a plain product, McCormick planes).
 */
import type { BidirectionalLayer } from '../../../nn/bidirectional.js';
import type { Layer } from '../../../nn/layer.js';
import type { RecurrentLayer } from '../../../nn/recurrent.js';
import type { BoundGraph, LFlow } from './graph.js';
import { gruStep } from './gru.js';
import { lstmStep } from './lstm.js';
import { lowerDirection, type CellStep } from './recurrent.js';
import { simpleRnnStep } from './simple-rnn.js';

function stepOf(r: RecurrentLayer): CellStep {
  if (r.cell.kind === 'lstm') return lstmStep;
  if (r.cell.kind === 'gru') return gruStep(r.cell.resetAfter ?? true);
  return simpleRnnStep(r.cell.activation ?? 'tanh');
}

function concat(g: BoundGraph, a: number, b: number, label: string): number {
  const na = g.size(a);
  const nb = g.size(b);
  const n = na + nb;
  const W = new Float64Array(n * n);
  for (let j = 0; j < n; j++) W[j * n + j] = 1; // exact copies: no rounding in a sum of one term
  return g.affine([a, b], W, null, n, label);
}

export function lowerBidirectional(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const bi = layer as BidirectionalLayer;
  const fw = bi.forwardLayer;
  const bw = bi.backwardLayer;
  const a = lowerDirection(fw, input, g, stepOf(fw), fw.cell.kind === 'lstm', {
    reverse: false,
    name: `${bi.name}/forward`,
  });
  const b = lowerDirection(bw, input, g, stepOf(bw), bw.cell.kind === 'lstm', {
    reverse: true,
    align: true,
    name: `${bi.name}/backward`,
  });
  const merge = (x: number, y: number, t: number): number => {
    const label = `${bi.name}[${t}] ${bi.merge}`;
    switch (bi.merge) {
      case 'concat':
        return concat(g, x, y, label);
      case 'sum':
        return g.sum([x, y], label);
      case 'mean':
        return g.sum([x, y], label, 0.5);
      case 'mul':
        return g.product('mul', x, y, label);
    }
  };
  // final cell states of both directions, forward first (as the layer's final states)
  const cells = a.cells && b.cells ? { cells: [...a.cells, ...b.cells] } : {};
  if (a.kind === 'flat' && b.kind === 'flat')
    return { kind: 'flat', node: merge(a.node, b.node, 0), ...cells };
  if (a.kind === 'seq' && b.kind === 'seq')
    return { kind: 'seq', steps: a.steps.map((x, t) => merge(x, b.steps[t]!, t)), ...cells };
  throw new Error(`certify: ${bi.name}: directions disagree on returnSequences`);
}
