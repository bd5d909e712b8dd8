/**
 * LSTM: i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o);  c' = f⊙c + i⊙g;  h' = o⊙tanh(c').
 * The products are bounded as functions of the PRE-activations (σ(a_f)·c, σ(a_i)·tanh(a_g),
 * σ(a_o)·tanh(c')) by the certified planes of ../relax/products.ts; c' is one sum of two products.
 */
import type { Layer } from '../../../nn/layer.js';
import type { RecurrentLayer } from '../../../nn/recurrent.js';
import type { BoundGraph, LFlow } from './graph.js';
import { gatePre, lowerDirection, type CellStep } from './recurrent.js';

export const lstmStep: CellStep = (g, w, x, s, t) => {
  const n = `${w.name}[${t}]`;
  const ai = gatePre(g, w, 0, x, s.h, `${n} a_i`);
  const af = gatePre(g, w, 1, x, s.h, `${n} a_f`);
  const ag = gatePre(g, w, 2, x, s.h, `${n} a_g`);
  const ao = gatePre(g, w, 3, x, s.h, `${n} a_o`);
  const fc = g.product('sigmoid*y', af, s.c!, `${n} f⊙c`);
  const ig = g.product('sigmoid*tanh', ai, ag, `${n} i⊙g`);
  const c = g.sum([fc, ig], `${n} c`);
  const h = g.product('sigmoid*tanh', ao, c, `${n} h`);
  return { h, c };
};

export function lowerLstm(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  return lowerDirection(layer as RecurrentLayer, input, g, lstmStep, true);
}
