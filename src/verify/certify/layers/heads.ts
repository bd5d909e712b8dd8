/**
 * Sequence heads on one unpadded sequence of T steps:
 *   last: y = x_{T−1};  mean: y = (1/T)·Σ_t x_t (one sum; the weight fl(1/T) differs from 1/T by
 *   one rounding, which the affine forward-error bound's slack covers);  max: y = max_t x_t;
 *   every: the sequence itself.
 */
import type { HeadLayer } from '../../../nn/heads.js';
import type { Layer } from '../../../nn/layer.js';
import type { BoundGraph, LFlow } from './graph.js';
import { expectSeqFlow } from './flow.js';

export function lowerHead(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const h = layer as HeadLayer;
  const steps = expectSeqFlow(h.name, input);
  if (h.pool === 'every') return { kind: 'seq', steps };
  if (h.pool === 'last') return { kind: 'flat', node: steps[steps.length - 1]! };
  if (h.pool === 'max')
    return { kind: 'flat', node: steps.length === 1 ? steps[0]! : g.max(steps, `${h.name} max`) };
  return { kind: 'flat', node: g.sum(steps, `${h.name} mean`, 1 / steps.length) };
}
