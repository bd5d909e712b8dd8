/**
 * JSON configs of layers and models (validated with zod; a bad config is an ArgumentError naming
 * the path of the offending field). Layer configs may omit `inputSize`: the model infers it from
 * the previous layer; when present it must match.
 */
import { z } from 'zod';
import { ArgumentError } from '../core/errors.js';

const name = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -')
  .optional();
const size = z.number().int().min(1);

export const recurrentConfigSchema = z.object({
  kind: z.enum(['simple_rnn', 'lstm', 'gru']),
  name,
  units: size,
  inputSize: size.optional(),
  /** SimpleRNN only; default tanh. */
  activation: z.enum(['tanh', 'relu']).optional(),
  /** GRU only; default true (PyTorch convention). */
  resetAfter: z.boolean().optional(),
  /**
   * LSTM and GRU only: activation of the sigmoid gates (i, f, o / r, z); default 'sigmoid'.
   * 'hard_sigmoid' = clip(0.2x + 0.5, 0, 1) (Keras 2, TF.js), 'hard_sigmoid_keras3' = clip(x/6 + 0.5, 0, 1).
   */
  recurrentActivation: z.enum(['sigmoid', 'hard_sigmoid', 'hard_sigmoid_keras3']).optional(),
  /** Output every step (SeqBatch) instead of the final state ([B, H]); default false. */
  returnSequences: z.boolean().optional(),
  /** Read each sequence backwards within its own length (Keras go_backwards). */
  goBackwards: z.boolean().optional(),
});

export const denseConfigSchema = z.object({
  kind: z.literal('dense'),
  name,
  units: size,
  inputSize: size.optional(),
  /** 'none' is an alias of 'linear' (Keras's name). Softmax belongs to the loss. */
  activation: z.enum(['linear', 'none', 'relu', 'tanh', 'sigmoid']).optional(),
});

export const embeddingConfigSchema = z.object({
  kind: z.literal('embedding'),
  name,
  vocabSize: size,
  dim: size,
});

export const bidirectionalConfigSchema = z.object({
  kind: z.literal('bidirectional'),
  name,
  merge: z.enum(['concat', 'sum', 'mean', 'mul']).optional(),
  layer: recurrentConfigSchema,
});

export const dropoutConfigSchema = z.object({
  kind: z.literal('dropout'),
  name,
  inputSize: size.optional(),
  rate: z.number().min(0).lt(1),
});

export const headConfigSchema = z.object({
  kind: z.literal('head'),
  name,
  inputSize: size.optional(),
  /** last valid step, mean or max over valid steps, or every step (identity over steps). */
  pool: z.enum(['last', 'mean', 'max', 'every']),
});

const dims = z.array(z.number().int().min(0));
const tensorAttr = z.object({ shape: dims, data: z.array(z.number()), int: z.boolean() });

/** A graph segment (src/nn/graph/layer.ts): ONNX-style ops on named values. */
export const graphConfigSchema = z.object({
  kind: z.literal('graph'),
  name,
  inputSize: size.optional(),
  /** Default-domain opset of the source graph (some ops changed meaning between opsets). */
  opset: z.number().int().min(1),
  inputs: z
    .array(
      z.object({
        value: z.string().min(1),
        source: z.enum(['steps', 'last', 'flat', 'cell', 'mask']),
        /** The value's axes: B, T and F0, F1, … (the flow's features split into featureDims). */
        axes: z.array(z.string().regex(/^(B|T|F\d+)$/)),
        featureDims: z.array(size).min(1),
        /** 'steps' from a goBackwards layer: its outputs are in processing order; read them reversed within each length. */
        reversed: z.boolean().optional(),
      }),
    )
    .min(1),
  output: z.object({
    value: z.string().min(1),
    axes: z.array(z.string().regex(/^(B|T|F\d+)$/)),
    features: size,
  }),
  nodes: z.array(
    z.object({
      op: z.string().min(1),
      name: z.string(),
      inputs: z.array(z.string()),
      outputs: z.array(z.string()),
      attrs: z.record(
        z.string(),
        z.union([z.number(), z.string(), z.array(z.number()), z.array(z.string()), tensorAttr]),
      ),
    }),
  ),
  /** Small constants (shapes, indices, scalars), inline. */
  consts: z.record(z.string(), tensorAttr),
  /** Float weights: the values live in the layer's Parameters `<layer>/<value>`. */
  params: z.array(z.object({ value: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/), shape: dims })),
});

export const layerConfigSchema = z.discriminatedUnion('kind', [
  recurrentConfigSchema,
  denseConfigSchema,
  embeddingConfigSchema,
  bidirectionalConfigSchema,
  dropoutConfigSchema,
  headConfigSchema,
  graphConfigSchema,
]);

export const modelConfigSchema = z.object({
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('numeric'), features: size }),
    z.object({ kind: z.literal('tokens'), vocabSize: size }),
  ]),
  layers: z.array(layerConfigSchema).min(1),
  /** Weight initialisation scheme; default 'keras'. */
  init: z.enum(['keras', 'torch']).optional(),
  /** Keras: LSTM forget-gate bias 1; default true. */
  unitForgetBias: z.boolean().optional(),
});

export type RecurrentConfig = z.infer<typeof recurrentConfigSchema>;
export type DenseConfig = z.infer<typeof denseConfigSchema>;
export type EmbeddingConfig = z.infer<typeof embeddingConfigSchema>;
export type BidirectionalConfig = z.infer<typeof bidirectionalConfigSchema>;
export type DropoutConfig = z.infer<typeof dropoutConfigSchema>;
export type HeadConfig = z.infer<typeof headConfigSchema>;
export type GraphConfig = z.infer<typeof graphConfigSchema>;
export type LayerConfig = z.infer<typeof layerConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type InitScheme = 'keras' | 'torch';

/** Parses with a schema; the first issue becomes an ArgumentError naming the field path. */
export function parseConfig<T>(
  where: string,
  argument: string,
  schema: z.ZodType<T>,
  value: unknown,
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.length ? `${argument}.${issue.path.join('.')}` : argument;
  // The offending value itself, found by walking the issue's path.
  let cur: unknown = value;
  for (const key of issue.path) {
    cur = cur && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[key] : undefined;
  }
  const received = JSON.stringify(cur) ?? 'undefined';
  throw new ArgumentError(
    where,
    path,
    issue.message,
    received.length > 80 ? received.slice(0, 77) + '...' : received,
  );
}
