/**
 * SequenceModel: an ordered list of layers (Embedding?, stacked recurrent/bidirectional layers,
 * dropout, a head, dense layers) built from a JSON config, with forward, backward through all
 * layers, traces, input/embedding gradients and injected step gradients.
 *
 * forward keeps a tape (each layer's saved values) for the next backward; `predict` keeps none.
 */
import { countParameters } from './param-count.js';
import type { Backend } from '../core/backend.js';
import { getBackend, type BackendName } from '../core/backends.js';
import { ArgumentError, RnnlensError, checkFinite } from '../core/errors.js';
import { zeroGrads, type Parameter } from '../core/parameter.js';
import { Rng } from '../core/rng.js';
import { Tensor, dtypeOf } from '../core/tensor.js';
import { modelConfigSchema, parseConfig, type LayerConfig, type ModelConfig } from './config.js';
import { layerFromConfig } from './from-config.js';
import type {
  Direction,
  DirectionInjection,
  DirectionTrace,
  FinalState,
  Flow,
  InitialStateGrad,
  Layer,
  LayerInput,
  RecurrentState,
  SeqBatch,
  StepGrad,
  TokenBatch,
} from './layer.js';
import { isSeqBatch, isTokenBatch } from './layer.js';
import { expectSeq, expectTokens } from './seq.js';
import { concatFlows, sliceInput } from './batching.js';

export type ModelInput = SeqBatch | TokenBatch;

export interface ModelOptions {
  /** A backend or its name; default getBackend(). Parameters take the backend's dtype. */
  backend?: Backend | BackendName;
  /** Seed (or generator) of the initial weights; default 0. */
  seed?: number | Rng;
}

export interface ModelForwardOptions {
  training?: boolean;
  /** Return per-step internals of every recurrent layer and direction. */
  trace?: boolean;
  /** Seeded generator for dropout (required when training with dropout). */
  rng?: Rng;
  /** Initial states by recurrent layer name and direction, each [B, H]. */
  initialStates?: Record<string, Partial<Record<Direction, RecurrentState>>>;
  /** Token models: the input is a SeqBatch of embedding vectors [B, T, E] (skips the Embedding). */
  embedded?: boolean;
  /** Return the state every recurrent layer and direction ended in (cheaper than a trace). */
  finalStates?: boolean;
}

export interface ModelForwardResult {
  output: Flow;
  /** One entry per recurrent layer and direction, in layer order (see DirectionTrace). */
  trace?: DirectionTrace[];
  /** With `finalStates`: one entry per recurrent layer and direction, in layer order. */
  finalStates?: FinalState[];
}

export interface ModelBackwardOptions {
  /** Gradient on the numeric input sequence (or on given embedding vectors); default false. */
  wantInputGrad?: boolean;
  /** Accumulate parameter gradients; default true. */
  paramGrads?: boolean;
  /** Report every recurrent layer's per-step hidden-state gradients; default false. */
  wantStepGrads?: boolean;
  /** Extra upstream gradients on recurrent layers' step outputs or final states, by layer name. */
  inject?: Record<string, Partial<Record<Direction, DirectionInjection>>>;
}

export interface ModelBackwardResult {
  /** Gradient on the numeric input [B, T, F] (or on the embedding vectors given with `embedded`). */
  inputGrad?: SeqBatch;
  /** Token models: gradient on the embedding vectors [B, T, E] (zero at padding). */
  embeddingGrad?: SeqBatch;
  stepGrads: StepGrad[];
  initialStateGrads: InitialStateGrad[];
}

interface Tape {
  saved: unknown[];
  start: number;
}

const RECURRENT = new Set(['simple_rnn', 'lstm', 'gru', 'bidirectional']);

export class SequenceModel {
  readonly backend: Backend;
  readonly layers: readonly Layer[];
  readonly inputSpec: ModelConfig['input'];
  private readonly cfg: ModelConfig;
  private tape: Tape | null = null;

  constructor(config: ModelConfig, opts: ModelOptions = {}) {
    const cfg = parseConfig('SequenceModel', 'config', modelConfigSchema, config);
    countParameters(cfg); // sizes checked against the limits before anything is allocated
    this.cfg = cfg;
    this.inputSpec = cfg.input;
    this.backend = typeof opts.backend === 'object' ? opts.backend : getBackend(opts.backend);
    const rng = opts.seed instanceof Rng ? opts.seed : new Rng(opts.seed ?? 0);
    const names = assignNames(cfg.layers);
    const layers: Layer[] = [];
    let features = cfg.input.kind === 'numeric' ? cfg.input.features : cfg.input.vocabSize;
    let seq = true;
    cfg.layers.forEach((lc, i) => {
      const where = `SequenceModel layer ${i} (${names[i]})`;
      if (lc.kind === 'embedding') {
        if (i !== 0 || cfg.input.kind !== 'tokens')
          throw new ArgumentError(
            where,
            'kind',
            'an embedding only as the first layer of a token model',
            'embedding',
          );
        if (lc.vocabSize !== features)
          throw new ArgumentError(
            where,
            'vocabSize',
            `${features} (input.vocabSize)`,
            String(lc.vocabSize),
          );
      } else if (i === 0 && cfg.input.kind === 'tokens') {
        throw new ArgumentError(
          where,
          'kind',
          "'embedding' (a token model starts with an Embedding)",
          lc.kind,
        );
      }
      if ((RECURRENT.has(lc.kind) || lc.kind === 'head') && !seq) {
        throw new ArgumentError(
          where,
          'kind',
          'a layer that accepts [B, F] rows (the previous layer outputs no sequence)',
          lc.kind,
        );
      }
      const layer = layerFromConfig({ ...lc, name: names[i] } as LayerConfig, {
        inputFeatures: lc.kind === 'embedding' ? undefined : features,
        dtype: this.backend.dtype,
        rng,
        init: cfg.init ?? 'keras',
        unitForgetBias: cfg.unitForgetBias ?? true,
      });
      if (RECURRENT.has(lc.kind) || lc.kind === 'head' || lc.kind === 'graph') seq = layer.sequenceOutput;
      features = layer.outputFeatures;
      layers.push(layer);
    });
    this.layers = layers;
  }

  static fromConfig(config: ModelConfig, opts: ModelOptions = {}): SequenceModel {
    return new SequenceModel(config, opts);
  }

  config(): ModelConfig {
    const out: ModelConfig = {
      input: { ...this.cfg.input },
      layers: this.layers.map((l) => l.config()),
    };
    if (this.cfg.init) out.init = this.cfg.init;
    if (this.cfg.unitForgetBias !== undefined) out.unitForgetBias = this.cfg.unitForgetBias;
    return out;
  }

  get outputFeatures(): number {
    return this.layers[this.layers.length - 1]!.outputFeatures;
  }

  parameters(): Parameter[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  zeroGrad(): void {
    zeroGrads(this.parameters());
  }

  layer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l)
      throw new ArgumentError(
        'SequenceModel',
        'layer',
        `one of ${this.layers.map((x) => x.name).join(', ')}`,
        JSON.stringify(name),
      );
    return l;
  }

  /** A copy of this model on another backend (parameters converted to its dtype). */
  to(backend: Backend | BackendName): SequenceModel {
    const m = new SequenceModel(this.config(), { backend });
    const src = this.parameters();
    m.parameters().forEach((p, i) => p.value.set(src[i]!.value));
    return m;
  }

  /** Index of the first layer the input enters, after validating it. */
  private checkInput(input: ModelInput, embedded: boolean): number {
    const first = this.layers[0]!;
    if (this.inputSpec.kind === 'tokens') {
      if (embedded) {
        const x = expectSeq(this.layers[1]?.name ?? first.name, input, first.outputFeatures);
        checkFinite(first.name, 'input.data (embedding vectors)', x.data);
        return 1;
      }
      (first as unknown as { checkIds(x: TokenBatch): void }).checkIds(
        expectTokens(first.name, input),
      );
      return 0;
    }
    if (embedded)
      throw new ArgumentError(
        'SequenceModel',
        'embedded',
        'false for a numeric-input model',
        'true',
      );
    if (isTokenBatch(input))
      throw new ArgumentError(
        first.name,
        'input',
        `a numeric sequence batch [B, T, ${this.inputSpec.features}]`,
        'token ids',
      );
    const x = expectSeq(first.name, input, this.inputSpec.features);
    checkFinite(first.name, 'input.data', x.data);
    return 0;
  }

  forward(input: ModelInput, opts: ModelForwardOptions = {}): ModelForwardResult {
    this.dropTape();
    const res = this.run(input, opts);
    this.tape = res.tape;
    const out: ModelForwardResult = { output: res.output };
    if (res.trace) out.trace = res.trace;
    if (res.finalStates) out.finalStates = res.finalStates;
    return out;
  }

  private run(input: ModelInput, opts: ModelForwardOptions & { outputsOnly?: boolean }): ModelForwardResult & { tape: Tape } {
    const start = this.checkInput(input, opts.embedded ?? false);
    const states = opts.initialStates ?? {};
    for (const name of Object.keys(states)) {
      if (!RECURRENT.has(this.layer(name).kind))
        throw new ArgumentError(
          'SequenceModel',
          `initialStates.${name}`,
          'the name of a recurrent layer',
          name,
        );
    }
    // Diverged or corrupted weights must not give silent garbage.
    for (const l of this.layers)
      for (const p of l.parameters()) checkFinite(l.name, `parameter ${p.name}`, p.value);
    const saved: unknown[] = [];
    const trace: DirectionTrace[] = [];
    const finals: FinalState[] = [];
    // Numeric input in the other float type is converted once, so every layer sees the backend's dtype.
    let x: LayerInput =
      isSeqBatch(input) && dtypeOf(input.data) !== this.backend.dtype
        ? { ...input, data: Tensor.from([input.data.length], input.data, this.backend.dtype).data }
        : input;
    let previousFinal: ModelForwardResult['finalStates'];
    for (let i = start; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      const r = layer.forward(x, {
        backend: this.backend,
        training: opts.training ?? false,
        trace: opts.trace ?? false,
        rng: opts.rng,
        initialState: states[layer.name],
        outputsOnly: opts.outputsOnly,
        ...(previousFinal ? { previousFinal } : {}),
      });
      saved[i] = r.saved;
      if (r.trace) trace.push(...r.trace);
      if (r.final) finals.push(...r.final);
      previousFinal = r.final;
      x = r.output;
    }
    const out: ModelForwardResult & { tape: Tape } = { output: x as Flow, tape: { saved, start } };
    if (opts.trace) out.trace = trace;
    if (opts.finalStates) out.finalStates = finals;
    return out;
  }

  /** Forgets the last forward pass's tape (a new one replaces it), letting the backend reuse its memory. */
  private dropTape(): void {
    const tape = this.tape;
    if (!tape) return;
    this.tape = null;
    for (let i = tape.start; i < this.layers.length; i++) {
      const saved = tape.saved[i];
      if (saved !== undefined) this.layers[i]!.discard?.(saved, this.backend);
    }
  }

  /** Backpropagates `gradOutput` (shaped like the last forward's output) through the tape. */
  backward(gradOutput: Flow, opts: ModelBackwardOptions = {}): ModelBackwardResult {
    const tape = this.tape;
    if (!tape)
      throw new RnnlensError(
        'SequenceModel.backward: call forward first (there is no forward pass to backpropagate through)',
      );
    for (const name of Object.keys(opts.inject ?? {})) {
      if (!RECURRENT.has(this.layer(name).kind))
        throw new ArgumentError(
          'SequenceModel.backward',
          `inject.${name}`,
          'the name of a recurrent layer',
          name,
        );
    }
    const result: ModelBackwardResult = { stepGrads: [], initialStateGrads: [] };
    let g: Flow | null = gradOutput;
    // gradients a layer reports on the previous layer's final states (a graph layer reading Y_c)
    let fromNext: Partial<Record<Direction, DirectionInjection>> | undefined;
    for (let i = this.layers.length - 1; i >= tape.start; i--) {
      const layer = this.layers[i]!;
      if (layer.kind === 'embedding') result.embeddingGrad = g as SeqBatch;
      const r = layer.backward(g!, tape.saved[i], {
        backend: this.backend,
        wantInputGrad: i > tape.start || (opts.wantInputGrad ?? false),
        paramGrads: opts.paramGrads ?? true,
        wantStepGrads: opts.wantStepGrads ?? false,
        inject: mergeInjections(opts.inject?.[layer.name], fromNext),
      });
      fromNext = r.previousFinalGrads;
      if (r.stepGrads) result.stepGrads.unshift(...r.stepGrads);
      if (r.initialStateGrads) result.initialStateGrads.unshift(...r.initialStateGrads);
      g = r.gradInput;
    }
    if (g && (opts.wantInputGrad ?? false)) {
      result.inputGrad = g as SeqBatch;
      if (tape.start === 1) result.embeddingGrad = g as SeqBatch;
    }
    return result;
  }

  /**
   * Gradient of Σ output ⊙ gradOutput with respect to the input sequence (numeric models) or the
   * embedding vectors (token models), without touching parameter gradients.
   */
  inputGradient(
    input: ModelInput,
    gradOutput: Flow,
    opts: ModelForwardOptions = {},
  ): { output: Flow; grad: SeqBatch } {
    const { output } = this.forward(input, { ...opts, trace: false });
    const r = this.backward(gradOutput, { wantInputGrad: true, paramGrads: false });
    const grad = this.inputSpec.kind === 'tokens' ? r.embeddingGrad : r.inputGrad;
    return { output, grad: grad! };
  }

  /** Inference in chunks of `batchSize` sequences; keeps no tape. */
  predict(input: ModelInput, opts: { batchSize?: number; embedded?: boolean } = {}): Flow {
    const B = input.batch;
    const size = opts.batchSize ?? 256;
    if (!Number.isInteger(size) || size < 1)
      throw new ArgumentError(
        'SequenceModel.predict',
        'batchSize',
        'an integer >= 1',
        String(size),
      );
    const parts: Flow[] = [];
    for (let s = 0; s < Math.max(B, 1); s += size) {
      const chunk = B <= size ? input : sliceInput(input, s, Math.min(B, s + size));
      parts.push(this.run(chunk, { embedded: opts.embedded ?? false, outputsOnly: true }).output);
    }
    return parts.length === 1 ? parts[0]! : concatFlows(parts, this.backend);
  }
}

/** The sum of two sets of injected gradients (either may be absent). */
function mergeInjections(
  a: Partial<Record<Direction, DirectionInjection>> | undefined,
  b: Partial<Record<Direction, DirectionInjection>> | undefined,
): Partial<Record<Direction, DirectionInjection>> | undefined {
  if (!a || !b) return a ?? b;
  const out: Partial<Record<Direction, DirectionInjection>> = { ...a };
  for (const d of ['forward', 'backward'] as const) {
    const x = a[d];
    const y = b[d];
    if (!y) continue;
    if (!x) {
      out[d] = y;
      continue;
    }
    const add = (p?: Float32Array | Float64Array | null, q?: Float32Array | Float64Array | null) => {
      if (!p || !q) return p ?? q ?? null;
      const s = p.slice();
      for (let i = 0; i < s.length; i++) s[i] = s[i]! + q[i]!;
      return s;
    };
    out[d] = { dSteps: add(x.dSteps, y.dSteps), dhLast: add(x.dhLast, y.dhLast), dcLast: add(x.dcLast, y.dcLast) };
  }
  return out;
}

const BASE: Record<LayerConfig['kind'], string> = {
  embedding: 'embedding',
  dense: 'dense',
  simple_rnn: 'simple_rnn',
  lstm: 'lstm',
  gru: 'gru',
  bidirectional: 'bidirectional',
  dropout: 'dropout',
  head: 'head',
  graph: 'graph',
};

/** Keras-style names: explicit names are kept; others become base, base_1, base_2, ... */
function assignNames(layers: readonly LayerConfig[]): string[] {
  const used = new Set<string>();
  for (const l of layers) {
    if (l.name === undefined) continue;
    if (used.has(l.name))
      throw new ArgumentError(
        'SequenceModel',
        'config.layers[].name',
        'unique layer names',
        JSON.stringify(l.name),
      );
    used.add(l.name);
  }
  return layers.map((l) => {
    if (l.name !== undefined) return l.name;
    const base = BASE[l.kind];
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}
