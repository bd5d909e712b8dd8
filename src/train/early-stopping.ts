/**
 * Early stopping on a validation metric. An epoch improves when the metric beats the best so far
 * by more than `minDelta` (min mode: m < best − minDelta; max mode: m > best + minDelta). After
 * `patience` epochs in a row without improvement `update` reports stop. A copy of the weights at
 * the best epoch is kept so they can be restored when training ends.
 */
import { ArgumentError, RnnlensError, checkInt, describe } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import type { FloatArray } from '../core/tensor.js';

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping; default 5. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
  /** 'min' for losses (default), 'max' for accuracy-like metrics. */
  mode?: 'min' | 'max';
}

export interface EarlyStoppingDecision {
  improved: boolean;
  stop: boolean;
}

export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  private bestValue: number | null = null;
  private bestAt = -1;
  private epochs = 0;
  private wait = 0;
  private bestWeights: Map<string, FloatArray> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    const { patience = 5, minDelta = 0, mode = 'min' } = options;
    checkInt('EarlyStopping', 'patience', patience, 0);
    if (!(minDelta >= 0) || !Number.isFinite(minDelta))
      throw new ArgumentError(
        'EarlyStopping',
        'minDelta',
        'a finite number >= 0',
        describe(minDelta),
      );
    if (mode !== 'min' && mode !== 'max')
      throw new ArgumentError('EarlyStopping', 'mode', "'min' or 'max'", describe(mode));
    this.patience = patience;
    this.minDelta = minDelta;
    this.mode = mode;
  }

  /** Best metric so far (null before the first update). */
  get best(): number | null {
    return this.bestValue;
  }

  /** 0-based epoch of the best metric (−1 before the first update). */
  get bestEpoch(): number {
    return this.bestAt;
  }

  /** Records one epoch's metric; on improvement copies the current weights of `params`. */
  update(metric: number, params: readonly Parameter[]): EarlyStoppingDecision {
    if (!Number.isFinite(metric))
      throw new ArgumentError(
        'EarlyStopping.update',
        'metric',
        'a finite number',
        describe(metric),
      );
    const epoch = this.epochs++;
    const b = this.bestValue;
    const improved =
      b === null || (this.mode === 'min' ? metric < b - this.minDelta : metric > b + this.minDelta);
    if (improved) {
      this.bestValue = metric;
      this.bestAt = epoch;
      this.wait = 0;
      this.snapshot(params);
    } else {
      this.wait++;
    }
    return { improved, stop: this.wait >= this.patience && !improved };
  }

  private snapshot(params: readonly Parameter[]): void {
    if (this.bestWeights === null) this.bestWeights = new Map();
    for (const p of params) {
      const kept = this.bestWeights.get(p.name);
      if (kept && kept.length === p.value.length) kept.set(p.value);
      else this.bestWeights.set(p.name, p.value.slice());
    }
  }

  /** Copies the best weights back into `params` (matched by name). */
  restore(params: readonly Parameter[]): void {
    if (this.bestWeights === null)
      throw new RnnlensError(
        'EarlyStopping.restore: no metric has been recorded yet, so there are no best weights',
      );
    for (const p of params) {
      const kept = this.bestWeights.get(p.name);
      if (!kept || kept.length !== p.value.length) {
        throw new ArgumentError(
          'EarlyStopping.restore',
          `params (${p.name})`,
          `a parameter seen at the best epoch with ${kept?.length ?? 0} values`,
          `${p.value.length} values`,
        );
      }
      p.value.set(kept);
    }
  }

  /** Counters and best weights as JSON (for checkpoints). */
  state(): {
    epoch: number;
    wait: number;
    best: number | null;
    bestEpoch: number;
    bestWeights: Record<string, number[]> | null;
  } {
    const weights =
      this.bestWeights === null
        ? null
        : Object.fromEntries([...this.bestWeights].map(([k, v]) => [k, Array.from(v)]));
    return {
      epoch: this.epochs,
      wait: this.wait,
      best: this.bestValue,
      bestEpoch: this.bestAt,
      bestWeights: weights,
    };
  }

  /** Restores `state()` output; weights take the dtype of the matching parameter. */
  loadState(s: ReturnType<EarlyStopping['state']>, params: readonly Parameter[]): void {
    checkInt('EarlyStopping.loadState', 'state.epoch', s?.epoch, 0);
    checkInt('EarlyStopping.loadState', 'state.wait', s.wait, 0);
    let weights: Map<string, FloatArray> | null = null;
    if (s.bestWeights) {
      weights = new Map();
      for (const p of params) {
        const w = s.bestWeights[p.name];
        if (!w || w.length !== p.value.length) {
          throw new ArgumentError(
            'EarlyStopping.loadState',
            `state.bestWeights.${p.name}`,
            `${p.value.length} values`,
            describe(w),
          );
        }
        const copy = p.value.slice();
        copy.set(w);
        weights.set(p.name, copy);
      }
    }
    this.epochs = s.epoch;
    this.wait = s.wait;
    this.bestValue = s.best;
    this.bestAt = s.bestEpoch;
    this.bestWeights = weights;
  }
}
