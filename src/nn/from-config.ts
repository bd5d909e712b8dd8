/** Builds a layer from its JSON config (the inverse of `layer.config()`). */
import { ArgumentError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { DType } from '../core/tensor.js';
import { BidirectionalLayer } from './bidirectional.js';
import { layerConfigSchema, parseConfig, type InitScheme, type LayerConfig } from './config.js';
import { DenseLayer } from './dense.js';
import { DropoutLayer } from './dropout.js';
import { EmbeddingLayer } from './embedding.js';
import { GraphLayer } from './graph/layer.js';
import { HeadLayer } from './heads.js';
import type { Layer } from './layer.js';
import type { BuildContext } from './params.js';
import { RecurrentLayer } from './recurrent.js';

export interface LayerBuildOptions {
  /** Features per step of the input; taken from `config.inputSize` when absent. */
  inputFeatures?: number;
  dtype?: DType;
  /** Seed or generator for the initial weights (default seed 0). */
  rng?: Rng | number;
  init?: InitScheme;
  unitForgetBias?: boolean;
}

export function layerFromConfig(config: LayerConfig, opts: LayerBuildOptions = {}): Layer {
  const cfg = parseConfig('layerFromConfig', 'config', layerConfigSchema, config);
  const ctx: BuildContext = {
    dtype: opts.dtype ?? 'float32',
    rng: opts.rng instanceof Rng ? opts.rng : new Rng(opts.rng ?? 0),
    init: opts.init ?? 'keras',
    unitForgetBias: opts.unitForgetBias ?? true,
  };
  if (cfg.kind === 'embedding') return new EmbeddingLayer(cfg, ctx);
  const declared =
    cfg.kind === 'bidirectional'
      ? cfg.layer.inputSize
      : 'inputSize' in cfg
        ? cfg.inputSize
        : undefined;
  const where = cfg.name ?? cfg.kind;
  const inputSize = opts.inputFeatures ?? declared;
  if (inputSize === undefined) {
    throw new ArgumentError(
      where,
      'inputFeatures',
      'the number of input features (option or config.inputSize)',
      'undefined',
    );
  }
  if (declared !== undefined && declared !== inputSize) {
    throw new ArgumentError(
      where,
      'config.inputSize',
      `${inputSize} (the features of the previous layer's output)`,
      String(declared),
    );
  }
  switch (cfg.kind) {
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return new RecurrentLayer(cfg, inputSize, ctx);
    case 'bidirectional':
      return new BidirectionalLayer(cfg, inputSize, ctx);
    case 'dense':
      return new DenseLayer(cfg, inputSize, ctx);
    case 'dropout':
      return new DropoutLayer(cfg, inputSize);
    case 'head':
      return new HeadLayer(cfg, inputSize);
    case 'graph':
      return new GraphLayer(cfg, inputSize, ctx.dtype);
  }
}
