/**
 * Sequence heads: turn a [B, T, F] batch into what a classifier or regressor reads. Padded steps
 * never contribute.
 * - last:  y_b = x[b, len_b − 1]
 * - mean:  y_b = (1/len_b) Σ_{t<len_b} x[b, t]
 * - max:   y_b,j = max_{t<len_b} x[b, t, j]  (gradient to the first maximising step)
 * - every: the sequence itself (a per-step head; a following Dense acts on every step).
 */
import type { Parameter } from '../core/parameter.js';
import { Tensor } from '../core/tensor.js';
import type { HeadConfig } from './config.js';
import type {
  BackwardOptions,
  BackwardResult,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
  SeqBatch,
} from './layer.js';
import { expectGradLike, expectSeq, withData } from './seq.js';

type Pool = HeadConfig['pool'];

interface HeadSaved {
  x: SeqBatch;
  /** max: the step chosen for each [b, j]. */
  argmax: Int32Array | null;
}

export class HeadLayer implements Layer {
  readonly kind = 'head' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput: boolean;
  readonly pool: Pool;

  constructor(cfg: HeadConfig, inputSize: number) {
    this.name = cfg.name ?? `${cfg.pool}_step`;
    this.pool = cfg.pool;
    this.inputFeatures = inputSize;
    this.outputFeatures = inputSize;
    this.sequenceOutput = cfg.pool === 'every';
  }

  parameters(): Parameter[] {
    return [];
  }

  config(): HeadConfig {
    return { kind: 'head', name: this.name, inputSize: this.inputFeatures, pool: this.pool };
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    const x = expectSeq(this.name, input, this.inputFeatures);
    if (this.pool === 'every') {
      const saved: HeadSaved = { x, argmax: null };
      return { output: x, saved };
    }
    const { batch: B, steps: T, lengths } = x;
    const F = this.inputFeatures;
    const d = x.data;
    const out = opts.backend.alloc(B * F); // [B, F]
    const argmax = this.pool === 'max' ? new Int32Array(B * F) : null;
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      const o = b * F;
      if (this.pool === 'last') {
        out.set(d.subarray((b * T + len - 1) * F, (b * T + len) * F), o);
      } else if (this.pool === 'mean') {
        for (let t = 0; t < len; t++)
          for (let j = 0; j < F; j++) out[o + j] = out[o + j]! + d[(b * T + t) * F + j]!;
        for (let j = 0; j < F; j++) out[o + j] = out[o + j]! / len;
      } else {
        for (let j = 0; j < F; j++) {
          let best = 0;
          for (let t = 1; t < len; t++)
            if (d[(b * T + t) * F + j]! > d[(b * T + best) * F + j]!) best = t;
          argmax![o + j] = best;
          out[o + j] = d[(b * T + best) * F + j]!;
        }
      }
    }
    const saved: HeadSaved = { x, argmax };
    return { output: new Tensor([B, F], out), saved };
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const { x, argmax } = saved as HeadSaved;
    const F = this.inputFeatures;
    const like: Flow =
      this.pool === 'every' ? x : new Tensor([x.batch, F], x.data.subarray(0, x.batch * F));
    const g = expectGradLike(this.name, gradOutput, like, F);
    if (!opts.wantInputGrad) return { gradInput: null };
    const { batch: B, steps: T, lengths } = x;
    const dx = opts.backend.alloc(B * T * F); // [B, T, F], zero at padding
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      const o = b * F;
      if (this.pool === 'every') {
        dx.set(g.subarray(b * T * F, (b * T + len) * F), b * T * F);
      } else if (this.pool === 'last') {
        dx.set(g.subarray(o, o + F), (b * T + len - 1) * F);
      } else if (this.pool === 'mean') {
        for (let t = 0; t < len; t++)
          for (let j = 0; j < F; j++) dx[(b * T + t) * F + j] = g[o + j]! / len;
      } else {
        for (let j = 0; j < F; j++) dx[(b * T + argmax![o + j]!) * F + j] = g[o + j]!;
      }
    }
    return { gradInput: withData(x, dx, F) };
  }
}
