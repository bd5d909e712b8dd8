/**
 * One rule per graph op: `forward` computes the outputs from the inputs (and may keep `saved`
 * values), `backward` maps output gradients to input gradients (null where an input carries no
 * gradient: integer tensors, shapes, indices). Attributes are plain JSON (ONNX names), so a node
 * is its own config.
 */
import { RnnlensError } from '../../core/errors.js';
import type { Nd } from './nd.js';

/** A tensor attribute (ONNX Constant value). */
export interface TensorAttr {
  shape: number[];
  data: number[];
  int: boolean;
}

export type AttrValue = number | string | number[] | string[] | TensorAttr;

export interface GNode {
  op: string;
  /** The ONNX node name (for messages). */
  name: string;
  /** Value names; '' = an absent optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface OpEnv {
  /** The default-domain opset of the source model (some ops changed semantics). */
  opset: number;
}

export interface Forward {
  outs: Nd[];
  saved?: unknown;
}

export interface OpRule {
  forward(ins: Array<Nd | null>, node: GNode, env: OpEnv): Forward;
  /**
   * Gradients of the inputs from the outputs' gradients (null = no gradient reaches that output).
   * Absent: the op is not differentiable (only allowed on integer paths).
   */
  backward?(gOuts: Array<Nd | null>, ins: Array<Nd | null>, f: Forward, node: GNode, env: OpEnv): Array<Nd | null>;
}

export function opError(node: GNode, msg: string): never {
  throw new RnnlensError(`graph op '${node.name}' (${node.op}): ${msg}`);
}

export function attrNum(node: GNode, name: string, def: number): number {
  const a = node.attrs[name];
  if (a === undefined) return def;
  if (typeof a !== 'number') opError(node, `attribute ${name} must be a number, got ${JSON.stringify(a)}`);
  return a;
}

export function attrInts(node: GNode, name: string): number[] | undefined {
  const a = node.attrs[name];
  if (a === undefined) return undefined;
  if (!Array.isArray(a) || a.some((v) => typeof v !== 'number')) opError(node, `attribute ${name} must be a list of integers, got ${JSON.stringify(a)}`);
  return a as number[];
}

export function attrStr(node: GNode, name: string, def: string): string {
  const a = node.attrs[name];
  if (a === undefined) return def;
  if (typeof a !== 'string') opError(node, `attribute ${name} must be a string, got ${JSON.stringify(a)}`);
  return a;
}

export function need(node: GNode, ins: Array<Nd | null>, i: number): Nd {
  const x = ins[i];
  if (!x) opError(node, `input ${i} is missing`);
  return x;
}
