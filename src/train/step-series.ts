/**
 * The training series a run records for the curves view: the loss of every optimiser step
 * (minibatch), thinned evenly so a run never holds more than a bounded number of points, and the
 * per-epoch train and validation metrics, each point with its step, epoch and wall time.
 *
 * Thinning: a point is kept when its step is a multiple of the stride; when the kept points
 * exceed the bound the stride doubles and every point off the new stride is dropped. The kept
 * points are therefore always evenly spaced (every `stride`-th step), and there are at most
 * `maxPoints` of them however long training runs.
 */
import { ArgumentError } from '../core/errors.js';
import type { SeriesPoint } from '../runs/types.js';
import type { RunWriter } from '../runs/writer.js';
import type { EpochRecord, StepRecord } from './trainer.js';

/** Name of the per-step training loss series. */
export const STEP_LOSS = 'step_loss';
/** Default bound on the per-step points of one run. */
export const MAX_STEP_POINTS = 2000;

export class ThinnedSeries {
  private kept: SeriesPoint[] = [];
  private strideNow = 1;

  constructor(readonly maxPoints: number = MAX_STEP_POINTS) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new ArgumentError('ThinnedSeries', 'maxPoints', 'an integer >= 2', String(maxPoints));
  }

  /** Every how many steps a point is kept. */
  get stride(): number {
    return this.strideNow;
  }

  get points(): readonly SeriesPoint[] {
    return this.kept;
  }

  /** Offers one point; returns whether it was kept. */
  add(p: SeriesPoint): boolean {
    if (p.step % this.strideNow !== 0) return false;
    this.kept.push(p);
    while (this.kept.length > this.maxPoints) {
      this.strideNow *= 2;
      this.kept = this.kept.filter((q) => q.step % this.strideNow === 0);
    }
    return this.kept.length > 0 && this.kept[this.kept.length - 1] === p;
  }
}

export interface SeriesRecorderOptions {
  maxPoints?: number;
  /** Writes the per-step series to the store at most this often (ms) within an epoch; default 2000. */
  flushMs?: number;
  /** The clock (ms since 1970); tests pass their own. */
  now?: () => number;
}

/** Feeds a run writer's series from the trainer's step and epoch callbacks. */
export class SeriesRecorder {
  private readonly steps: ThinnedSeries;
  private readonly flushMs: number;
  private readonly now: () => number;
  private lastFlush = -Infinity;
  private dirty = false;
  private lastStep = 0;

  constructor(
    private readonly writer: RunWriter,
    options: SeriesRecorderOptions = {},
  ) {
    this.steps = new ThinnedSeries(options.maxPoints ?? MAX_STEP_POINTS);
    this.flushMs = options.flushMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  onStep(s: StepRecord): void {
    this.lastStep = s.step;
    const wall = this.now();
    // within an epoch the position is fractional: the first step of epoch 1 is at 1/batches
    const kept = this.steps.add({ name: STEP_LOSS, step: s.step, epoch: s.epoch - 1 + s.batch / s.batches, wall, value: s.loss });
    if (kept) this.dirty = true;
    if (this.dirty && wall - this.lastFlush >= this.flushMs) this.flush();
  }

  /** The epoch's train and validation metrics, at the epoch's last step; flushes the step series. */
  onEpochEnd(rec: EpochRecord): void {
    const wall = this.now();
    const points: SeriesPoint[] = [];
    const add = (prefix: string, m: Record<string, number>): void => {
      for (const [k, v] of Object.entries(m)) if (!Number.isNaN(v)) points.push({ name: `${prefix}${k}`, step: this.lastStep, epoch: rec.epoch, wall, value: v });
    };
    add('train_', rec.train);
    add('val_', rec.validation ?? {});
    this.writer.logSeries(points);
    this.flush();
  }

  /** Rewrites the thinned step series whole (at most `maxPoints` rows). */
  flush(): void {
    if (!this.dirty) return;
    this.writer.logSeries(this.steps.points, [STEP_LOSS]);
    this.dirty = false;
    this.lastFlush = this.now();
  }
}
