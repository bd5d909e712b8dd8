/**
 * Which rule each op of a graph layer (src/nn/graph) takes in the propagation passes, decided
 * from the graph alone (before any sequence runs), so an unsupported op is refused up front.
 *
 * Data values are those computed from the layer input (not from parameters or constants, and not
 * integer shape/index values). An op's class follows from its type and which of its inputs are data:
 *
 *   shape       Reshape, Transpose, Squeeze, Unsqueeze, Flatten, Identity, Dropout, Concat, Slice,
 *               Gather, Split, Expand, Tile, Pad, Cast: the values move, and so does relevance;
 *   affine      MatMul/Gemm/Conv/ConvTranspose with one data operand, Add, Sub, Sum, Mean,
 *               BatchNormalization, ReduceMean, ReduceSum, AveragePool, GlobalAveragePool;
 *   scale       Mul by a constant, Div by a constant, Neg: one contribution per output;
 *   product     Mul, MatMul or Gemm of two data operands, Div by a data denominator;
 *   activation  Relu, Sigmoid, Tanh, Erf, LeakyRelu, Elu, Selu, Softplus, Softsign, HardSigmoid,
 *               Clip, Exp, PRelu (monotone, elementwise);
 *   elementwise other elementwise functions of one data input (Sqrt, Log, Pow by a constant, …):
 *               DeepLIFT only;
 *   max         ReduceMax, MaxPool, GlobalMaxPool, Max;
 *   layernorm   LayerNormalization;
 *   softmax     Softmax, LogSoftmax.
 *
 * LRP visits only the ops relevance reaches: a product's gate (an operand computed from a
 * Softmax, Sigmoid, HardSigmoid or Erf, through shape, scale and affine-with-a-constant ops; a
 * Div's denominator) takes none, so a Softmax feeding attention weights needs no rule. DeepLIFT
 * visits every op between the input and the output.
 */
import { RnnlensError } from '../../core/errors.js';
import type { GraphLayer } from '../../nn/graph/layer.js';
import type { GNode } from '../../nn/graph/rule.js';

export type OpClass =
  | 'shape'
  | 'affine'
  | 'scale'
  | 'product'
  | 'activation'
  | 'elementwise'
  | 'max'
  | 'layernorm'
  | 'softmax';

const SHAPE = ['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity', 'Dropout', 'Concat', 'Slice', 'Gather', 'Split', 'Expand', 'Tile', 'Pad', 'Cast'];
const AFFINE = ['Add', 'Sub', 'Sum', 'Mean', 'BatchNormalization', 'ReduceMean', 'ReduceSum', 'AveragePool', 'GlobalAveragePool'];
const WEIGHTED = ['MatMul', 'Gemm', 'Conv', 'ConvTranspose'];
export const ACTIVATIONS = ['Relu', 'Sigmoid', 'Tanh', 'Erf', 'LeakyRelu', 'Elu', 'Selu', 'Softplus', 'Softsign', 'HardSigmoid', 'Clip', 'Exp', 'PRelu'];
const ELEMENTWISE = ['Sqrt', 'Log', 'Reciprocal', 'Abs', 'HardSwish', 'Sin', 'Cos', 'Pow'];
const MAX = ['ReduceMax', 'MaxPool', 'GlobalMaxPool', 'Max'];
const GATES = new Set(['Softmax', 'Sigmoid', 'HardSigmoid', 'Erf']);
/** Ops whose outputs carry no relevance (integer shapes, indices, masks). */
const NO_DATA = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'Constant', 'ConstantOfShape', 'Range', 'Floor', 'Ceil', 'Round', 'Sign']);
const FLOAT_CAST = new Set([1, 10, 11, 16]);

export type Pass = 'LRP' | 'DeepLIFT';

export interface NodePlan {
  cls: OpClass;
  /** Input slots holding data values. */
  data: number[];
  /** Input slots that receive relevance (LRP) or multipliers (DeepLIFT). */
  recv: number[];
  /**
   * LRP: a MatMul/Conv/ConvTranspose whose only consumer adds a constant bias (a Linear on 3-D
   * input exports as MatMul + Add): the index of that Add, whose output is the map's z. The Add
   * itself is then `bias: true` and passes relevance on unchanged.
   */
  biasAdd?: number;
  bias?: boolean;
}

export interface GraphPlan {
  /** By node index; nodes absent from it get nothing. */
  nodes: Map<number, NodePlan>;
  /** Values computed from the layer input. */
  data: Set<string>;
}

/** The ops each pass has a rule for (for messages and docs). */
export function supportedOps(pass: Pass): string[] {
  const all = [...SHAPE, ...AFFINE, ...WEIGHTED, 'Mul', 'Div', 'Neg', ...ACTIVATIONS, ...MAX, 'LayerNormalization', 'Softmax', 'LogSoftmax'];
  return [...new Set(pass === 'DeepLIFT' ? [...all, ...ELEMENTWISE] : all)].sort();
}

function refuse(pass: Pass, layer: GraphLayer, n: GNode, why: string): never {
  throw new RnnlensError(
    `${pass}: graph layer '${layer.name}': op '${n.name}' (${n.op}) ${why}; ops with ${pass} rules: ${supportedOps(pass).join(', ')}`,
  );
}

function dataValues(layer: GraphLayer): Set<string> {
  const data = new Set(layer.inputBindings().map((b) => b.value));
  for (const n of layer.nodes) {
    if (NO_DATA.has(n.op)) continue;
    if (n.op === 'Cast' && !FLOAT_CAST.has(Number(n.attrs.to ?? 1))) continue;
    const fromInput = n.op === 'Gather' || n.op === 'Expand' || n.op === 'Tile' || n.op === 'Reshape' || n.op === 'Slice' || n.op === 'Pad' ? data.has(n.inputs[0] ?? '') : n.inputs.some((i) => data.has(i));
    if (fromInput) for (const o of n.outputs) if (o) data.add(o);
  }
  return data;
}

function classify(pass: Pass, layer: GraphLayer, n: GNode, data: number[]): OpClass {
  const op = n.op;
  if (SHAPE.includes(op)) return 'shape';
  if (AFFINE.includes(op)) return 'affine';
  if (WEIGHTED.includes(op)) {
    const operands = data.filter((i) => i < 2);
    if (operands.length === 2) {
      if (op === 'Conv' || op === 'ConvTranspose') refuse(pass, layer, n, 'convolves with data-dependent weights');
      return 'product';
    }
    return 'affine';
  }
  if (op === 'Mul') return data.length === 2 ? 'product' : 'scale';
  if (op === 'Div') return data.includes(1) ? (data.includes(0) ? 'product' : 'elementwise') : 'scale';
  if (op === 'Neg') return 'scale';
  if (op === 'PRelu' && data.includes(1)) refuse(pass, layer, n, 'has a data-dependent slope');
  if (ACTIVATIONS.includes(op)) return 'activation';
  if (MAX.includes(op)) return 'max';
  if (op === 'LayerNormalization') return 'layernorm';
  if (op === 'Softmax' || op === 'LogSoftmax') return 'softmax';
  if (ELEMENTWISE.includes(op)) {
    if (op === 'Pow' && data.includes(1)) refuse(pass, layer, n, 'has a data-dependent exponent');
    return 'elementwise';
  }
  return refuse(pass, layer, n, 'has no rule');
}

/**
 * True when `value` is a gate: computed from a Softmax, Sigmoid, HardSigmoid or Erf through ops
 * that keep one data input (shape, scale, affine with constants).
 */
function isGate(layer: GraphLayer, value: string, data: Set<string>, producer: Map<string, number>): boolean {
  let v = value;
  for (let hops = 0; hops < layer.nodes.length; hops++) {
    const k = producer.get(v);
    if (k === undefined) return false;
    const n = layer.nodes[k]!;
    if (GATES.has(n.op)) return true;
    const ins = n.inputs.filter((i) => data.has(i));
    const passes = SHAPE.includes(n.op) || n.op === 'Mul' || n.op === 'Div' || n.op === 'Neg' || AFFINE.includes(n.op);
    if (!passes || ins.length !== 1 || (n.op === 'Div' && n.inputs[1] === ins[0])) return false;
    v = ins[0]!;
  }
  return false;
}

const plans = new WeakMap<GraphLayer, Map<string, GraphPlan>>();

/**
 * The ops `pass` visits in `layer` and their rules; throws naming the op and the node when one
 * has no rule (`softmaxOut`: the name of a final Softmax/LogSoftmax computed as the identity).
 */
export function graphPlan(pass: Pass, layer: GraphLayer, softmaxOut: string | null = null): GraphPlan {
  const key = `${pass}:${softmaxOut ?? ''}`;
  const cached = plans.get(layer)?.get(key);
  if (cached) return cached;
  const data = dataValues(layer);
  const producer = new Map<string, number>();
  layer.nodes.forEach((n, k) => n.outputs.forEach((o) => o && producer.set(o, k)));
  const reached = new Set([layer.config().output.value]);
  const nodes = new Map<number, NodePlan>();
  for (let k = layer.nodes.length - 1; k >= 0; k--) {
    const n = layer.nodes[k]!;
    if (!n.outputs.some((o) => reached.has(o))) continue;
    const dataSlots = n.inputs.flatMap((i, s) => (i && data.has(i) ? [s] : []));
    if (dataSlots.length === 0) continue;
    if (n.name === softmaxOut) {
      nodes.set(k, { cls: 'shape', data: [0], recv: [0] });
      reached.add(n.inputs[0]!);
      continue;
    }
    const cls = classify(pass, layer, n, dataSlots);
    let recv = n.op === 'Gather' || n.op === 'Pad' || n.op === 'Reshape' || n.op === 'Slice' || n.op === 'Expand' || n.op === 'Tile' ? [0] : dataSlots;
    if (pass === 'LRP') {
      if (cls === 'elementwise') refuse(pass, layer, n, 'is not a monotone activation (no relevance rule)');
      if (cls === 'softmax')
        refuse(pass, layer, n, 'is on the relevance path (LRP explains a final Softmax\'s logits and treats attention weights as gates; a Softmax elsewhere has no relevance rule)');
      if (cls === 'product') {
        const ops = dataSlots.filter((s) => s < 2);
        if (n.op === 'Div') recv = [0];
        else {
          const gates = ops.filter((s) => isGate(layer, n.inputs[s]!, data, producer));
          if (gates.length !== 1)
            refuse(pass, layer, n, `multiplies two signals of which ${gates.length === 0 ? 'neither' : 'both'} is a gate (an output of Softmax, Sigmoid, HardSigmoid or Erf); LRP lets the value take the relevance of a gate × value product`);
          recv = dataSlots.filter((s) => s !== gates[0]);
        }
      }
    }
    nodes.set(k, { cls, data: dataSlots, recv });
    for (const s of recv) reached.add(n.inputs[s]!);
  }
  if (pass === 'LRP') fuseBiasAdds(layer, nodes, producer);
  for (const b of layer.inputBindings())
    if (b.source === 'cell' && reached.has(b.value))
      throw new RnnlensError(
        `${pass}: graph layer '${layer.name}' reads the final cell state of the LSTM before it (ONNX Y_c, value '${b.value}'); ${pass} has no rule into an LSTM's cell state`,
      );
  const plan = { nodes, data };
  if (!plans.has(layer)) plans.set(layer, new Map());
  plans.get(layer)!.set(key, plan);
  return plan;
}

/** Marks the MatMul/Conv + constant Add pairs that LRP treats as one affine map. */
function fuseBiasAdds(layer: GraphLayer, nodes: Map<number, NodePlan>, producer: Map<string, number>): void {
  const uses = new Map<string, number>();
  for (const n of layer.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  const out = layer.config().output.value;
  for (const [k, p] of nodes) {
    const n = layer.nodes[k]!;
    if (n.op !== 'Add' || p.data.length !== 1) continue;
    const x = n.inputs[p.data[0]!]!;
    const j = producer.get(x);
    const q = j === undefined ? undefined : nodes.get(j);
    const op = j === undefined ? '' : layer.nodes[j]!.op;
    if (!q || q.cls !== 'affine' || !['MatMul', 'Conv', 'ConvTranspose'].includes(op) || uses.get(x) !== 1 || x === out) continue;
    q.biasAdd = k;
    p.bias = true;
  }
}

/**
 * The Softmax/LogSoftmax node whose output is the layer output (through shape ops only), or
 * null: the passes explain that op's input (the logits) when the layer ends the model.
 */
export function finalSoftmax(layer: GraphLayer): string | null {
  const single = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity', 'Dropout']);
  let v = layer.config().output.value;
  for (let hops = 0; hops <= layer.nodes.length; hops++) {
    const n = layer.nodes.find((m) => m.outputs.includes(v));
    if (!n) return null;
    if (n.op === 'Softmax' || n.op === 'LogSoftmax') return n.name;
    if (!single.has(n.op)) return null;
    v = n.inputs[0]!;
  }
  return null;
}
