/**
 * Dense: z = x·kernel + bias (kernel [in, out], one sum per output as the forward pass computes
 * it), then the activation; on a sequence, the same on every step.
 */
import type { DenseLayer } from '../../../nn/dense.js';
import type { Layer } from '../../../nn/layer.js';
import type { BoundGraph, LFlow } from './graph.js';
import { f64, mapFlow } from './flow.js';

export function lowerDense(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const d = layer as DenseLayer;
  const I = d.inputFeatures;
  const O = d.outputFeatures;
  const K = d.kernel.value; // [I, O]
  const W = new Float64Array(O * I); // rows = outputs
  for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) W[o * I + i] = K[i * O + o]!;
  const b = f64(d.bias.value);
  return mapFlow(input, (x, t) => {
    const z = g.affine([x], W, b, O, `${d.name}[${t}] z`);
    return d.activation === 'linear'
      ? z
      : g.act(d.activation, z, `${d.name}[${t}] ${d.activation}`);
  });
}
