/**
 * Shape-level ONNX ops: on constants they are computed; on activations they move, insert or
 * remove axes; on recurrent outputs they pick or join directions. Constant, Shape,
 * ConstantOfShape, Expand, Cast, Identity, Dropout, Transpose, Reshape, Flatten, Squeeze,
 * Unsqueeze, Gather, Slice, Concat.
 */
import { concatConst, gatherConst, intsConst, normAxis, numbers, sliceConst, sliceRange, transposeConst } from './consts.js';
import { fail, type Lifter, type NodeHandler } from './lifter.js';
import type { OnnxNode, OnnxTensor } from './parse.js';
import { reshapeAxes, squeezeAxes, unsqueezeAxes } from './reshape.js';
import { axisSize, describeVal, isRole, type Axis, type ConstVal, type FlowVal, type RnnVal, type Role, type Val } from './values.js';

function attr<T>(node: OnnxNode, name: string, def: T): T extends number ? number : T extends string ? string : T {
  const a = node.attributes.get(name);
  return (a === undefined || a === null ? def : a) as never;
}

/** Axes given as input 1 (opset >= 13) or as the `axes` attribute. */
function axesArg(l: Lifter, node: OnnxNode, i: number): number[] | null {
  const c = l.constInput(node, i);
  if (c) return numbers(c, `node '${node.name}' axes`);
  const a = node.attributes.get('axes');
  return Array.isArray(a) ? (a as number[]) : null;
}

function isZeroConst(x: Val): boolean {
  return x.v === 'const' && Array.from(x.data as ArrayLike<number | Role>).every((v) => v === 0);
}

function shapeOf(x: Val, l: Lifter, node: OnnxNode): Array<number | Role> {
  if (x.v === 'const') return [...x.shape];
  if (x.v === 'zeros') return [...x.shape];
  const v = x.v === 'input' ? l.flow(x, node) : x;
  const parts = v.v === 'rnn' ? v.parts.length : 1;
  return v.axes.map((a) => axisSize(a, parts));
}

function act(x: FlowVal | RnnVal, axes: Axis[]): FlowVal | RnnVal {
  return { ...x, axes };
}

/** Activations or recurrent outputs (claims a data input). */
function live(l: Lifter, x: Val, node: OnnxNode): FlowVal | RnnVal {
  if (x.v === 'rnn' || x.v === 'flow') return x.v === 'flow' ? l.flow(x, node) : x;
  return l.flow(x, node);
}

const passThrough: NodeHandler = (l, node) => [l.need(node, 0)];

const constant: NodeHandler = (_l, node) => {
  const t = node.attributes.get('value');
  if (t && typeof t === 'object' && !Array.isArray(t)) {
    const o = t as OnnxTensor;
    return [{ v: 'const', float: o.float, shape: [...o.shape], data: o.float ? Float64Array.from(o.data) : Array.from(o.data) }];
  }
  const f = node.attributes.get('value_float');
  if (typeof f === 'number') return [{ v: 'const', float: true, shape: [], data: Float64Array.of(f) }];
  const i = node.attributes.get('value_int');
  if (typeof i === 'number') return [intsConst([i], true)];
  const fs = node.attributes.get('value_floats');
  if (Array.isArray(fs)) return [{ v: 'const', float: true, shape: [fs.length], data: Float64Array.from(fs as number[]) }];
  const is = node.attributes.get('value_ints');
  if (Array.isArray(is)) return [intsConst(is as number[])];
  fail(node, 'has no supported value attribute (value, value_float(s), value_int(s))');
};

const shape: NodeHandler = (l, node) => {
  const s = shapeOf(l.need(node, 0), l, node);
  const start = attr(node, 'start', 0);
  const end = attr(node, 'end', s.length);
  return [intsConst(sliceRange(s.length, start, end, 1).map((i) => s[i]!))];
};

const constantOfShape: NodeHandler = (l, node) => {
  const s = l.constInput(node, 0);
  if (!s) fail(node, 'needs a shape');
  const dims = Array.from(s.data as ArrayLike<number | Role>);
  const t = node.attributes.get('value') as OnnxTensor | undefined;
  const fill = t ? Number(t.data[0] ?? 0) : 0;
  if (fill === 0) return [{ v: 'zeros', shape: dims }];
  const n = numbers(s, `node '${node.name}' shape`);
  const count = n.reduce((a, b) => a * b, 1);
  if (count > 1 << 24) fail(node, `shape [${n.join(', ')}] is too large`);
  return [{ v: 'const', float: t?.float ?? true, shape: n, data: t?.float === false ? new Array<number>(count).fill(fill) : new Float64Array(count).fill(fill) }];
};

const expand: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const s = l.constInput(node, 1);
  if (!s) fail(node, 'needs a shape');
  if (x.v === 'zeros' || isZeroConst(x)) return [{ v: 'zeros', shape: Array.from(s.data as ArrayLike<number | Role>) }];
  fail(node, `expands ${describeVal(x)}; rnnlens supports Expand only for all-zero initial states`);
};

const cast: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  if (x.v !== 'const') return [x];
  const to = attr(node, 'to', 1);
  const float = to === 1 || to === 11 || to === 10;
  const vals = Array.from(x.data as ArrayLike<number | Role>);
  return [{ v: 'const', float, shape: x.shape, data: float ? Float64Array.from(numbers(x, `node '${node.name}'`)) : vals.map((v) => (isRole(v) ? v : Math.trunc(v))) }];
};

const transpose: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const rank = x.v === 'const' ? x.shape.length : x.v === 'zeros' ? x.shape.length : live(l, x, node).axes.length;
  const perm = attr<number[]>(node, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => p < 0 || p >= rank)) fail(node, `perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  if (x.v === 'const') return [transposeConst(x, perm)];
  if (x.v === 'zeros') return [{ v: 'zeros', shape: perm.map((p) => x.shape[p]!) }];
  const v = live(l, x, node);
  return [act(v, perm.map((p) => v.axes[p]!))];
};

const reshape: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const s = l.constInput(node, 1);
  if (!s) fail(node, 'needs a constant (or Shape-derived) target shape');
  const target = Array.from(s.data as ArrayLike<number | Role>);
  const allowZero = attr(node, 'allowzero', 0) === 1;
  if (x.v === 'const') {
    const t = numbers(s, `node '${node.name}' shape`).map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d));
    const known = t.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const total = x.shape.reduce((a, b) => a * b, 1);
    const dims = t.map((d) => (d === -1 ? total / known : d));
    if (dims.reduce((a, b) => a * b, 1) !== total || dims.some((d) => !Number.isInteger(d))) fail(node, `cannot reshape [${x.shape.join(', ')}] to [${t.join(', ')}]`);
    return [{ ...x, shape: dims }];
  }
  if (x.v === 'zeros') return [{ v: 'zeros', shape: target }];
  const v = live(l, x, node);
  return [act(v, reshapeAxes(v, target, allowZero, node))];
};

const flatten: NodeHandler = (l, node) => {
  const v = live(l, l.need(node, 0), node);
  const rank = v.axes.length;
  const axis = normAxis(attr(node, 'axis', 1), rank + 1, `node '${node.name}'`);
  const parts = v.v === 'rnn' ? v.parts.length : 1;
  const sizes = v.axes.map((a) => axisSize(a, parts));
  // [d0..d(axis-1)] → one dim, the rest → one dim; expressed as a reshape target.
  const prod = (xs: Array<number | Role>) => (xs.length === 1 ? xs[0]! : xs.every((d) => typeof d === 'number') ? (xs as number[]).reduce((a, b) => a * b, 1) : fail(node, 'flattens a batch or time axis together with others'));
  return [act(v, reshapeAxes(v, [prod(sizes.slice(0, axis)), prod(sizes.slice(axis))], true, node))];
};

const squeeze: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const axes = axesArg(l, node, 1);
  if (x.v === 'const' || x.v === 'zeros') {
    const rank = x.shape.length;
    const drop = new Set((axes ?? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + rank : a)));
    const shp = (x.shape as Array<number | Role>).filter((_, i) => !drop.has(i));
    return [x.v === 'const' ? { ...x, shape: shp as number[] } : { v: 'zeros', shape: shp }];
  }
  const v = live(l, x, node);
  return [act(v, squeezeAxes(v, axes, node))];
};

const unsqueeze: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const axes = axesArg(l, node, 1);
  if (!axes) fail(node, 'needs axes');
  if (x.v === 'const' || x.v === 'zeros') {
    const rank = x.shape.length + axes.length;
    const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const out: Array<number | Role> = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x.shape[j++]!);
    return [x.v === 'const' ? { ...x, shape: out as number[] } : { v: 'zeros', shape: out }];
  }
  const v = live(l, x, node);
  return [act(v, unsqueezeAxes(v.axes, axes))];
};

/** Picks steps/directions: returns the new value for index list `idx` on `axis` (keep = 1-D indices). */
function pick(l: Lifter, node: OnnxNode, x: Val, axis: number, idx: number[], keep: boolean): Val {
  if (x.v === 'input') {
    if (axis !== 0 || !keep || idx.some((v, k) => v !== idx[0]! + k)) fail(node, `picks from graph input '${x.info.name}' in a way rnnlens does not support`);
    const base = x.rows?.[0] ?? 0;
    return { v: 'input', info: x.info, rows: [base + idx[0]!, base + idx[0]! + idx.length] };
  }
  const v = live(l, x, node);
  const ax = normAxis(axis, v.axes.length, `node '${node.name}'`);
  const a = v.axes[ax]!;
  if (v.v === 'rnn' && a.k === 'dir') {
    const parts = idx.map((i) => v.parts[i < 0 ? i + v.parts.length : i] ?? fail(node, `direction index ${i} out of range`));
    return { ...v, parts, axes: keep ? v.axes : v.axes.filter((_, i) => i !== ax) };
  }
  const f = v.v === 'rnn' ? l.commit(v, node) : v;
  const fa = f.axes[ax]!;
  if (fa.k === 'one' && idx.length === 1 && (idx[0] === 0 || idx[0] === -1)) return keep ? f : { ...f, axes: f.axes.filter((_, i) => i !== ax) };
  if (fa.k !== 'bt' || fa.r.role !== 'T') fail(node, `picks from ${describeVal(f)} on axis ${axis}; rnnlens supports picking the last time step only`);
  const last = fa.r.size !== undefined ? fa.r.size - 1 : null;
  if (idx.length !== 1 || !(idx[0] === -1 || idx[0] === last)) fail(node, `picks steps [${idx.join(', ')}]; rnnlens supports picking the last time step only (index -1)`);
  l.atTip(f, node);
  const name = l.layerName(`${node.name}.last`);
  l.layers.push({ config: { kind: 'head', name, pool: 'last' }, weights: {} });
  // the head's output is [B, F]; the ONNX axes keep their order without the time axis
  return { v: 'flow', axes: keep ? f.axes.map((b, i) => (i === ax ? { k: 'one' as const } : b)) : f.axes.filter((_, i) => i !== ax), tip: l.layers.length };
}

const gather: NodeHandler = (l, node) => {
  const data = l.need(node, 0);
  const indices = l.need(node, 1);
  const axis = attr(node, 'axis', 0);
  if (indices.v === 'const') {
    const idx = numbers(indices, `node '${node.name}' indices`);
    if (data.v === 'const') return [gatherConst(data, idx, indices.shape, axis, `node '${node.name}'`)];
    if (data.v === 'zeros') {
      const ax = normAxis(axis, data.shape.length, `node '${node.name}'`);
      return [{ v: 'zeros', shape: [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)] }];
    }
    if (indices.shape.length > 1) fail(node, 'uses indices of rank > 1 on activations');
    return [pick(l, node, data, axis, idx, indices.shape.length === 1)];
  }
  // Embedding lookup: a constant table [V, E] indexed by token ids.
  if (data.v === 'const' && data.float && data.shape.length === 2 && normAxis(axis, 2, node.name) === 0) {
    const ids = l.flow(indices, node);
    if (!ids.tokens || ids.tip !== 0 || l.layers.length !== 0) fail(node, 'an embedding lookup must read the token-id input directly');
    const [V, E] = data.shape as [number, number];
    const name = l.layerName(node.name);
    l.layers.push({ config: { kind: 'embedding', name, vocabSize: V, dim: E }, weights: { embeddings: Float64Array.from(data.data as Float64Array) } });
    return [{ v: 'flow', axes: [...ids.axes, { k: 'f', n: E }], tip: 1 }];
  }
  fail(node, `gathers from ${describeVal(data)} with ${describeVal(indices)}; supported: constant indices, or an embedding table indexed by token ids`);
};

const slice: NodeHandler = (l, node) => {
  const x = l.need(node, 0);
  const arg = (i: number, name: string): number[] | null => {
    const c = l.constInput(node, i);
    if (c) return numbers(c, `node '${node.name}' ${name}`);
    const a = node.attributes.get(name);
    return Array.isArray(a) ? (a as number[]) : null;
  };
  const starts = arg(1, 'starts');
  const ends = arg(2, 'ends');
  if (!starts || !ends || starts.length !== ends.length) fail(node, 'needs constant starts and ends of equal length');
  const axes = arg(3, 'axes') ?? starts.map((_, i) => i);
  const steps = arg(4, 'steps') ?? starts.map(() => 1);
  if (x.v === 'const') return [sliceConst(x, starts, ends, axes, steps, `node '${node.name}'`)];
  if (x.v === 'zeros') {
    const shp = [...x.shape];
    axes.forEach((a, k) => {
      const ax = normAxis(a, shp.length, `node '${node.name}'`);
      const d = shp[ax]!;
      if (isRole(d)) {
        if (!(starts[k] === 0 && ends[k]! >= 2 ** 31 - 1 && steps[k] === 1)) fail(node, 'slices a runtime-sized axis of a zero tensor');
      } else shp[ax] = sliceRange(d, starts[k]!, ends[k]!, steps[k]!).length;
    });
    return [{ v: 'zeros', shape: shp }];
  }
  let cur: Val = x;
  axes.forEach((a, k) => {
    if (cur.v === 'input') {
      if (steps[k] !== 1) fail(node, 'slices a graph input with a step');
      const s = starts[k]!;
      const e = ends[k]!;
      if (s < 0 || e < s) fail(node, `slices rows [${s}, ${e}) of graph input '${cur.info.name}'; only explicit non-negative rows are supported`);
      cur = pick(l, node, cur, a, Array.from({ length: Math.min(e, 1 << 16) - s }, (_, i) => s + i), true);
      return;
    }
    const v = live(l, cur, node);
    const ax = normAxis(a, v.axes.length, `node '${node.name}'`);
    const size = axisSize(v.axes[ax]!, v.v === 'rnn' ? v.parts.length : 1);
    if (isRole(size)) {
      // a runtime-sized axis: only "the last step" (start -1 to the end) is supported
      if (!(starts[k] === -1 && ends[k]! >= 2 ** 31 - 1 && steps[k] === 1)) {
        if (starts[k] === 0 && ends[k]! >= 2 ** 31 - 1 && steps[k] === 1) return; // the whole axis
        fail(node, `slices [${starts[k]}:${ends[k]}:${steps[k]}] of a batch/time axis; supported: the whole axis or the last step [-1:]`);
      }
      cur = pick(l, node, v, ax, [-1], true);
      return;
    }
    const idx = sliceRange(size, starts[k]!, ends[k]!, steps[k]!);
    if (idx.length === size && idx.every((v2, i) => v2 === i)) return;
    cur = pick(l, node, v, ax, idx, true);
  });
  return [cur];
};

const concat: NodeHandler = (l, node) => {
  const xs = node.inputs.filter((n) => n).map((n) => l.value(n, node));
  if (xs.length === 0) fail(node, 'has no inputs');
  const axis = attr(node, 'axis', 0);
  if (xs.every((x) => x.v === 'const')) return [concatConst(xs as ConstVal[], axis, `node '${node.name}'`)];
  if (xs.every((x) => x.v === 'rnn')) {
    const rs = xs as RnnVal[];
    const ax = normAxis(axis, rs[0]!.axes.length, `node '${node.name}'`);
    const kind = rs[0]!.axes[ax]!.k;
    if (rs.some((r) => r.axes.length !== rs[0]!.axes.length || r.axes[ax]!.k !== kind || r.merge !== 'concat')) fail(node, 'concatenates recurrent outputs of different forms');
    const parts = rs.flatMap((r) => r.parts);
    if (kind === 'dir') return [{ ...rs[0]!, parts }];
    if (kind === 'h' && rs.every((r) => !r.axes.some((a) => a.k === 'dir'))) {
      const n = rs.reduce((s, r) => s + (r.axes[ax] as { n: number }).n, 0);
      return [{ ...rs[0]!, parts, axes: rs[0]!.axes.map((a, i) => (i === ax ? { k: 'h' as const, n } : a)) }];
    }
    fail(node, 'concatenates recurrent outputs along an axis other than directions or features');
  }
  if (xs.every((x) => x.v === 'zeros' || isZeroConst(x))) return [{ v: 'zeros', shape: [] }];
  fail(node, `concatenates ${xs.map(describeVal).join(' and ')}; rnnlens models are a chain (only shapes, states of one recurrent node, or its two directions can be joined)`);
};

export const SHAPE_OPS: Record<string, NodeHandler> = {
  Constant: constant,
  Shape: shape,
  ConstantOfShape: constantOfShape,
  Expand: expand,
  Cast: cast,
  Identity: passThrough,
  Dropout: passThrough,
  Transpose: transpose,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Gather: gather,
  Slice: slice,
  Concat: concat,
};
