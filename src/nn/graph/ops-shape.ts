/**
 * Shape and indexing graph ops. Most are an index map (every output element copies one input
 * element, or a fill value), so their backward is the matching scatter-add; Shape, Size, Range,
 * ConstantOfShape, NonZero and casts to integers make integer tensors (no gradient).
 * Squeeze/Unsqueeze/Split/Reduce-style axes come from attributes before opset 13 and inputs from
 * opset 13; Slice reads inputs from opset 10; Pad reads its pads from an input from opset 11.
 */
import { checkSize, gatherFlat, ints, nd, normAxis, numel, scatterAdd, strides, transposeIndex, broadcastShapes, broadcastIndex, type Nd } from './nd.js';
import { attrInts, attrNum, attrStr, need, opError, type GNode, type OpEnv, type OpRule } from './rule.js';

interface MapOut {
  shape: number[];
  map: Int32Array;
  fill?: number;
}

/** A rule whose output copies elements of input 0 through an index map. */
function mapRule(compute: (x: Nd, ins: Array<Nd | null>, node: GNode, env: OpEnv) => MapOut): OpRule {
  return {
    forward(ins, node, env) {
      const x = need(node, ins, 0);
      const m = compute(x, ins, node, env);
      return { outs: [gatherFlat(x, m.map, m.shape, m.fill ?? 0)], saved: m };
    },
    backward(g, ins, f) {
      const m = f.saved as MapOut;
      return ins.map((x, i) => (i === 0 && x && !x.int ? scatterAdd(g[0]!, m.map, x.shape) : null));
    },
  };
}

function identityMap(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

const reshapeTo = (shape: number[], x: Nd): MapOut => ({ shape, map: identityMap(numel(x.shape)) });

function reshapeShape(node: GNode, x: Nd, target: number[], allowzero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowzero ? x.shape[i] ?? opError(node, `shape entry 0 at axis ${i} has no input axis to copy`) : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const minus = out.filter((d) => d === -1).length;
  const n = numel(x.shape);
  if (minus > 1) opError(node, `shape [${target.join(', ')}] has more than one -1`);
  if (minus === 1) {
    if (known === 0 || n % known !== 0) opError(node, `cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}]`);
    out[out.indexOf(-1)] = n / known;
  }
  if (numel(out) !== n) opError(node, `cannot reshape [${x.shape.join(', ')}] (${n} values) to [${target.join(', ')}]`);
  return out;
}

/** Axes from attribute `axes` (before opset `inputFrom`) or from input 1. */
export function axesOf(node: GNode, ins: Array<Nd | null>, env: OpEnv, inputFrom: number, inputIndex = 1): number[] | undefined {
  if (env.opset >= inputFrom) return ins[inputIndex] ? ints(ins[inputIndex]) : undefined;
  return attrInts(node, 'axes');
}

const reshape = mapRule((x, ins, node) => reshapeTo(reshapeShape(node, x, ints(need(node, ins, 1)), attrNum(node, 'allowzero', 0) === 1), x));

const flatten = mapRule((x, _ins, node) => {
  const r = x.shape.length;
  const a = attrNum(node, 'axis', 1);
  const axis = a < 0 ? a + r : a;
  if (axis < 0 || axis > r) opError(node, `axis ${a} out of range for rank ${r}`);
  return reshapeTo([numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))], x);
});

const squeeze = mapRule((x, ins, node, env) => {
  const axes = axesOf(node, ins, env, 13);
  const r = x.shape.length;
  const drop = new Set(axes ? axes.map((a) => normAxis(a, r, `graph op '${node.name}' (Squeeze)`)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) opError(node, `axis ${a} has size ${x.shape[a]}, not 1`);
  return reshapeTo(x.shape.filter((_, i) => !drop.has(i)), x);
});

const unsqueeze = mapRule((x, ins, node, env) => {
  const axes = axesOf(node, ins, env, 13);
  if (!axes) opError(node, 'needs axes');
  const r = x.shape.length + axes.length;
  const add = new Set(axes.map((a) => normAxis(a, r, `graph op '${node.name}' (Unsqueeze)`)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) out.push(add.has(i) ? 1 : x.shape[k++]!);
  return reshapeTo(out, x);
});

const transpose = mapRule((x, _ins, node) => {
  const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  if (perm.length !== x.shape.length || new Set(perm).size !== perm.length) opError(node, `perm [${perm.join(', ')}] does not permute ${x.shape.length} axes`);
  return transposeIndex(x.shape, perm);
});

const identity = mapRule((x) => reshapeTo([...x.shape], x));

/** Dropout at inference: the identity (and an all-true mask when asked). */
const dropout: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const outs: Nd[] = [{ shape: [...x.shape], data: Float64Array.from(x.data), int: x.int }];
    if (node.outputs.length > 1 && node.outputs[1]) outs.push(nd(x.shape, new Float64Array(x.data.length).fill(1), true));
    return { outs };
  },
  backward: (g, ins) => ins.map((x, i) => (i === 0 ? g[0] ?? null : null)),
};

function sliceMap(x: Nd, starts: number[], ends: number[], axes: number[], steps: number[], node: GNode): MapOut {
  const r = x.shape.length;
  const st = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const count = [...x.shape];
  axes.forEach((a0, k) => {
    const a = normAxis(a0, r, `graph op '${node.name}' (Slice)`);
    const d = x.shape[a]!;
    const s = steps[k] ?? 1;
    if (s === 0) opError(node, 'a step of 0');
    let b = starts[k]!;
    let e = ends[k]!;
    if (b < 0) b += d;
    if (e < 0) e += d;
    if (s > 0) {
      b = Math.min(Math.max(b, 0), d);
      e = Math.min(Math.max(e, 0), d);
      count[a] = Math.max(0, Math.ceil((e - b) / s));
    } else {
      b = Math.min(Math.max(b, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      count[a] = Math.max(0, Math.ceil((b - e) / -s));
    }
    st[a] = b;
    step[a] = s;
  });
  const inStr = strides(x.shape);
  const n = checkSize(count);
  const map = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let a = 0; a < r; a++) src += (st[a]! + idx[a]! * step[a]!) * inStr[a]!;
    map[i] = src;
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a]! < count[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape: count, map };
}

const slice = mapRule((x, ins, node, env) => {
  if (env.opset < 10) {
    const starts = attrInts(node, 'starts') ?? [];
    return sliceMap(x, starts, attrInts(node, 'ends') ?? [], attrInts(node, 'axes') ?? starts.map((_, i) => i), [], node);
  }
  const starts = ints(need(node, ins, 1));
  const ends = ints(need(node, ins, 2));
  const axes = ins[3] ? ints(ins[3]) : starts.map((_, i) => i);
  const steps = ins[4] ? ints(ins[4]) : [];
  // int64 extremes (INT64_MAX for "to the end") arrive as huge floats; clamping handles them
  return sliceMap(x, starts, ends, axes, steps, node);
});

const gather = mapRule((x, ins, node) => {
  const idx = need(node, ins, 1);
  const r = x.shape.length;
  const axis = normAxis(attrNum(node, 'axis', 0), r, `graph op '${node.name}' (Gather)`);
  const d = x.shape[axis]!;
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const k = idx.data.length;
  const map = new Int32Array(checkSize([outer, k, inner]));
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < k; j++) {
      let v = Math.trunc(idx.data[j]!);
      if (v < 0) v += d;
      if (v < 0 || v >= d) opError(node, `index ${idx.data[j]} out of range for axis ${axis} of size ${d}`);
      for (let i = 0; i < inner; i++) map[(o * k + j) * inner + i] = (o * d + v) * inner + i;
    }
  return { shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], map };
});

const tile = mapRule((x, ins, node) => {
  const reps = ints(need(node, ins, 1));
  if (reps.length !== x.shape.length) opError(node, `repeats [${reps.join(', ')}] for rank ${x.shape.length}`);
  const shape = x.shape.map((d, i) => d * reps[i]!);
  const inStr = strides(x.shape);
  const n = checkSize(shape);
  const map = new Int32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let a = 0; a < shape.length; a++) src += (idx[a]! % x.shape[a]!) * inStr[a]!;
    map[i] = src;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape, map };
});

const expand = mapRule((x, ins, node) => {
  const shape = broadcastShapes([x.shape, ints(need(node, ins, 1))], `graph op '${node.name}' (Expand)`);
  return { shape, map: broadcastIndex(x.shape, shape) };
});

const pad = mapRule((x, ins, node, env) => {
  const r = x.shape.length;
  let pads = env.opset < 11 ? attrInts(node, 'pads') ?? [] : ints(need(node, ins, 1));
  const fill = env.opset < 11 ? attrNum(node, 'value', 0) : ins[2] ? ins[2].data[0]! : 0;
  const mode = attrStr(node, 'mode', 'constant');
  if (env.opset >= 18 && ins[3]) {
    const axes = ints(ins[3]).map((a) => normAxis(a, r, `graph op '${node.name}' (Pad)`));
    const full = new Array<number>(2 * r).fill(0);
    axes.forEach((a, k) => {
      full[a] = pads[k]!;
      full[a + r] = pads[k + axes.length]!;
    });
    pads = full;
  }
  if (pads.length !== 2 * r) opError(node, `pads [${pads.join(', ')}] for rank ${r} (expected ${2 * r} values)`);
  const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
  if (shape.some((d) => d < 0)) opError(node, `pads [${pads.join(', ')}] remove more than the input [${x.shape.join(', ')}]`);
  const inStr = strides(x.shape);
  const n = checkSize(shape);
  const map = new Int32Array(n);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let a = 0; a < r; a++) {
      let c = idx[a]! - pads[a]!;
      const d = x.shape[a]!;
      if (c < 0 || c >= d) {
        if (mode === 'constant') {
          src = -1;
          break;
        }
        if (mode === 'edge') c = c < 0 ? 0 : d - 1;
        else if (mode === 'reflect') {
          if (d === 1) c = 0;
          else {
            const p = 2 * (d - 1);
            c = ((c % p) + p) % p;
            if (c >= d) c = p - c;
          }
        } else opError(node, `mode '${mode}' (supported: constant, reflect, edge)`);
      }
      src += c * inStr[a]!;
    }
    map[i] = src;
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape, map, fill };
});

const concat: OpRule = {
  forward(ins, node) {
    const xs = ins.filter((x): x is Nd => x !== null);
    if (xs.length === 0) opError(node, 'no inputs');
    const r = xs[0]!.shape.length;
    const axis = normAxis(attrNum(node, 'axis', 0), r, `graph op '${node.name}' (Concat)`);
    for (const x of xs)
      if (x.shape.length !== r || x.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i])) opError(node, `inputs of shapes ${xs.map((y) => `[${y.shape.join(', ')}]`).join(', ')} do not concatenate on axis ${axis}`);
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    const outer = numel(shape.slice(0, axis));
    const out = new Float64Array(checkSize(shape));
    const rowOut = numel(shape.slice(axis));
    let off = 0;
    for (const x of xs) {
      const row = numel(x.shape.slice(axis));
      for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + off);
      off += row;
    }
    return { outs: [{ shape, data: out, int: xs.every((x) => x.int) }], saved: { axis, xs } };
  },
  backward(g, ins, f) {
    const { axis } = f.saved as { axis: number };
    const gy = g[0]!;
    const outer = numel(gy.shape.slice(0, axis));
    const rowOut = numel(gy.shape.slice(axis));
    let off = 0;
    return ins.map((x) => {
      if (!x) return null;
      const row = numel(x.shape.slice(axis));
      const d = new Float64Array(numel(x.shape));
      for (let o = 0; o < outer; o++) d.set(gy.data.subarray(o * rowOut + off, o * rowOut + off + row), o * row);
      off += row;
      return x.int ? null : { shape: [...x.shape], data: d, int: false };
    });
  },
};

const split: OpRule = {
  forward(ins, node, env) {
    const x = need(node, ins, 0);
    const r = x.shape.length;
    const axis = normAxis(attrNum(node, 'axis', 0), r, `graph op '${node.name}' (Split)`);
    const d = x.shape[axis]!;
    const k = node.outputs.length;
    let sizes = env.opset >= 13 ? (ins[1] ? ints(ins[1]) : undefined) : attrInts(node, 'split');
    if (!sizes) {
      const each = Math.ceil(d / k);
      sizes = Array.from({ length: k }, (_, i) => Math.max(0, Math.min(each, d - i * each)));
    }
    if (sizes.length !== k || sizes.reduce((a, b) => a + b, 0) !== d) opError(node, `split sizes [${sizes.join(', ')}] for axis ${axis} of size ${d} into ${k} outputs`);
    const outer = numel(x.shape.slice(0, axis));
    const inner = numel(x.shape.slice(axis + 1));
    let off = 0;
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      const data = new Float64Array(outer * s * inner);
      for (let o = 0; o < outer; o++) data.set(x.data.subarray((o * d + off) * inner, (o * d + off + s) * inner), o * s * inner);
      off += s;
      return { shape, data, int: x.int };
    });
    return { outs, saved: { axis, sizes } };
  },
  backward(g, ins, f) {
    const x = ins[0]!;
    const { axis, sizes } = f.saved as { axis: number; sizes: number[] };
    const d = x.shape[axis]!;
    const outer = numel(x.shape.slice(0, axis));
    const inner = numel(x.shape.slice(axis + 1));
    const out = new Float64Array(x.data.length);
    let off = 0;
    sizes.forEach((s, k) => {
      const gk = g[k];
      if (gk) for (let o = 0; o < outer; o++) out.set(gk.data.subarray(o * s * inner, (o + 1) * s * inner), (o * d + off) * inner);
      off += s;
    });
    return [{ shape: [...x.shape], data: out, int: false }, null];
  },
};

const noGrad = (ins: Array<Nd | null>) => ins.map(() => null);

const shape: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const r = x.shape.length;
    let s = attrNum(node, 'start', 0);
    let e = attrNum(node, 'end', r);
    if (s < 0) s += r;
    if (e < 0) e += r;
    const dims = x.shape.slice(Math.max(0, s), Math.min(r, e));
    return { outs: [nd([dims.length], dims, true)] };
  },
  backward: (_g, ins) => noGrad(ins),
};

const size: OpRule = {
  forward: (ins, node) => ({ outs: [nd([], [numel(need(node, ins, 0).shape)], true)] }),
  backward: (_g, ins) => noGrad(ins),
};

export function tensorAttr(node: GNode, name: string): Nd | null {
  const a = node.attrs[name];
  if (a === undefined) return null;
  if (typeof a === 'object' && !Array.isArray(a)) return nd(a.shape, a.data, a.int);
  opError(node, `attribute ${name} must be a tensor`);
}

const constant: OpRule = {
  forward(_ins, node) {
    const t = tensorAttr(node, 'value');
    if (t) return { outs: [t] };
    const a = node.attrs;
    if (typeof a.value_float === 'number') return { outs: [nd([], [a.value_float])] };
    if (typeof a.value_int === 'number') return { outs: [nd([], [a.value_int], true)] };
    if (Array.isArray(a.value_floats)) return { outs: [nd([a.value_floats.length], a.value_floats as number[])] };
    if (Array.isArray(a.value_ints)) return { outs: [nd([a.value_ints.length], a.value_ints as number[], true)] };
    opError(node, 'no supported value attribute (value, value_float(s), value_int(s))');
  },
  backward: () => [],
};

const constantOfShape: OpRule = {
  forward(ins, node) {
    const dims = ints(need(node, ins, 0));
    const t = tensorAttr(node, 'value');
    const v = t ? t.data[0]! : 0;
    return { outs: [nd(dims, new Float64Array(numel(dims)).fill(v), t ? t.int : false)] };
  },
  backward: (_g, ins) => noGrad(ins),
};

const range: OpRule = {
  forward(ins, node) {
    const s = need(node, ins, 0);
    const lim = need(node, ins, 1).data[0]!;
    const dt = need(node, ins, 2).data[0]!;
    const st = s.data[0]!;
    if (dt === 0) opError(node, 'delta 0');
    const n = checkSize([Math.max(0, Math.ceil((lim - st) / dt))]);
    return { outs: [nd([n], Array.from({ length: n }, (_, i) => st + i * dt), s.int)] };
  },
  backward: (_g, ins) => noGrad(ins),
};

/** ONNX float element types; every other target type is integral or boolean here. */
const FLOAT_TYPES = new Set([1, 10, 11, 16]);

const cast: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const to = attrNum(node, 'to', 1);
    if (FLOAT_TYPES.has(to)) return { outs: [{ shape: [...x.shape], data: to === 1 ? Float64Array.from(Float32Array.from(x.data)) : Float64Array.from(x.data), int: false }] };
    const data = to === 9 ? Float64Array.from(x.data, (v) => (v ? 1 : 0)) : Float64Array.from(x.data, Math.trunc);
    return { outs: [{ shape: [...x.shape], data, int: true }] };
  },
  backward(g, ins, f, node) {
    const x = ins[0]!;
    return [!x.int && FLOAT_TYPES.has(attrNum(node, 'to', 1)) ? g[0]! : null];
  },
};

const nonZero: OpRule = {
  forward(ins, node) {
    const x = need(node, ins, 0);
    const r = x.shape.length;
    const str = strides(x.shape);
    const hits: number[] = [];
    for (let i = 0; i < x.data.length; i++) if (x.data[i]) hits.push(i);
    const out = new Float64Array(r * hits.length);
    hits.forEach((h, j) => {
      let rem = h;
      for (let a = 0; a < r; a++) {
        out[a * hits.length + j] = Math.floor(rem / str[a]!);
        rem %= str[a]!;
      }
    });
    return { outs: [{ shape: [r, hits.length], data: out, int: true }] };
  },
  backward: (_g, ins) => noGrad(ins),
};

export const SHAPE_OPS: Record<string, OpRule> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Identity: identity,
  Dropout: dropout,
  Slice: slice,
  Gather: gather,
  Tile: tile,
  Expand: expand,
  Pad: pad,
  Concat: concat,
  Split: split,
  Shape: shape,
  Size: size,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
  Cast: cast,
  NonZero: nonZero,
};
