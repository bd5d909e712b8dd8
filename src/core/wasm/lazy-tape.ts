/**
 * The arrays of a resident forward pass (resident.ts), copied out of the arena only when read.
 * Most forward passes with a tape are read by nothing but their own backward pass, which uses
 * the arena copy; copying gates, states and outputs out anyway cost as much as the gate
 * arithmetic (SmoothGrad, integrated gradients, training). A field is copied out on first read,
 * or, for every field not yet read, just before its region of the arena is reused, so a result
 * stays a self-contained value unless its owner discarded it (Backend.discardForward).
 */
import type { SequenceForwardResult } from '../backend.js';
import { RnnlensError } from '../errors.js';

export type TapeField = 'out' | 'hs' | 'cs' | 'gates' | 'hn' | 'preact';

/** How to copy each lazy field out of the arena. */
export type TapeLoaders = Partial<Record<TapeField, () => Float32Array>>;

export class LazyTape {
  private state: 'resident' | 'host' | 'discarded' = 'resident';
  private readonly names: TapeField[];

  constructor(
    private readonly result: SequenceForwardResult,
    loaders: TapeLoaders,
  ) {
    this.names = Object.keys(loaders) as TapeField[];
    for (const name of this.names) {
      const load = loaders[name]!;
      let value: Float32Array | null = null;
      Object.defineProperty(result, name, {
        configurable: true,
        enumerable: true,
        get: (): Float32Array => {
          if (value) return value;
          if (this.state === 'discarded')
            throw new RnnlensError(
              `wasm backend: '${name}' of a forward pass was read after its owner discarded it`,
            );
          value = load();
          return value;
        },
        set: (v: Float32Array): void => {
          value = v;
        },
      });
    }
  }

  /** Copies every field not read yet out of the arena (its region is about to be reused). */
  materialize(): void {
    if (this.state !== 'resident') return;
    for (const name of this.names) void this.result[name];
    this.state = 'host';
  }

  /** The owner will not read the result again: its region may be reused without a copy. */
  discard(): void {
    if (this.state === 'resident') this.state = 'discarded';
  }
}
