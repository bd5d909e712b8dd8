/**
 * Embedding: token ids [B, T] → vectors [B, T, E] by row lookup in the table [V, E]
 * (Keras `embeddings`, PyTorch `weight`: same layout). Padded steps output 0 and their ids are
 * ignored; an id out of [0, V) at a real step is an ArgumentError naming the layer, the id, its
 * position and the vocabulary size. Backward scatters the output gradient into the table rows;
 * the gradient on the embedding vectors themselves is simply the output gradient (the model
 * reports it for attributions).
 *
 * Parameter: `<name>/embeddings` [V, E].
 */
import { ArgumentError } from '../core/errors.js';
import type { Parameter } from '../core/parameter.js';
import type { EmbeddingConfig } from './config.js';
import { uniformInit } from './init.js';
import type {
  BackwardOptions,
  BackwardResult,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
  TokenBatch,
} from './layer.js';
import { makeParameter, type BuildContext } from './params.js';
import { expectGradLike, expectTokens, withData } from './seq.js';

export class EmbeddingLayer implements Layer {
  readonly kind = 'embedding' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput = true;
  readonly embeddings: Parameter;

  constructor(cfg: EmbeddingConfig, ctx: BuildContext) {
    this.name = cfg.name ?? 'embedding';
    this.inputFeatures = cfg.vocabSize;
    this.outputFeatures = cfg.dim;
    this.embeddings = makeParameter(`${this.name}/embeddings`, [cfg.vocabSize, cfg.dim], ctx.dtype);
    if (ctx.init === 'torch')
      ctx.rng.fillNormal(this.embeddings.value); // nn.Embedding: N(0, 1)
    else uniformInit(this.embeddings.value, ctx.rng, 0.05); // Keras: U(−0.05, 0.05)
  }

  get vocabSize(): number {
    return this.inputFeatures;
  }

  parameters(): Parameter[] {
    return [this.embeddings];
  }

  config(): EmbeddingConfig {
    return {
      kind: 'embedding',
      name: this.name,
      vocabSize: this.inputFeatures,
      dim: this.outputFeatures,
    };
  }

  /** Throws on the first id outside [0, V) at a real step. */
  checkIds(x: TokenBatch): void {
    const V = this.inputFeatures;
    for (let b = 0; b < x.batch; b++) {
      for (let t = 0; t < x.lengths[b]!; t++) {
        const id = x.ids[b * x.steps + t]!;
        if (id < 0 || id >= V) {
          throw new ArgumentError(
            this.name,
            `input.ids[${b}, ${t}]`,
            `a token id in [0, ${V - 1}] (vocabulary size ${V})`,
            String(id),
          );
        }
      }
    }
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    const x = expectTokens(this.name, input);
    this.checkIds(x);
    const E = this.outputFeatures;
    const T = x.steps;
    const out = opts.backend.alloc(x.batch * T * E); // [B, T, E], zero at padding
    const table = this.embeddings.value;
    for (let b = 0; b < x.batch; b++) {
      for (let t = 0; t < x.lengths[b]!; t++) {
        const id = x.ids[b * T + t]!;
        out.set(table.subarray(id * E, (id + 1) * E), (b * T + t) * E);
      }
    }
    return { output: withData(x, out, E), saved: x };
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const x = saved as TokenBatch;
    const E = this.outputFeatures;
    const T = x.steps;
    const g = expectGradLike(this.name, gradOutput, withData(x, this.embeddings.value, E), E);
    if (opts.paramGrads) {
      const grad = this.embeddings.grad;
      for (let b = 0; b < x.batch; b++) {
        for (let t = 0; t < x.lengths[b]!; t++) {
          const row = x.ids[b * T + t]! * E;
          const src = (b * T + t) * E;
          for (let j = 0; j < E; j++) grad[row + j] = grad[row + j]! + g[src + j]!;
        }
      }
    }
    return { gradInput: null };
  }
}
