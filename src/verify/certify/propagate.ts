/**
 * Bounds over a bound graph (./layers/graph.ts) for an input region (./perturbation.ts).
 *
 * IBP: every node's box from its sources' boxes (../ibp.ts rules, forward rounding included).
 * CROWN: nodes are visited in order; every node that feeds a nonlinearity (act, product, max) is
 * bounded by back-substituting an identity bound through ALL earlier nodes — through every step
 * back to the input — and concretising over the region; the result is intersected with the node's
 * IBP box, so each neuron's box is the tighter of the two and linear bounds are never looser than
 * IBP. The nonlinearity's lines / planes are then built on those boxes. A back-substitution
 * accumulates coefficients of nodes reached along several paths; each float addition's rounding
 * (≤ 2^-53·|sum| per coefficient) is absorbed into the offsets through the node's box.
 *
 * Cost: a back-substitution from step t visits t steps, so bounding all steps is O(T²) node visits.
 * The back-substitution itself is in ./backsub.ts.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { ibpActivation, ibpAffine, ibpProduct, intersect } from './ibp.js';
import { concatBoxes, imul, type Box } from './interval.js';
import { backSubstitute, type AffineCache } from './backsub.js';
import type { BoundGraph, GraphNode } from './layers/graph.js';
import { concretizeRegion, type Region } from './perturbation.js';
import type { LinearRelaxation } from './relax/line.js';
import type { PlaneRelaxation } from './relax/products.js';
import { relaxProduct } from './relax/products.js';
import { relaxRelu } from './relax/relu.js';
import { relaxSigmoid } from './relax/sigmoid.js';
import { isSmoothKind } from './relax/smooth-fns.js';
import { relaxSmoothKind } from './relax/smooth.js';
import { relaxTanh } from './relax/tanh.js';
import { addUp, mulDown, mulUp, subDown } from './rounding.js';

export type Method = 'ibp' | 'crown' | 'alpha';
export const METHODS: readonly Method[] = ['ibp', 'crown', 'alpha'];

export interface ProgressInfo {
  done: number;
  total: number;
  message?: string;
}

export interface PropagateOptions {
  method: Method;
  /** Intermediate back-substitutions stop at states more than `window` steps away (default ∞). */
  window?: number;
  onProgress?: (p: ProgressInfo) => void;
}

/** Per max node and unit: the source chosen for the lower line and whether it is exact. */
export interface MaxRelax {
  pick: Int32Array;
  exact: Uint8Array;
  upper: Float64Array;
}

export interface Propagation {
  graph: BoundGraph;
  region: Region;
  method: Method;
  boxes: Box[];
  lines: (LinearRelaxation[] | PlaneRelaxation[] | MaxRelax | null)[];
  /** Per affine node: its error weights (./backsub.ts affineCache). */
  cache: Map<number, AffineCache>;
}

export function checkMethod(where: string, m: unknown): Method {
  if (!METHODS.includes(m as Method))
    throw new ArgumentError(where, 'method', "'ibp', 'crown' or 'alpha'", describe(m));
  return m as Method;
}

/** NaN ends (∞ − ∞ in a hopeless bound) become the infinite end, which is always sound. */
function sanitize(b: Box): Box {
  for (let i = 0; i < b.lo.length; i++) {
    if (Number.isNaN(b.lo[i]!)) b.lo[i] = -Infinity;
    if (Number.isNaN(b.hi[i]!)) b.hi[i] = Infinity;
  }
  return b;
}

/** The IBP box of node `n` from its sources' current boxes. */
function ibpNode(n: GraphNode, boxes: Box[], region: Region): Box {
  switch (n.op) {
    case 'input':
      return {
        lo: region.box.lo.slice(n.offset, n.offset + n.size),
        hi: region.box.hi.slice(n.offset, n.offset + n.size),
      };
    case 'const':
      return { lo: n.value.slice(), hi: n.value.slice() };
    case 'affine': {
      const inp = concatBoxes(n.srcs.map((s) => boxes[s]!));
      return sanitize(ibpAffine(n.W, n.size, inp.lo.length, inp, n.b ?? undefined));
    }
    case 'act':
      return ibpActivation(n.kind, boxes[n.src]!);
    case 'product': {
      if (n.kind !== 'mul') return sanitize(ibpProduct(n.kind, boxes[n.x]!, boxes[n.y]!));
      // fl(x·y) is monotone in the exact product, whose hull has float ends: no widening needed
      const bx = boxes[n.x]!;
      const by = boxes[n.y]!;
      const out: Box = { lo: new Float64Array(n.size), hi: new Float64Array(n.size) };
      for (let j = 0; j < n.size; j++) {
        const p = imul({ lo: bx.lo[j]!, hi: bx.hi[j]! }, { lo: by.lo[j]!, hi: by.hi[j]! });
        out.lo[j] = p.lo;
        out.hi[j] = p.hi;
      }
      return sanitize(out);
    }
    case 'max': {
      const out: Box = {
        lo: new Float64Array(n.size).fill(-Infinity),
        hi: new Float64Array(n.size).fill(-Infinity),
      };
      for (const s of n.srcs)
        for (let j = 0; j < n.size; j++) {
          out.lo[j] = Math.max(out.lo[j]!, boxes[s]!.lo[j]!);
          out.hi[j] = Math.max(out.hi[j]!, boxes[s]!.hi[j]!);
        }
      return out;
    }
  }
}

/**
 * McCormick planes for the plain product x·y on a box, with the float product's rounding
 * (|fl(xy) − xy| ≤ 2^-53·max|xy|) moved into the offsets:
 *   xy ≥ ly·x + lx·y − lx·ly,   xy ≤ uy·x + lx·y − lx·uy.
 */
function mcCormick(lx: number, ux: number, ly: number, uy: number): PlaneRelaxation {
  const m = Math.max(Math.abs(lx), Math.abs(ux)) * Math.max(Math.abs(ly), Math.abs(uy));
  const r = addUp(mulUp(m, 2 ** -53), 2 ** -1074);
  return {
    lower: { a: ly, b: lx, c: subDown(-mulUp(lx, ly), r) },
    upper: { a: uy, b: lx, c: addUp(-mulDown(lx, uy), r) },
  };
}

function finiteBox(...v: number[]): boolean {
  return v.every(Number.isFinite);
}

/** Lines / planes of a nonlinear node on its sources' final boxes. */
function relaxNode(n: GraphNode, boxes: Box[]): Propagation['lines'][number] {
  if (n.op === 'act') {
    const b = boxes[n.src]!;
    const kind = n.kind;
    if (isSmoothKind(kind)) return Array.from({ length: n.size }, (_, j) => relaxSmoothKind(kind, b.lo[j]!, b.hi[j]!));
    const f = n.kind === 'tanh' ? relaxTanh : n.kind === 'sigmoid' ? relaxSigmoid : relaxRelu;
    return Array.from({ length: n.size }, (_, j) => f(b.lo[j]!, b.hi[j]!));
  }
  if (n.op === 'product') {
    const bx = boxes[n.x]!;
    const by = boxes[n.y]!;
    const own = boxes[n.id]!;
    return Array.from({ length: n.size }, (_, j) => {
      const [lx, ux, ly, uy] = [bx.lo[j]!, bx.hi[j]!, by.lo[j]!, by.hi[j]!];
      if (!finiteBox(lx, ux, ly, uy))
        return { lower: { a: 0, b: 0, c: own.lo[j]! }, upper: { a: 0, b: 0, c: own.hi[j]! } };
      if (n.kind === 'mul') return mcCormick(lx, ux, ly, uy);
      return relaxProduct(n.kind, { lx, ux, ly, uy });
    });
  }
  if (n.op === 'max') {
    const pick = new Int32Array(n.size);
    const exact = new Uint8Array(n.size);
    const upper = new Float64Array(n.size);
    for (let j = 0; j < n.size; j++) {
      let best = 0;
      n.srcs.forEach((s, k) => {
        if (boxes[s]!.lo[j]! > boxes[n.srcs[best]!]!.lo[j]!) best = k;
      });
      pick[j] = best;
      upper[j] = boxes[n.id]!.hi[j]!;
      const lb = boxes[n.srcs[best]!]!.lo[j]!;
      exact[j] = n.srcs.every((s, k) => k === best || boxes[s]!.hi[j]! <= lb) ? 1 : 0;
    }
    return { pick, exact, upper };
  }
  return null;
}

/** Nodes whose boxes feed a relaxation (the ones CROWN refines). */
function relaxedInputs(g: BoundGraph): Uint8Array {
  const need = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) {
    if (n.op === 'act') need[n.src] = 1;
    else if (n.op === 'product') need[n.x] = need[n.y] = 1;
    else if (n.op === 'max') for (const s of n.srcs) need[s] = 1;
  }
  return need;
}

/** Boxes of every node (and relaxations for CROWN). */
export function propagate(g: BoundGraph, region: Region, opts: PropagateOptions): Propagation {
  const method = checkMethod('propagate', opts.method);
  if (opts.window !== undefined && !(Number.isInteger(opts.window) && opts.window >= 1))
    throw new ArgumentError('propagate', 'window', 'an integer ≥ 1', describe(opts.window));
  if (region.centre.length !== g.inputSize)
    throw new ArgumentError(
      'propagate',
      'region',
      `${g.inputSize} input values`,
      `${region.centre.length}`,
    );
  const boxes: Box[] = [];
  const p: Propagation = { graph: g, region, method, boxes, lines: [], cache: new Map() };
  const need = method === 'ibp' ? null : relaxedInputs(g);
  const total = g.nodes.length;
  for (const n of g.nodes) {
    boxes[n.id] = ibpNode(n, boxes, region);
    // the node's own lines come from its sources' final boxes, before its own box is refined
    if (method !== 'ibp') p.lines[n.id] = relaxNode(n, boxes);
    if (need?.[n.id] && n.op !== 'input' && n.op !== 'const') {
      const lin = concretizeRegion(backSubstitute(p, n.id, undefined, opts.window), region);
      boxes[n.id] = sanitize(intersect(boxes[n.id]!, lin));
    }
    if (opts.onProgress && (n.id % 64 === 0 || n.id === total - 1))
      opts.onProgress({ done: n.id + 1, total, message: n.label });
  }
  return p;
}

export { backSubstitute };
