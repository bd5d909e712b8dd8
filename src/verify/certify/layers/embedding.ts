/**
 * Embedding: certification works in embedding space. The perturbed input vector already holds
 * the embedding vectors of every position (../perturbation.ts builds balls around them, or the
 * hull of allowed substitutes' embeddings), so the layer lowers to the identity on that sequence.
 */
import type { Layer } from '../../../nn/layer.js';
import type { BoundGraph, LFlow } from './graph.js';
import { expectSeqFlow } from './flow.js';

export function lowerEmbedding(layer: Layer, input: LFlow, _g: BoundGraph): LFlow {
  return { kind: 'seq', steps: expectSeqFlow(layer.name, input) };
}
