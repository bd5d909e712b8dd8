/**
 * Dropout (inverted): in training each value is kept with probability 1 − rate and scaled by
 * 1/(1 − rate), so inference is the identity. The keep mask comes from the seeded `opts.rng`.
 */
import { RnnlensError } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import type { FloatArray } from '../core/tensor.js';
import type { DropoutConfig } from './config.js';
import type {
  BackwardOptions,
  BackwardResult,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
} from './layer.js';
import { isTokenBatch } from './layer.js';
import { expectGradLike, flowLike } from './seq.js';
import { ArgumentError } from '../core/errors.js';

interface DropoutSaved {
  x: Flow;
  /** Per value: 0 or 1/(1 − rate); null when dropout was off. */
  scale: FloatArray | null;
}

export class DropoutLayer implements Layer {
  readonly kind = 'dropout' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput = true; // keeps the input's form
  readonly rate: number;

  constructor(cfg: DropoutConfig, inputSize: number) {
    this.name = cfg.name ?? 'dropout';
    this.rate = cfg.rate;
    this.inputFeatures = inputSize;
    this.outputFeatures = inputSize;
  }

  parameters(): Parameter[] {
    return [];
  }

  config(): DropoutConfig {
    return { kind: 'dropout', name: this.name, inputSize: this.inputFeatures, rate: this.rate };
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    if (isTokenBatch(input))
      throw new ArgumentError(this.name, 'input', 'numeric activations', 'token ids');
    const x = input;
    if (!opts.training || this.rate === 0) {
      const saved: DropoutSaved = { x, scale: null };
      return { output: x, saved };
    }
    if (!opts.rng)
      throw new RnnlensError(
        `${this.name}: training with dropout needs a seeded 'rng' in the forward options`,
      );
    const keep = 1 - this.rate;
    const scale = opts.backend.alloc(x.data.length);
    const out = opts.backend.alloc(x.data.length);
    for (let i = 0; i < scale.length; i++) {
      scale[i] = opts.rng.next() < keep ? 1 / keep : 0;
      out[i] = x.data[i]! * scale[i]!;
    }
    const saved: DropoutSaved = { x, scale };
    return { output: flowLike(x, out, this.outputFeatures), saved };
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const { x, scale } = saved as DropoutSaved;
    const g = expectGradLike(this.name, gradOutput, x, this.outputFeatures);
    if (!opts.wantInputGrad) return { gradInput: null };
    const dx = opts.backend.alloc(g.length);
    for (let i = 0; i < g.length; i++) dx[i] = scale ? g[i]! * scale[i]! : g[i]!;
    return { gradInput: flowLike(x, dx, this.inputFeatures) };
  }
}
