/**
 * Dense (fully connected) layer: y = act(x·K + b), K [in, out] (Keras layout; PyTorch's
 * Linear.weight is Kᵀ), applied to a [B, F] tensor or to every step of a [B, T, F] batch.
 * On a sequence batch, padded steps output 0 and their gradients are ignored.
 * Activations: linear (alias none), relu, tanh, sigmoid. Softmax belongs to the loss.
 *
 * Parameters: `<name>/kernel` [in, out], `<name>/bias` [out].
 */
import type { Parameter } from '../core/parameter.js';
import { Tensor, type FloatArray } from '../core/tensor.js';
import type { DenseConfig } from './config.js';
import { glorotUniform, torchLinearInit } from './init.js';
import type {
  BackwardOptions,
  BackwardResult,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
} from './layer.js';
import { isSeqBatch } from './layer.js';
import { makeParameter, type BuildContext } from './params.js';
import { expectFlat, expectGradLike, expectSeq, flowLike, flowRows, zeroPadding } from './seq.js';

type Act = 'linear' | 'relu' | 'tanh' | 'sigmoid';

interface DenseSaved {
  x: Flow;
  y: FloatArray; // activations [rows, out]
}

export class DenseLayer implements Layer {
  readonly kind = 'dense' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput = true; // keeps the input's form
  readonly activation: Act;
  readonly kernel: Parameter;
  readonly bias: Parameter;

  constructor(cfg: DenseConfig, inputSize: number, ctx: BuildContext) {
    this.name = cfg.name ?? 'dense';
    this.inputFeatures = inputSize;
    this.outputFeatures = cfg.units;
    const act = cfg.activation ?? 'linear';
    this.activation = act === 'none' ? 'linear' : act;
    this.kernel = makeParameter(`${this.name}/kernel`, [inputSize, cfg.units], ctx.dtype);
    this.bias = makeParameter(`${this.name}/bias`, [cfg.units], ctx.dtype);
    if (ctx.init === 'torch') {
      torchLinearInit(this.kernel.value, ctx.rng, inputSize);
      torchLinearInit(this.bias.value, ctx.rng, inputSize);
    } else {
      glorotUniform(this.kernel.value, ctx.rng, inputSize, cfg.units);
    }
  }

  parameters(): Parameter[] {
    return [this.kernel, this.bias];
  }

  config(): DenseConfig {
    return {
      kind: 'dense',
      name: this.name,
      units: this.outputFeatures,
      inputSize: this.inputFeatures,
      activation: this.activation,
    };
  }

  private check(input: LayerInput, argument: string): Flow {
    return isSeqBatch(input)
      ? expectSeq(this.name, input, this.inputFeatures, argument)
      : expectFlat(this.name, input, this.inputFeatures, argument);
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    const x = this.check(input, 'input');
    const rows = flowRows(x);
    const O = this.outputFeatures;
    const y = opts.backend.alloc(rows * O);
    for (let r = 0; r < rows; r++) y.set(this.bias.value, r * O);
    // y[rows, O] = x[rows, I] · K[I, O] + b
    opts.backend.gemm({
      transA: false,
      transB: false,
      M: rows,
      N: O,
      K: this.inputFeatures,
      alpha: 1,
      A: x.data,
      B: this.kernel.value,
      beta: 1,
      C: y,
    });
    applyActivation(this.activation, y);
    if (!(x instanceof Tensor)) zeroPadding(y, x.batch, x.steps, O, x.lengths);
    const saved: DenseSaved = { x, y };
    return { output: flowLike(x, y, O), saved };
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const { x, y } = saved as DenseSaved;
    const rows = flowRows(x);
    const O = this.outputFeatures;
    const I = this.inputFeatures;
    const g = expectGradLike(this.name, gradOutput, x, O);
    // dz = g ⊙ act'(z), written through the activation's output y.
    const dz = opts.backend.alloc(rows * O);
    for (let i = 0; i < dz.length; i++) {
      const a = y[i]!;
      const d =
        this.activation === 'relu'
          ? a > 0
            ? 1
            : 0
          : this.activation === 'tanh'
            ? 1 - a * a
            : this.activation === 'sigmoid'
              ? a * (1 - a)
              : 1;
      dz[i] = g[i]! * d;
    }
    if (!(x instanceof Tensor)) zeroPadding(dz, x.batch, x.steps, O, x.lengths);
    const be = opts.backend;
    if (opts.paramGrads) {
      // dK += xᵀ·dz, db += Σ_rows dz
      be.gemm({
        transA: true,
        transB: false,
        M: I,
        N: O,
        K: rows,
        alpha: 1,
        A: x.data,
        B: dz,
        beta: 1,
        C: this.kernel.grad,
      });
      be.addColumnSums(dz, rows, O, this.bias.grad);
    }
    if (!opts.wantInputGrad) return { gradInput: null };
    // dx = dz·Kᵀ
    const dx = be.alloc(rows * I);
    be.gemm({
      transA: false,
      transB: true,
      M: rows,
      N: I,
      K: O,
      alpha: 1,
      A: dz,
      B: this.kernel.value,
      beta: 0,
      C: dx,
    });
    return { gradInput: flowLike(x, dx, I) };
  }
}

function applyActivation(act: Act, y: FloatArray): void {
  if (act === 'linear') return;
  for (let i = 0; i < y.length; i++) {
    const z = y[i]!;
    y[i] =
      act === 'relu' ? (z > 0 ? z : 0) : act === 'tanh' ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
  }
}
