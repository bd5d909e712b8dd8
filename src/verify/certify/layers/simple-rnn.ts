/** SimpleRNN: h' = act(x·W + bx + h·U + bh), act = tanh or relu. */
import type { Layer } from '../../../nn/layer.js';
import type { RecurrentLayer } from '../../../nn/recurrent.js';
import type { BoundGraph, LFlow } from './graph.js';
import { gatePre, lowerDirection, type CellStep } from './recurrent.js';

export function simpleRnnStep(act: 'tanh' | 'relu'): CellStep {
  return (g, w, x, s, t) => {
    const a = gatePre(g, w, 0, x, s.h, `${w.name}[${t}] a`);
    return { h: g.act(act, a, `${w.name}[${t}] h`) };
  };
}

export function lowerSimpleRnn(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const r = layer as RecurrentLayer;
  return lowerDirection(r, input, g, simpleRnnStep(r.cell.activation ?? 'tanh'), false);
}
