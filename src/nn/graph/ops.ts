/** The registry of graph ops: one rule per ONNX op type (./rule.ts). */
import { ELEMENTWISE_OPS } from './ops-elementwise.js';
import { LINEAR_OPS } from './ops-linear.js';
import { NORM_OPS } from './ops-norm.js';
import { REDUCE_OPS } from './ops-reduce.js';
import { SHAPE_OPS } from './ops-shape.js';
import type { OpRule } from './rule.js';

export const GRAPH_OPS: Readonly<Record<string, OpRule>> = { ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...REDUCE_OPS, ...LINEAR_OPS, ...NORM_OPS };

export function graphOpNames(): string[] {
  return Object.keys(GRAPH_OPS).sort();
}
