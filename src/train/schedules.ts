/**
 * Learning-rate schedules, stepped once per epoch, giving PyTorch's lr sequences:
 *   step         η_e = η₀·γ^⌊e / stepSize⌋                                   (StepLR)
 *   exponential  η_e = η₀·γ^e                                                  (ExponentialLR)
 *   cosine       η_e = η_min + (η₀ − η_min)·(1 + cos(π·e / T_max)) / 2         (CosineAnnealingLR)
 *                with warmup w: η_e = η₀·(s + (1 − s)·e / w) for e < w, then the cosine of e − w
 *                (LinearLR(start_factor s, total_iters w) → CosineAnnealingLR through SequentialLR)
 *   plateau      multiply η by `factor` when the metric stopped improving   (ReduceLROnPlateau)
 * A schedule drives a target with a settable `lr` (an Optimizer): the initial lr is read from it
 * at construction and every `step()` writes the new lr back. Closed forms make resuming exact:
 * the state is the epoch count (and, for plateau, its counters).
 */
import { z } from 'zod';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';

/** Anything with a settable learning rate, such as an Optimizer. */
export interface LrTarget {
  lr: number;
}

export interface ScheduleState {
  type: string;
  epoch: number;
  baseLr: number;
  lr: number;
  /** plateau only; `best` is null while no metric has been seen (±∞ in PyTorch). */
  best?: number | null;
  numBadEpochs?: number;
  cooldownCounter?: number;
}

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

export const scheduleConfigSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('step'),
      stepSize: z.number().int().positive(),
      gamma: positive.default(0.1),
    })
    .strict(),
  z.object({ type: z.literal('exponential'), gamma: positive }).strict(),
  z
    .object({
      type: z.literal('cosine'),
      tMax: z.number().int().positive(),
      etaMin: nonNegative.default(0),
      warmupEpochs: z.number().int().nonnegative().default(0),
      warmupStartFactor: z
        .number()
        .gt(0)
        .max(1)
        .default(1 / 3),
    })
    .strict(),
  z
    .object({
      type: z.literal('plateau'),
      mode: z.enum(['min', 'max']).default('min'),
      factor: z.number().gt(0).lt(1).default(0.1),
      patience: z.number().int().nonnegative().default(10),
      threshold: nonNegative.default(1e-4),
      thresholdMode: z.enum(['rel', 'abs']).default('rel'),
      cooldown: z.number().int().nonnegative().default(0),
      minLr: nonNegative.default(0),
      /** a reduction smaller than this is skipped (PyTorch's eps) */
      eps: nonNegative.default(1e-8),
    })
    .strict(),
]);

export type ScheduleConfig = z.input<typeof scheduleConfigSchema>;
type Parsed = z.output<typeof scheduleConfigSchema>;
type PlateauConfig = Extract<Parsed, { type: 'plateau' }>;

export class LrSchedule {
  readonly config: Parsed;
  readonly baseLr: number;
  private epochs = 0;
  // plateau state
  private best: number | null = null;
  private numBadEpochs = 0;
  private cooldownCounter = 0;

  constructor(
    readonly target: LrTarget,
    config: ScheduleConfig,
  ) {
    const parsed = scheduleConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`,
      );
      throw new RnnlensError(`LrSchedule: invalid schedule config: ${issues.join('; ')}`);
    }
    this.config = parsed.data;
    this.baseLr = target.lr;
    if (this.config.type !== 'plateau') target.lr = this.closedForm(0);
  }

  get type(): Parsed['type'] {
    return this.config.type;
  }

  get epoch(): number {
    return this.epochs;
  }

  get lr(): number {
    return this.target.lr;
  }

  /** Ends an epoch: sets and returns the next lr. `metric` (a validation value) is required for plateau. */
  step(metric?: number): number {
    this.epochs++;
    if (this.config.type === 'plateau') {
      if (metric === undefined || !Number.isFinite(metric)) {
        throw new ArgumentError(
          'LrSchedule.step',
          'metric',
          'a finite validation metric (plateau schedule)',
          describe(metric),
        );
      }
      this.plateauStep(this.config, metric);
    } else {
      this.target.lr = this.closedForm(this.epochs);
    }
    return this.target.lr;
  }

  private closedForm(e: number): number {
    const c = this.config;
    const base = this.baseLr;
    switch (c.type) {
      case 'step':
        return base * c.gamma ** Math.floor(e / c.stepSize);
      case 'exponential':
        return base * c.gamma ** e;
      case 'cosine': {
        const w = c.warmupEpochs;
        if (e < w) return base * (c.warmupStartFactor + ((1 - c.warmupStartFactor) * e) / w);
        return c.etaMin + ((base - c.etaMin) * (1 + Math.cos((Math.PI * (e - w)) / c.tMax))) / 2;
      }
      case 'plateau':
        return this.target.lr;
    }
  }

  // PyTorch's ReduceLROnPlateau.step: a bad epoch counts unless in cooldown; more than `patience`
  // bad epochs in a row reduce the lr (never below minLr, skipped when the change is below eps).
  private plateauStep(c: PlateauConfig, metric: number): void {
    if (this.isBetter(c, metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > c.patience) {
      const old = this.target.lr;
      const next = Math.max(old * c.factor, c.minLr);
      if (old - next > c.eps) this.target.lr = next;
      this.cooldownCounter = c.cooldown;
      this.numBadEpochs = 0;
    }
  }

  private isBetter(c: PlateauConfig, a: number): boolean {
    if (this.best === null) return true;
    const best = this.best;
    if (c.mode === 'min')
      return c.thresholdMode === 'rel' ? a < best * (1 - c.threshold) : a < best - c.threshold;
    return c.thresholdMode === 'rel' ? a > best * (1 + c.threshold) : a > best + c.threshold;
  }

  state(): ScheduleState {
    const s: ScheduleState = {
      type: this.type,
      epoch: this.epochs,
      baseLr: this.baseLr,
      lr: this.target.lr,
    };
    if (this.type === 'plateau')
      Object.assign(s, {
        best: this.best,
        numBadEpochs: this.numBadEpochs,
        cooldownCounter: this.cooldownCounter,
      });
    return s;
  }

  /** Restores `state()` output (also sets the target's lr). The base lr must match. */
  loadState(s: ScheduleState): void {
    const where = 'LrSchedule.loadState';
    if (!s || s.type !== this.type)
      throw new ArgumentError(where, 'state.type', JSON.stringify(this.type), describe(s?.type));
    if (!Number.isInteger(s.epoch) || s.epoch < 0)
      throw new ArgumentError(where, 'state.epoch', 'an integer >= 0', describe(s.epoch));
    if (s.baseLr !== this.baseLr)
      throw new ArgumentError(
        where,
        'state.baseLr',
        `${this.baseLr} (the target's initial lr)`,
        describe(s.baseLr),
      );
    this.epochs = s.epoch;
    this.best = s.best ?? null;
    this.numBadEpochs = s.numBadEpochs ?? 0;
    this.cooldownCounter = s.cooldownCounter ?? 0;
    this.target.lr = s.lr;
  }
}

/** Builds a schedule from a (parsed JSON) config over a target such as an Optimizer. */
export function createSchedule(target: LrTarget, config: unknown): LrSchedule {
  return new LrSchedule(target, config as ScheduleConfig);
}
