/**
 * The shared frame of every optimiser: a list of Parameters, a settable learning rate, a step
 * counter and per-parameter state buffers (allocated once, in the parameter's dtype, like
 * PyTorch's state), plus a JSON-serialisable state for checkpoints. Subclasses only write the
 * per-parameter update rule, as a tight loop over flat arrays.
 */
import { ArgumentError, RnnlensError, describe } from '../../core/errors.js';
import type { Parameter } from '../../core/parameter.js';
import { allocFloat, dtypeOf, type FloatArray } from '../../core/tensor.js';

/** What `state()` returns; plain JSON. Restoring it into an optimiser built with the same config
 *  over the same parameters continues bit-identically. */
export interface OptimizerState {
  type: string;
  /** Number of `step()` calls so far (Adam's bias correction and SGD's first momentum use it). */
  step: number;
  lr: number;
  /** Parameter names in order, checked on load. */
  params: string[];
  /** buffer name → one array per parameter (e.g. `exp_avg`, `momentum_buffer`). */
  buffers: Record<string, number[][]>;
}

export abstract class Optimizer {
  abstract readonly type: string;
  readonly params: readonly Parameter[];
  protected steps = 0;
  private learningRate: number;
  /** The lr given at construction; `config()` reports it, so a schedule rebuilt from a checkpoint
   *  sees the same base lr (the current lr lives in `state()`). */
  readonly initialLr: number;
  /** buffer name → one array per parameter, same length and dtype as the parameter. */
  protected readonly buffers: Record<string, FloatArray[]> = {};

  protected constructor(
    protected readonly where: string,
    params: readonly Parameter[],
    lr: number,
    bufferNames: readonly string[],
  ) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new ArgumentError(where, 'params', 'a non-empty array of Parameters', describe(params));
    }
    params.forEach((p, i) => {
      if (p.grad.length !== p.value.length || dtypeOf(p.grad) !== dtypeOf(p.value)) {
        throw new ArgumentError(
          where,
          `params[${i}] (${p.name})`,
          `grad of the value's length and dtype (${p.value.length})`,
          describe(p.grad),
        );
      }
    });
    this.params = [...params];
    this.learningRate = 0;
    this.lr = lr;
    this.initialLr = lr;
    for (const b of bufferNames)
      this.buffers[b] = this.params.map((p) => allocFloat(dtypeOf(p.value), p.value.length));
  }

  get lr(): number {
    return this.learningRate;
  }

  /** Schedules set this between steps. */
  set lr(value: number) {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new ArgumentError(this.where, 'lr', 'a finite number >= 0', describe(value));
    this.learningRate = value;
  }

  get stepCount(): number {
    return this.steps;
  }

  /** One update of every parameter from its current gradient. */
  step(): void {
    this.steps++;
    for (let i = 0; i < this.params.length; i++)
      this.update(i, this.params[i]!.value, this.params[i]!.grad);
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** The full configuration (type and every option, defaults filled in, the initial lr) as JSON. */
  abstract config(): { type: string; lr: number };

  /** The update rule for parameter `i` (this.steps already counts the current step). */
  protected abstract update(i: number, value: FloatArray, grad: FloatArray): void;

  state(): OptimizerState {
    const buffers: Record<string, number[][]> = {};
    for (const [name, list] of Object.entries(this.buffers))
      buffers[name] = list.map((b) => Array.from(b));
    return {
      type: this.type,
      step: this.steps,
      lr: this.lr,
      params: this.params.map((p) => p.name),
      buffers,
    };
  }

  /** Restores `state()` output; checks type, parameter names and buffer sizes before changing anything. */
  loadState(state: OptimizerState): void {
    const where = `${this.where}.loadState`;
    if (!state || state.type !== this.type)
      throw new ArgumentError(
        where,
        'state.type',
        JSON.stringify(this.type),
        describe(state?.type),
      );
    if (!Number.isInteger(state.step) || state.step < 0)
      throw new ArgumentError(where, 'state.step', 'an integer >= 0', describe(state.step));
    const names = this.params.map((p) => p.name);
    if (!Array.isArray(state.params) || state.params.join('\u0000') !== names.join('\u0000')) {
      throw new RnnlensError(
        `${where}: state is for parameters [${(state.params ?? []).join(', ')}], optimiser has [${names.join(', ')}]`,
      );
    }
    for (const [name, list] of Object.entries(this.buffers)) {
      const saved = state.buffers?.[name];
      if (!Array.isArray(saved) || saved.length !== list.length) {
        throw new ArgumentError(
          where,
          `state.buffers.${name}`,
          `${list.length} arrays`,
          describe(saved),
        );
      }
      list.forEach((b, i) => {
        if (!Array.isArray(saved[i]) || saved[i]!.length !== b.length) {
          throw new ArgumentError(
            where,
            `state.buffers.${name}[${i}]`,
            `${b.length} values`,
            describe(saved[i]),
          );
        }
      });
    }
    for (const [name, list] of Object.entries(this.buffers))
      list.forEach((b, i) => b.set(state.buffers[name]![i]!));
    this.steps = state.step;
    this.lr = state.lr;
  }
}

/** Throws unless `value` is a finite number in [min, max] (max exclusive when `open`). */
export function checkRange(
  where: string,
  argument: string,
  value: number,
  min: number,
  max = Infinity,
  open = false,
): void {
  const ok = Number.isFinite(value) && value >= min && (open ? value < max : value <= max);
  if (!ok) {
    const range =
      max === Infinity
        ? `a finite number >= ${min}`
        : `a number in [${min}, ${max}${open ? ')' : ']'}`;
    throw new ArgumentError(where, argument, range, describe(value));
  }
}
