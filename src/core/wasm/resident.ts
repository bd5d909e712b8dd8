/**
 * Forward passes kept resident in the wasm arena for their backward pass, so that backward does
 * not copy the forward's gates, states and input back in (they are still where the kernels wrote
 * them). The result's arrays are copied out lazily (lazy-tape.ts): on first read, or when the
 * region is released, unless the result's owner discarded it first.
 *
 * The kept regions form a stack in the arena, below its floor. A new forward pass for the same
 * weights (the same `W` array: the same layer direction in the next training step) releases that
 * layer's region and every region above it; so does exceeding KEEP_BYTES. A backward pass uses a
 * region only while it is kept and was made for exactly the `fwd` object, input and weight arrays
 * it receives (identity, checked); otherwise it falls back to copying from `fwd`. Weights are
 * always copied fresh (they are small), so in-place weight edits between the passes behave as on
 * the TS backend.
 */
import type {
  SequenceBackwardArgs,
  SequenceForwardArgs,
  SequenceForwardResult,
} from '../backend.js';
import type { FloatArray } from '../tensor.js';
import type { Arena } from './arena.js';
import type { LazyTape } from './lazy-tape.js';

/** Kept bytes above which the next forward pass releases every region first. */
export const KEEP_BYTES = 128 * 2 ** 20;

/** Where a resident forward pass left its buffers (byte offsets into the shared memory). */
export interface ResidentForward {
  id: number;
  pX: number;
  pG: number;
  pHs: number;
  pCs: number;
  pHn: number;
  pH0: number;
  pC0: number;
  /** The arrays the forward pass read, by identity. */
  x: FloatArray;
  W: FloatArray;
  U: FloatArray;
  h0: FloatArray | null;
  c0: FloatArray | null;
  mask: Uint8Array | null;
  /** The pass's shape: steps, batch, cell kind and GRU convention. */
  shape: string;
}

interface Region {
  id: number;
  key: FloatArray;
  start: number;
  tape: LazyTape | null;
}

export class ResidentStack {
  private regions: Region[] = [];
  private nextId = 1;
  private readonly byResult = new WeakMap<SequenceForwardResult, ResidentForward>();
  private readonly tapes = new WeakMap<SequenceForwardResult, LazyTape>();

  constructor(private readonly arena: Arena) {}

  /**
   * Called before a forward pass allocates: releases the region of the same weights and all
   * above it (or everything past the budget). Returns where the pass's region starts.
   */
  beginForward(W: FloatArray): number {
    const i = this.regions.findIndex((r) => r.key === W);
    if (i >= 0) this.releaseFrom(i);
    if (this.arena.floor > KEEP_BYTES) this.releaseFrom(0);
    return this.arena.floor;
  }

  /** Called before an outputs-only pass, which keeps nothing: releases regions only past the budget. */
  beginInference(): number {
    if (this.arena.floor > KEEP_BYTES) this.releaseFrom(0);
    return this.arena.floor;
  }

  /** Keeps everything allocated since `start` for the backward pass of `result`. */
  keep(
    start: number,
    result: SequenceForwardResult,
    at: Omit<ResidentForward, 'id'>,
    tape: LazyTape | null = null,
  ): void {
    const id = this.nextId++;
    this.regions.push({ id, key: at.W, start, tape });
    this.arena.setFloor(this.arena.used);
    this.byResult.set(result, { ...at, id });
    if (tape) this.tapes.set(result, tape);
  }

  /** The owner of `result` will not read it again (Backend.discardForward). */
  discard(result: SequenceForwardResult): void {
    this.tapes.get(result)?.discard();
  }

  /** The resident buffers of `a.fwd` when they are still kept and match `a`; else null. */
  lookup(a: SequenceBackwardArgs): ResidentForward | null {
    const r = this.byResult.get(a.fwd);
    if (!r || !this.regions.some((g) => g.id === r.id)) return null;
    const same =
      r.x === a.x &&
      r.W === a.W &&
      r.U === a.U &&
      r.h0 === (a.h0 ?? null) &&
      r.c0 === (a.c0 ?? null) &&
      r.mask === (a.mask ?? null) &&
      r.shape === shapeKey(a);
    return same ? r : null;
  }

  /** Releases every region (e.g. the backend is closing or memory is tight). */
  clear(): void {
    this.releaseFrom(0);
  }

  private releaseFrom(i: number): void {
    if (i >= this.regions.length) return;
    // copy out what a live result has not read yet, before the memory is reused
    for (let k = i; k < this.regions.length; k++) this.regions[k]!.tape?.materialize();
    this.arena.setFloor(this.regions[i]!.start);
    this.regions.length = i;
  }
}

/** The identity-checked arrays of a forward call, as `keep` records them. */
export function forwardInputs(
  a: SequenceForwardArgs,
): Pick<ResidentForward, 'x' | 'W' | 'U' | 'h0' | 'c0' | 'mask' | 'shape'> {
  return { x: a.x, W: a.W, U: a.U, h0: a.h0 ?? null, c0: a.c0 ?? null, mask: a.mask ?? null, shape: shapeKey(a) };
}

function shapeKey(a: SequenceForwardArgs): string {
  return `${a.steps}×${a.batch} ${a.cell.kind}${a.cell.resetAfter === false ? ' reset-before' : ''}`;
}
