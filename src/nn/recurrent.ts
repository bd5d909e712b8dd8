/**
 * SimpleRNN (tanh, relu), LSTM and GRU (reset-after and reset-before) layers over one direction,
 * running on `backend.sequenceForward` / `sequenceBackward` (cell equations: src/core/backend.ts).
 *
 * Parameters (rnnlens layout, input-major, gate blocks in PyTorch order):
 *   `<name>/W` [D, G·H], `<name>/U` [H, G·H], `<name>/bx` [G·H], `<name>/bh` [G·H].
 *
 * The layer transposes batch-first ↔ time-major and builds the [T, B] mask from the lengths.
 * goBackwards reads each sequence backwards WITHIN its own length, so padding stays at the end.
 * A goBackwards layer's `returnSequences` output follows Keras: step t of the output is the t-th
 * step processed (input position len−1−t). Inside Bidirectional (`alignOutput`) the output is put
 * back at input positions. Traces, step gradients and injected step gradients are always indexed
 * by input position.
 */
import {
  gateCount,
  type Backend,
  type CellSpec,
  type SequenceForwardArgs,
  type SequenceForwardResult,
} from '../core/backend.js';
import { ArgumentError, checkLength } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import { Tensor, allocFloat, dtypeOf, type FloatArray } from '../core/tensor.js';
import type { RecurrentConfig } from './config.js';
import { orthogonal, glorotUniform, torchRecurrentInit } from './init.js';
import type {
  FinalState,
  BackwardOptions,
  BackwardResult,
  Direction,
  DirectionTrace,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
} from './layer.js';
import { makeParameter, type BuildContext } from './params.js';
import {
  expectFlat,
  expectSeq,
  maskFromLengths,
  toBatchFirst,
  toTimeMajor,
  withData,
} from './seq.js';

interface RecurrentSaved {
  args: SequenceForwardArgs;
  fwd: SequenceForwardResult;
  lengths: Int32Array;
}


export interface RecurrentLayerOptions {
  /** Prefix of parameter names (default: the layer name). */
  paramPrefix?: string;
  /** Layer name used in traces and errors (default: the layer name). */
  traceName?: string;
  /** Put a goBackwards layer's sequence output back at input positions (Bidirectional). */
  alignOutput?: boolean;
}

const CELL = { simple_rnn: 'rnn', lstm: 'lstm', gru: 'gru' } as const;

export class RecurrentLayer implements Layer {
  readonly kind: RecurrentConfig['kind'];
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput: boolean;
  readonly cell: CellSpec;
  readonly direction: Direction;
  readonly W: Parameter;
  readonly U: Parameter;
  readonly bx: Parameter;
  readonly bh: Parameter;
  private readonly cfg: RecurrentConfig;
  private readonly align: boolean;

  constructor(
    cfg: RecurrentConfig,
    inputSize: number,
    ctx: BuildContext,
    opts: RecurrentLayerOptions = {},
  ) {
    this.cfg = { ...cfg, inputSize };
    this.kind = cfg.kind;
    this.name = opts.traceName ?? cfg.name ?? cfg.kind;
    const H = cfg.units;
    this.inputFeatures = inputSize;
    this.outputFeatures = H;
    this.sequenceOutput = cfg.returnSequences ?? false;
    this.direction = cfg.goBackwards ? 'backward' : 'forward';
    this.align = opts.alignOutput ?? false;
    if (cfg.kind !== 'simple_rnn' && cfg.activation !== undefined) {
      throw new ArgumentError(
        this.name,
        'config.activation',
        'no activation option (only simple_rnn has one)',
        cfg.activation,
      );
    }
    if (cfg.kind !== 'gru' && cfg.resetAfter !== undefined) {
      throw new ArgumentError(
        this.name,
        'config.resetAfter',
        'no resetAfter option (only gru has one)',
        String(cfg.resetAfter),
      );
    }
    if (cfg.kind === 'simple_rnn' && cfg.recurrentActivation !== undefined) {
      throw new ArgumentError(
        this.name,
        'config.recurrentActivation',
        'no recurrentActivation option (simple_rnn has no gates; lstm and gru have one)',
        cfg.recurrentActivation,
      );
    }
    this.cell = { kind: CELL[cfg.kind], inputSize, hiddenSize: H };
    if (cfg.recurrentActivation !== undefined && cfg.recurrentActivation !== 'sigmoid')
      this.cell.recurrentActivation = cfg.recurrentActivation;
    if (cfg.kind === 'simple_rnn') this.cell.activation = cfg.activation ?? 'tanh';
    if (cfg.kind === 'gru') this.cell.resetAfter = cfg.resetAfter ?? true;
    const G = gateCount(this.cell.kind);
    const prefix = opts.paramPrefix ?? this.name;
    this.W = makeParameter(`${prefix}/W`, [inputSize, G * H], ctx.dtype);
    this.U = makeParameter(`${prefix}/U`, [H, G * H], ctx.dtype);
    this.bx = makeParameter(`${prefix}/bx`, [G * H], ctx.dtype);
    this.bh = makeParameter(`${prefix}/bh`, [G * H], ctx.dtype);
    this.initialise(ctx);
  }

  private initialise(ctx: BuildContext): void {
    const H = this.cell.hiddenSize;
    const G = gateCount(this.cell.kind);
    if (ctx.init === 'torch') {
      for (const p of [this.W, this.U, this.bx, this.bh]) torchRecurrentInit(p.value, ctx.rng, H);
      return;
    }
    glorotUniform(this.W.value, ctx.rng, this.inputFeatures, G * H);
    orthogonal(this.U.value, ctx.rng, H, G * H);
    // Keras keeps one bias; it lives in bx and bh stays zero. Unit forget bias: f block = 1.
    if (this.cell.kind === 'lstm' && ctx.unitForgetBias) this.bx.value.fill(1, H, 2 * H);
  }

  parameters(): Parameter[] {
    return [this.W, this.U, this.bx, this.bh];
  }

  config(): RecurrentConfig {
    return { ...this.cfg };
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    const x = expectSeq(this.name, input, this.inputFeatures);
    const { batch: B, steps: T, lengths } = x;
    const H = this.cell.hiddenSize;
    const be = opts.backend;
    const reverse = this.direction === 'backward';
    // an outputs-only pass in the forward direction reads the input as it is ([B, T, D]); any
    // other pass gets it time-major (reversed per sequence for the backward direction)
    const inference = opts.outputsOnly === true && !opts.trace;
    const batchMajor = inference && !reverse;
    const xTM = batchMajor
      ? x.data
      : toTimeMajor(x.data, B, T, this.inputFeatures, lengths, reverse, be.alloc(T * B * this.inputFeatures));
    const init = opts.initialState?.[this.direction];
    if (init?.h)
      checkLength(this.name, `initialState.${this.direction}.h`, init.h, B * H, `[${B}, ${H}]`);
    if (init?.c) {
      if (this.cell.kind !== 'lstm')
        throw new ArgumentError(
          this.name,
          `initialState.${this.direction}.c`,
          'no cell state (only LSTM has one)',
          'a cell state',
        );
      checkLength(this.name, `initialState.${this.direction}.c`, init.c, B * H, `[${B}, ${H}]`);
    }
    const args: SequenceForwardArgs = {
      cell: this.cell,
      steps: T,
      batch: B,
      x: xTM, // [T, B, D], or [B, T, D] when batchMajor
      W: this.W.value,
      U: this.U.value,
      bx: this.bx.value,
      bh: this.bh.value,
      mask: maskFromLengths(lengths, T),
      h0: init?.h ?? null,
      c0: init?.c ?? null,
      keepPreactivations: opts.trace,
    };
    if (inference) {
      args.outputsOnly = true;
      if (!this.sequenceOutput) args.lastOnly = true;
      if (batchMajor) args.batchMajor = true;
    }
    const fwd = be.sequenceForward(args);
    const output: Flow = this.sequenceOutput
      ? withData(
          x,
          toBatchFirst(fwd.out, B, T, H, lengths, reverse && this.align, be.alloc(B * T * H)),
          H,
        )
      : new Tensor([B, H], fwd.hLast);
    const saved: RecurrentSaved = { args, fwd, lengths };
    const final: FinalState[] = [
      { layer: this.name, direction: this.direction, h: fwd.hLast, ...(fwd.cLast ? { c: fwd.cLast } : {}) },
    ];
    return opts.trace
      ? { output, saved, final, trace: [this.traceOf(fwd, B, T, lengths)] }
      : { output, saved, final };
  }

  private traceOf(
    fwd: SequenceForwardResult,
    B: number,
    T: number,
    lengths: Int32Array,
  ): DirectionTrace {
    const H = this.cell.hiddenSize;
    const G = gateCount(this.cell.kind);
    const rev = this.direction === 'backward';
    const bf = (src: FloatArray, F: number): FloatArray =>
      toBatchFirst(src, B, T, F, lengths, rev, allocFloat(dtypeOf(src), B * T * F));
    const trace: DirectionTrace = {
      layer: this.name,
      direction: this.direction,
      cell: this.cell.kind,
      batch: B,
      steps: T,
      units: H,
      gateCount: G,
      lengths,
      h: bf(fwd.hs, H), // [B, T, H]
      gates: bf(fwd.gates, G * H), // [B, T, G*H]
    };
    if (fwd.cs) trace.c = bf(fwd.cs, H);
    if (fwd.preact) trace.preact = bf(fwd.preact, G * H);
    return trace;
  }

  discard(saved: unknown, backend: Backend): void {
    backend.discardForward?.((saved as RecurrentSaved).fwd);
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const { args, fwd, lengths } = saved as RecurrentSaved;
    const B = args.batch;
    const T = args.steps;
    const H = this.cell.hiddenSize;
    const D = this.inputFeatures;
    const be = opts.backend;
    const reverse = this.direction === 'backward';
    let dOut: FloatArray | null = null; // [T, B, H]
    let dhLast: FloatArray | null = null; // [B, H]
    if (this.sequenceOutput) {
      const g = expectSeq(this.name, gradOutput, H, 'gradOutput');
      dOut = toTimeMajor(g.data, B, T, H, lengths, reverse && this.align, be.alloc(T * B * H));
    } else {
      const g = expectFlat(this.name, gradOutput, H, 'gradOutput');
      checkLength(this.name, 'gradOutput', g.data, B * H, `[${B}, ${H}]`);
      dhLast = be.alloc(B * H);
      dhLast.set(g.data);
    }
    let dcLast: FloatArray | null = null;
    const inj = opts.inject?.[this.direction];
    if (inj?.dSteps) {
      const where = `inject.${this.direction}.dSteps`;
      checkLength(this.name, where, inj.dSteps, B * T * H, `[${B}, ${T}, ${H}]`);
      const extra = toTimeMajor(inj.dSteps, B, T, H, lengths, reverse, be.alloc(T * B * H));
      if (!dOut) dOut = extra;
      else for (let i = 0; i < extra.length; i++) dOut[i] = dOut[i]! + extra[i]!;
    }
    if (inj?.dhLast) {
      checkLength(this.name, `inject.${this.direction}.dhLast`, inj.dhLast, B * H, `[${B}, ${H}]`);
      if (!dhLast) dhLast = be.alloc(B * H);
      for (let i = 0; i < B * H; i++) dhLast[i] = dhLast[i]! + inj.dhLast[i]!;
    }
    if (inj?.dcLast) {
      if (this.cell.kind !== 'lstm')
        throw new ArgumentError(
          this.name,
          `inject.${this.direction}.dcLast`,
          'no cell-state gradient (only LSTM has one)',
          'an array',
        );
      checkLength(this.name, `inject.${this.direction}.dcLast`, inj.dcLast, B * H, `[${B}, ${H}]`);
      dcLast = be.alloc(B * H);
      dcLast.set(inj.dcLast);
    }
    const res = be.sequenceBackward({
      ...args,
      fwd,
      dOut,
      dhLast,
      dcLast,
      grads: opts.paramGrads
        ? { W: this.W.grad, U: this.U.grad, bx: this.bx.grad, bh: this.bh.grad }
        : null,
      wantDx: opts.wantInputGrad,
      wantDhSteps: opts.wantStepGrads ?? false,
    });
    const gradInput = res.dx
      ? withData(
          { batch: B, steps: T, lengths },
          toBatchFirst(res.dx, B, T, D, lengths, reverse, be.alloc(B * T * D)),
          D,
        )
      : null;
    const out: BackwardResult = { gradInput };
    if (res.dhSteps) {
      out.stepGrads = [
        {
          layer: this.name,
          direction: this.direction,
          data: toBatchFirst(res.dhSteps, B, T, H, lengths, reverse, be.alloc(B * T * H)),
        },
      ];
    }
    const init = { layer: this.name, direction: this.direction, h: res.dh0 };
    out.initialStateGrads = [res.dc0 ? { ...init, c: res.dc0 } : init];
    return out;
  }
}
