/**
 * Bidirectional wrapper: a forward and a backward (goBackwards) copy of a recurrent layer, whose
 * outputs are merged: concat [a, b], sum a + b, mean (a + b)/2, or mul a ⊙ b. With
 * returnSequences the backward direction's outputs are put back at input positions first, so step
 * t merges both directions' states at input position t (padding stays zero); otherwise the two
 * final states are merged.
 *
 * Parameters: `<name>/forward/{W,U,bx,bh}` and `<name>/backward/{W,U,bx,bh}`.
 */
import type { Backend } from '../core/backend.js';
import type { Parameter } from '../core/parameter.js';
import type { FloatArray } from '../core/tensor.js';
import type { BidirectionalConfig } from './config.js';
import type {
  BackwardOptions,
  BackwardResult,
  Flow,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerInput,
} from './layer.js';
import type { BuildContext } from './params.js';
import { RecurrentLayer } from './recurrent.js';
import { expectGradLike, flowLike, flowRows } from './seq.js';

type Merge = NonNullable<BidirectionalConfig['merge']>;

interface BidiSaved {
  fwdSaved: unknown;
  bwdSaved: unknown;
  a: Flow; // forward direction's output
  b: Flow; // backward direction's output (aligned)
}

export class BidirectionalLayer implements Layer {
  readonly kind = 'bidirectional' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput: boolean;
  readonly merge: Merge;
  readonly forwardLayer: RecurrentLayer;
  readonly backwardLayer: RecurrentLayer;
  private readonly cfg: BidirectionalConfig;

  constructor(cfg: BidirectionalConfig, inputSize: number, ctx: BuildContext) {
    this.name = cfg.name ?? 'bidirectional';
    this.merge = cfg.merge ?? 'concat';
    const inner = { ...cfg.layer, inputSize };
    delete inner.goBackwards;
    this.cfg = { ...cfg, merge: this.merge, layer: inner };
    this.forwardLayer = new RecurrentLayer({ ...inner }, inputSize, ctx, {
      paramPrefix: `${this.name}/forward`,
      traceName: this.name,
    });
    this.backwardLayer = new RecurrentLayer({ ...inner, goBackwards: true }, inputSize, ctx, {
      paramPrefix: `${this.name}/backward`,
      traceName: this.name,
      alignOutput: true,
    });
    this.inputFeatures = inputSize;
    const H = cfg.layer.units;
    this.outputFeatures = this.merge === 'concat' ? 2 * H : H;
    this.sequenceOutput = this.forwardLayer.sequenceOutput;
  }

  parameters(): Parameter[] {
    return [...this.forwardLayer.parameters(), ...this.backwardLayer.parameters()];
  }

  config(): BidirectionalConfig {
    return { ...this.cfg, layer: { ...this.cfg.layer } };
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    const f = this.forwardLayer.forward(input, opts);
    const r = this.backwardLayer.forward(input, opts);
    const a = f.output;
    const b = r.output;
    const H = this.forwardLayer.outputFeatures;
    const rows = flowRows(a);
    const out = opts.backend.alloc(rows * this.outputFeatures);
    const ad = a.data;
    const bd = b.data;
    for (let row = 0; row < rows; row++) {
      const o = row * this.outputFeatures;
      const s = row * H;
      for (let j = 0; j < H; j++) {
        const x = ad[s + j]!;
        const y = bd[s + j]!;
        switch (this.merge) {
          case 'concat':
            out[o + j] = x;
            out[o + H + j] = y;
            break;
          case 'sum':
            out[o + j] = x + y;
            break;
          case 'mean':
            out[o + j] = 0.5 * (x + y);
            break;
          case 'mul':
            out[o + j] = x * y;
            break;
        }
      }
    }
    const saved: BidiSaved = { fwdSaved: f.saved, bwdSaved: r.saved, a, b };
    const output = flowLike(a, out, this.outputFeatures);
    const final = [...(f.final ?? []), ...(r.final ?? [])];
    return opts.trace
      ? { output, saved, final, trace: [...(f.trace ?? []), ...(r.trace ?? [])] }
      : { output, saved, final };
  }

  discard(saved: unknown, backend: Backend): void {
    const { fwdSaved, bwdSaved } = saved as BidiSaved;
    this.forwardLayer.discard(fwdSaved, backend);
    this.backwardLayer.discard(bwdSaved, backend);
  }

  backward(gradOutput: Flow, saved: unknown, opts: BackwardOptions): BackwardResult {
    const { fwdSaved, bwdSaved, a, b } = saved as BidiSaved;
    const H = this.forwardLayer.outputFeatures;
    const rows = flowRows(a);
    const g = expectGradLike(this.name, gradOutput, a, this.outputFeatures);
    const ga = opts.backend.alloc(rows * H);
    const gb = opts.backend.alloc(rows * H);
    // d(merge)/da and d(merge)/db, row by row.
    for (let row = 0; row < rows; row++) {
      const o = row * this.outputFeatures;
      const s = row * H;
      for (let j = 0; j < H; j++) {
        switch (this.merge) {
          case 'concat':
            ga[s + j] = g[o + j]!;
            gb[s + j] = g[o + H + j]!;
            break;
          case 'sum':
            ga[s + j] = g[o + j]!;
            gb[s + j] = g[o + j]!;
            break;
          case 'mean':
            ga[s + j] = 0.5 * g[o + j]!;
            gb[s + j] = 0.5 * g[o + j]!;
            break;
          case 'mul':
            ga[s + j] = g[o + j]! * b.data[s + j]!;
            gb[s + j] = g[o + j]! * a.data[s + j]!;
            break;
        }
      }
    }
    const rf = this.forwardLayer.backward(flowLike(a, ga, H), fwdSaved, opts);
    const rb = this.backwardLayer.backward(flowLike(b, gb, H), bwdSaved, opts);
    let gradInput: Flow | null = null;
    if (rf.gradInput && rb.gradInput) {
      const sum: FloatArray = rf.gradInput.data;
      const other = rb.gradInput.data;
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + other[i]!;
      gradInput = rf.gradInput;
    }
    return {
      gradInput,
      stepGrads: [...(rf.stepGrads ?? []), ...(rb.stepGrads ?? [])],
      initialStateGrads: [...(rf.initialStateGrads ?? []), ...(rb.initialStateGrads ?? [])],
    };
  }
}
