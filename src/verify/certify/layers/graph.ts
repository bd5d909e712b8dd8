/**
 * The bound graph: a model unrolled over the steps of ONE input sequence into vector nodes with
 * only five primitive operations, which IBP and linear back-substitution (../propagate.ts, ../backsub.ts) know how
 * to bound. Each layer kind has a rule (./<kind>.ts) that lowers it into these nodes, so adding a
 * layer kind means one rule file, and the bounding code never sees layers.
 *
 *   input   coordinates [offset, offset + size) of the flat perturbed input vector
 *   const   a fixed vector (zero initial states, the constant 1 that carries a second bias)
 *   affine  z = W·[s_1; s_2; …] + b   (W [size, Σ|s_k|] row-major: one row per output)
 *   act     z = f(s) elementwise, f ∈ {tanh, sigmoid, relu} or a smooth function of
 *           ../relax/smooth-fns.ts (erf, gelu, silu, softplus, exp, square, sqrt, rsqrt, recip)
 *   product z = f(x, y) elementwise: the gated products σ(x)·tanh(y), σ(x)·y, (1 − σ(x))·y, or
 *           the plain product x·y ('mul', Bidirectional's mul merge)
 *   max     z = max(s_1, …, s_k) elementwise (max pooling over steps)
 *
 * Each affine node must be evaluated by the float64 forward pass as ONE sum of its terms (any
 * order): the certifier widens it by the rounding error of such a sum (../forward-error.ts). So a
 * rule puts exactly what the forward pass adds together into one node.
 */
import type { ActivationKind } from '../ibp.js';
import type { ProductKind } from '../relax/product-fns.js';

export type GraphOp =
  | { op: 'input'; offset: number }
  | { op: 'const'; value: Float64Array }
  | { op: 'affine'; srcs: number[]; W: Float64Array; b: Float64Array | null }
  | { op: 'act'; kind: ActivationKind; src: number }
  | { op: 'product'; kind: ProductKind | 'mul'; x: number; y: number }
  | { op: 'max'; srcs: number[] };

/** `step`: the input position a recurrent node belongs to (−1 outside recurrent unrolls). */
export type GraphNode = GraphOp & { id: number; size: number; label: string; step: number };

/** What flows between lowering rules: one node per step, or one node. */
export type LFlow = { kind: 'seq'; steps: number[] } | { kind: 'flat'; node: number };

export class BoundGraph {
  readonly nodes: GraphNode[] = [];
  private readonly consts = new Map<string, number>();
  /** Input position of the nodes being created (set by recurrent unrolls; −1 otherwise). */
  step = -1;

  /** `inputSize` = length of the flat input vector the nodes of kind 'input' slice. */
  constructor(readonly inputSize: number) {}

  size(id: number): number {
    return this.nodes[id]!.size;
  }

  private push(op: GraphOp, size: number, label: string): number {
    const id = this.nodes.length;
    const step = op.op === 'const' ? -1 : this.step;
    this.nodes.push({ ...op, id, size, label, step } as GraphNode);
    return id;
  }

  input(offset: number, size: number, label: string): number {
    return this.push({ op: 'input', offset }, size, label);
  }

  /** A constant vector; equal constants share one node. */
  constant(value: Float64Array, label = 'const'): number {
    const key = Array.from(value).join(',');
    const hit = this.consts.get(key);
    if (hit !== undefined) return hit;
    const id = this.push({ op: 'const', value: Float64Array.from(value) }, value.length, label);
    this.consts.set(key, id);
    return id;
  }

  zeros(n: number): number {
    return this.constant(new Float64Array(n), `zeros(${n})`);
  }

  one(): number {
    return this.constant(Float64Array.of(1), 'one');
  }

  affine(
    srcs: number[],
    W: Float64Array,
    b: Float64Array | null,
    size: number,
    label: string,
  ): number {
    const cols = srcs.reduce((s, k) => s + this.size(k), 0);
    if (W.length !== size * cols)
      throw new Error(
        `BoundGraph.affine(${label}): W has ${W.length} values, expected ${size}×${cols}`,
      );
    if (b && b.length !== size)
      throw new Error(`BoundGraph.affine(${label}): b has ${b.length} values, expected ${size}`);
    return this.push({ op: 'affine', srcs, W, b }, size, label);
  }

  act(kind: ActivationKind, src: number, label: string): number {
    return this.push({ op: 'act', kind, src }, this.size(src), label);
  }

  product(kind: ProductKind | 'mul', x: number, y: number, label: string): number {
    if (this.size(x) !== this.size(y))
      throw new Error(
        `BoundGraph.product(${label}): operands of sizes ${this.size(x)} and ${this.size(y)}`,
      );
    return this.push({ op: 'product', kind, x, y }, this.size(x), label);
  }

  max(srcs: number[], label: string): number {
    return this.push({ op: 'max', srcs }, this.size(srcs[0]!), label);
  }

  /** z = s_1 + s_2 + … (+ scaled by `scale`): an affine node with identity blocks. */
  sum(srcs: number[], label: string, scale = 1): number {
    const n = this.size(srcs[0]!);
    const cols = n * srcs.length;
    const W = new Float64Array(n * cols);
    for (let k = 0; k < srcs.length; k++)
      for (let j = 0; j < n; j++) W[j * cols + k * n + j] = scale;
    return this.affine(srcs, W, null, n, label);
  }
}
