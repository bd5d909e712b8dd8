/**
 * Keras functional models → the chain of layers rnnlens runs.
 *
 * Each layer's inbound node is read in both config styles: TF.js / Keras 2
 * `[[name, nodeIndex, tensorIndex, kwargs], …]` (one entry per positional tensor; tensors passed
 * by keyword, e.g. MultiHeadAttention's `value`, sit in the kwargs as `[name, 0, 0]`) and Keras 3
 * `{args: [...], kwargs: {...}}` with `__keras_tensor__` entries naming their `keras_history`.
 *
 * The layers reachable from the output are ordered topologically; a layer every path from the
 * input to the output passes through is a cut. Between two consecutive cuts the layers form either
 * one ordinary layer (a chain step) or a segment: a small graph of attention, merge and
 * per-step layers (a residual `Add`, a `Concatenate` of two branches, self-attention reading the
 * same tensor as query, value and key) that becomes one rnnlens graph layer
 * (./layers-attention.ts). Segments read the output of the cut before them only.
 */
import { RnnlensError } from '../../core/errors.js';
import { ATTENTION_CLASSES, SEGMENT_CLASS, type SegmentMember } from './layers-attention.js';
import type { KerasLayerJson } from './read.js';

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(layer: string, what: string): never {
  throw new RnnlensError(`TF.js/Keras import: layer '${layer}': ${what}`);
}

/** Padding masks follow the sequences' lengths in rnnlens; the mask tensors Keras records are not inputs. */
const MASK_KEYWORDS = new Set(['mask', 'query_mask', 'value_mask', 'key_mask']);

const layerName = (l: KerasLayerJson): string => String(l.name ?? l.config.name);

/** A Keras 3 serialised tensor's layer name, else null. */
function k3Tensor(a: unknown): string | null {
  return isObj(a) && isObj(a.config) && Array.isArray(a.config.keras_history) ? String(a.config.keras_history[0]) : null;
}

/** A Keras 2 / TF.js tensor reference [name, nodeIndex, tensorIndex(, kwargs)], else null. */
function k2Tensor(a: unknown): string | null {
  return Array.isArray(a) && a.length >= 3 && typeof a[0] === 'string' && typeof a[1] === 'number' && typeof a[2] === 'number' ? a[0] : null;
}

/** The tensors a layer is called on: positional (in order) and by keyword, plus non-tensor keywords. */
export function inboundOf(l: KerasLayerJson): Omit<SegmentMember, 'layer' | 'name'> {
  const nodes = l.inbound_nodes ?? [];
  if (nodes.length > 1) fail(layerName(l), 'is called more than once (shared layers are not supported)');
  const out: Omit<SegmentMember, 'layer' | 'name'> = { positional: [], named: {}, flags: {} };
  const node = nodes[0];
  if (node === undefined) return out;
  const kwargs = (kw: unknown, tensor: (a: unknown) => string | null) => {
    if (!isObj(kw)) return;
    for (const [k, v] of Object.entries(kw)) {
      if (MASK_KEYWORDS.has(k)) continue;
      const t = tensor(v);
      if (t !== null) out.named[k] = t;
      else if (Array.isArray(v) && v.some((x) => tensor(x) !== null)) fail(layerName(l), `keyword argument '${k}' holds several tensors; not supported`);
      else out.flags[k] = v;
    }
  };
  if (Array.isArray(node)) {
    for (const e of node) {
      const t = k2Tensor(e);
      if (t === null) fail(layerName(l), `inbound node entry ${JSON.stringify(e).slice(0, 80)} is not [layer, node, tensor, kwargs]`);
      out.positional.push(t);
      kwargs((e as unknown[])[3], k2Tensor);
    }
    return out;
  }
  if (!isObj(node)) return out;
  const walk = (a: unknown): void => {
    const t = k3Tensor(a);
    if (t !== null) out.positional.push(t);
    else if (Array.isArray(a)) a.forEach(walk);
  };
  walk(node.args ?? []);
  kwargs(node.kwargs, k3Tensor);
  return out;
}

/** The layers of a functional model in data-flow order, branching regions folded into segments. */
export function functionalChain(list: KerasLayerJson[], outName: string): KerasLayerJson[] {
  const byName = new Map(list.map((l) => [layerName(l), l]));
  const inb = new Map<string, Omit<SegmentMember, 'layer' | 'name'>>();
  const ins = (n: string): string[] => {
    let r = inb.get(n);
    if (!r) {
      const l = byName.get(n);
      if (!l) throw new RnnlensError(`TF.js/Keras import: layer '${n}' is referenced but not defined`);
      if (l.class_name === 'Lambda') fail(n, 'Lambda layers hold Python code, which rnnlens cannot read; rebuild the model with built-in layers');
      r = inboundOf(l);
      inb.set(n, r);
    }
    return [...new Set([...r.positional, ...Object.values(r.named)])];
  };
  // topological order (depth first from the output; inputs before the layers reading them)
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string): void => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'open') throw new RnnlensError(`TF.js/Keras import: the functional graph has a cycle at '${n}'`);
    state.set(n, 'open');
    for (const i of ins(n)) visit(i);
    state.set(n, 'done');
    order.push(n);
  };
  visit(outName);
  const sources = order.filter((n) => ins(n).length === 0);
  if (sources.length > 1) throw new RnnlensError(`TF.js/Keras import: the model has ${sources.length} inputs (${sources.join(', ')}); rnnlens models have one`);
  const pos = new Map(order.map((n, i) => [n, i]));
  // a layer is a cut when no edge jumps over it
  const covered = new Array<boolean>(order.length).fill(false);
  for (const v of order) for (const u of ins(v)) for (let p = pos.get(u)! + 1; p < pos.get(v)!; p++) covered[p] = true;
  const chain: KerasLayerJson[] = [];
  let region: string[] = [];
  order.forEach((n, p) => {
    region.push(n);
    if (covered[p]) return;
    const first = byName.get(region[0]!)!;
    if (region.length === 1 && !ATTENTION_CLASSES.has(first.class_name)) {
      const r = inb.get(n)!;
      if (r.positional.length + Object.keys(r.named).length > 1) fail(n, `has ${r.positional.length} inputs; rnnlens models are a single chain of layers`);
      chain.push(first);
    } else {
      for (const m of region) {
        const r = inb.get(m)!;
        const k = r.positional.length + Object.keys(r.named).length;
        if (k > 1 && !ATTENTION_CLASSES.has(byName.get(m)!.class_name)) fail(m, `has ${k} inputs; rnnlens models are a single chain of layers (layers that read several tensors: ${[...ATTENTION_CLASSES].filter((c) => c !== 'Softmax').join(', ')})`);
      }
      const before = p - region.length >= 0 ? order[p - region.length]! : null;
      const inside = new Set(region);
      const members: SegmentMember[] = region.map((m) => {
        const r = inb.get(m)!;
        const map = (x: string) => (inside.has(x) ? x : x === before ? '' : fail(m, `reads '${x}' from outside its branch`));
        const named: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.named)) named[k] = map(v);
        return { layer: byName.get(m)!, name: m, positional: r.positional.map(map), named, flags: r.flags };
      });
      chain.push({ class_name: SEGMENT_CLASS, name: n, config: { name: n, members } });
    }
    region = [];
  });
  return chain;
}
