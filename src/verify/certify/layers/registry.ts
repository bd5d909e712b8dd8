/**
 * Lowering rules by layer kind for the certification pass: each rule turns one layer into bound
 * graph nodes (./graph.ts). A layer kind without a rule is an error naming the kind and the pass,
 * never a silently skipped layer.
 */
import { RnnlensError } from '../../../core/errors.js';
import type { Layer } from '../../../nn/layer.js';
import type { BoundGraph, LFlow } from './graph.js';
import { lowerBidirectional } from './bidirectional.js';
import { lowerDense } from './dense.js';
import { lowerDropout } from './dropout.js';
import { lowerEmbedding } from './embedding.js';
import { lowerGraphLayer } from './graph-layer.js';
import { lowerGru } from './gru.js';
import { lowerHead } from './heads.js';
import { lowerLstm } from './lstm.js';
import { lowerSimpleRnn } from './simple-rnn.js';

/** Lowers `layer` applied to `input` into `g`; returns what the layer outputs. */
export type LayerRule = (layer: Layer, input: LFlow, g: BoundGraph) => LFlow;

const RULES = new Map<string, LayerRule>([
  ['embedding', lowerEmbedding],
  ['dense', lowerDense],
  ['dropout', lowerDropout],
  ['simple_rnn', lowerSimpleRnn],
  ['lstm', lowerLstm],
  ['gru', lowerGru],
  ['bidirectional', lowerBidirectional],
  ['head', lowerHead],
  ['graph', lowerGraphLayer],
]);

export function ruleFor(kind: string, layerName: string): LayerRule {
  const rule = RULES.get(kind);
  if (!rule)
    throw new RnnlensError(
      `certify: no bound propagation rule for layer kind '${kind}' (layer ${layerName}); ` +
        `the certification pass supports ${[...RULES.keys()].join(', ')}`,
    );
  return rule;
}

/** Registers (or replaces) the rule of a layer kind, for layer kinds added outside src/nn. */
export function registerRule(kind: string, rule: LayerRule): void {
  RULES.set(kind, rule);
}
