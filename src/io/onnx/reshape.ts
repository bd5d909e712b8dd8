/**
 * Reshape/Flatten/Squeeze on activations: which input axes a target shape merges. Batch and time
 * axes may only stay whole; the one merge that changes meaning is [directions, hidden] → features
 * (torch's `output.view(T, B, 2H)` of a bidirectional node, i.e. concatenating both directions).
 */
import type { OnnxNode } from './parse.js';
import { fail } from './lifter.js';
import { axisSize, isRole, type Axis, type FlowVal, type RnnVal, type Role } from './values.js';

type Entry = number | Role | { copy: number };

function sizeOfAxis(a: Axis, parts: number): number | Role {
  return axisSize(a, parts);
}

function isOne(a: Axis, parts: number): boolean {
  return a.k === 'one' || (a.k === 'dir' && parts === 1);
}

/** Groups of input axis indices, one per target entry (matched from the left). */
function matchLeft(entries: Entry[], axes: Axis[], parts: number, node: OnnxNode): number[][] {
  const groups: number[][] = [];
  let i = 0;
  for (const e of entries) {
    const g: number[] = [];
    if (typeof e === 'object' && 'copy' in e) {
      while (i < axes.length && i < e.copy) g.push(i++); // merges only size-1 axes before it
      g.push(i++);
    } else if (e === 1) {
      while (i < axes.length && isOne(axes[i]!, parts)) g.push(i++);
    } else {
      let prod = 1;
      while (i < axes.length && isOne(axes[i]!, parts)) g.push(i++);
      while (i < axes.length) {
        const s = sizeOfAxis(axes[i]!, parts);
        if (isRole(s) || isRole(e)) {
          if (prod !== 1 || (isRole(e) ? s !== e && (!isRole(s) || s.id !== e.id) && !(typeof s === 'number' && e.size === s) : true)) {
            fail(node, 'reshape merges or splits a batch or time axis; rnnlens keeps batch and time axes whole');
          }
          g.push(i++);
          prod = -1;
          break;
        }
        prod *= s;
        g.push(i++);
        if (prod >= (e as number)) break;
      }
      if (prod !== -1 && prod !== e) fail(node, `reshape target ${isRole(e) ? 'size' : e} does not match whole input axes`);
    }
    groups.push(g);
  }
  return groups.map((g, k) => (k === groups.length - 1 ? [...g, ...range(i, axes.length).filter((j) => isOne(axes[j]!, parts))] : g));
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

/** Axes after merging `groups` of `x`'s axes. */
function merged(x: FlowVal | RnnVal, groups: number[][], node: OnnxNode): Axis[] {
  const parts = x.v === 'rnn' ? x.parts.length : 1;
  return groups.map((g) => {
    const real = g.filter((i) => !isOne(x.axes[i]!, parts));
    if (real.length === 0) {
      // a dir axis of one part disappears into the group; keep it visible when alone
      const dir = g.find((i) => x.axes[i]!.k === 'dir');
      return dir !== undefined ? x.axes[dir]! : { k: 'one' as const };
    }
    if (real.length === 1) {
      const dirOne = g.find((i) => x.axes[i]!.k === 'dir');
      const a = x.axes[real[0]!]!;
      if (dirOne !== undefined && a.k === 'h' && x.v === 'rnn') return a; // [1 dir, H] → H
      return a;
    }
    const [a, b] = real.map((i) => x.axes[i]!);
    if (real.length === 2 && a!.k === 'dir' && b!.k === 'h' && x.v === 'rnn' && x.merge === 'concat') return { k: 'h' as const, n: b!.n * x.parts.length };
    fail(node, `reshape merges axes that rnnlens cannot merge (${real.map((i) => x.axes[i]!.k).join(' with ')})`);
  });
}

/** Reshape `x` to `target` (ONNX semantics: 0 copies the input dim, -1 is inferred). */
export function reshapeAxes(x: FlowVal | RnnVal, target: Array<number | Role>, allowZero: boolean, node: OnnxNode): Axis[] {
  const parts = x.v === 'rnn' ? x.parts.length : 1;
  const entries: Entry[] = target.map((e, j) => (e === 0 && !allowZero ? { copy: j } : e));
  const inferAt = entries.findIndex((e) => e === -1);
  let groups: number[][];
  if (inferAt < 0) {
    groups = matchLeft(entries, x.axes, parts, node);
    const used = groups.flat().length;
    if (used !== x.axes.length) fail(node, `reshape to [${target.map(String).join(', ')}] leaves input axes unmatched`);
  } else {
    const left = matchLeft(entries.slice(0, inferAt), x.axes, parts, node).map((g, k, all) => (k === all.length - 1 ? g.filter((i) => !isOne(x.axes[i]!, parts) || i <= Math.max(...g.filter((j) => !isOne(x.axes[j]!, parts)), -1)) : g));
    const usedLeft = left.flat().length === 0 ? 0 : Math.max(...left.flat()) + 1;
    const rightEntries = entries.slice(inferAt + 1).reverse().map((e) => (typeof e === 'object' && 'copy' in e ? fail(node, 'reshape copies a dimension (0) after -1') : e));
    const revAxes = x.axes.slice(usedLeft).reverse();
    const rightRev = matchLeft(rightEntries, revAxes, parts, node).map((g) => g.map((i) => x.axes.length - 1 - i));
    const usedRight = rightRev.flat();
    const start = usedLeft;
    const end = usedRight.length ? Math.min(...usedRight) : x.axes.length;
    groups = [...left, range(start, end), ...rightRev.reverse()];
  }
  return merged(x, groups, node);
}

/** Removes the given axes (each must be size 1). */
export function squeezeAxes(x: FlowVal | RnnVal, axes: number[] | null, node: OnnxNode): Axis[] {
  const parts = x.v === 'rnn' ? x.parts.length : 1;
  const rank = x.axes.length;
  const drop = new Set((axes ?? range(0, rank).filter((i) => isOne(x.axes[i]!, parts))).map((a) => (a < 0 ? a + rank : a)));
  for (const a of drop) {
    const ax = x.axes[a];
    if (!ax || !(isOne(ax, parts) || (ax.k === 'bt' && ax.r.size === 1))) fail(node, `squeezes axis ${a}, which is not known to have size 1`);
  }
  return x.axes.filter((_, i) => !drop.has(i));
}

export function unsqueezeAxes(axes: Axis[], insert: number[]): Axis[] {
  const rank = axes.length + insert.length;
  const at = new Set(insert.map((a) => (a < 0 ? a + rank : a)));
  const out: Axis[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? { k: 'one' } : axes[j++]!);
  return out;
}
