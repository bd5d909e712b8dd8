/**
 * GraphLayer: a small DAG of differentiable ops (one rule per op, ./ops.ts) between the recurrent
 * layers of an imported model — pooling, convolutions, normalisation, attention, heads.
 *
 * The layer's input Flow is bound to one or more graph values in their own axis order (`inputs`):
 *   source 'steps': a SeqBatch [B, T, F] read as the value, its axes labelled B, T, F0, F1, …
 *                   (the flow's features split into `featureDims`);
 *   source 'last':  from a SeqBatch, the state after the last real step of each direction
 *                   (F0 indexes directions: the forward one at len−1, the backward one at 0);
 *   source 'flat':  a [B, F] tensor;
 *   source 'cell':  the final cell states of the previous (LSTM) layer, F0 indexing directions
 *                   (ONNX Y_c); their gradients go back to it as injected final-state gradients;
 *   source 'mask':  [B, T], 1 on the steps within each sequence's length and 0 on padding (no gradient);
 *   `reversed`:     'steps' of a goBackwards layer (processing order) read back in input order.
 * The output value's axes are labelled B, T (optional) and F…; it becomes a SeqBatch when it has
 * a T axis, otherwise a [B, F] tensor. Constant float tensors of more than one element are
 * Parameters (`<layer>/<value>`), so the weights travel like any layer's.
 *
 * Padding: ops see the padded [B, T, …] tensor as PyTorch would (a reduction over time includes
 * padded steps, which hold zeros when they come from a recurrent layer); the output's padded steps
 * are set to zero. Imported PyTorch graphs run on fixed-length batches, where this is exact.
 */
import { ArgumentError, RnnlensError } from '../../core/errors.js';
import type { Parameter } from '../../core/parameter.js';
import { Tensor, allocFloat, type DType } from '../../core/tensor.js';
import type { GraphConfig } from '../config.js';
import type { BackwardOptions, BackwardResult, Direction, DirectionInjection, FinalState, Flow, ForwardOptions, ForwardResult, Layer, LayerInput, SeqBatch } from '../layer.js';
import { isSeqBatch } from '../layer.js';
import { expectSeq } from '../seq.js';
import { numel, transposeIndex, type Nd } from './nd.js';
import { GRAPH_OPS } from './ops.js';
import type { Forward, GNode, OpEnv } from './rule.js';

export type GraphInputBinding = GraphConfig['inputs'][number];

/** What a forward pass keeps: every value by name and every op's forward record. */
export interface GraphSaved {
  /** Directions of the previous layer's final cell states read by 'cell' bindings, in order. */
  cellDirs: Direction[];
  vals: Map<string, Nd>;
  fwd: Forward[];
  batch: number;
  steps: number;
  lengths: Int32Array | null;
  seqIn: boolean;
}

/** Axis sizes of a binding's canonical (flow) order [B, T?, F0, F1, …]. */
function canonical(axes: readonly string[], B: number, T: number, fdims: readonly number[]): { labels: string[]; shape: number[] } {
  // feature axes of size 1 may be absent from the value (a [B, T] input of one feature)
  const labels = ['B', ...(axes.includes('T') ? ['T'] : []), ...fdims.map((_, i) => `F${i}`).filter((l) => axes.includes(l))];
  const shape = labels.map((l) => (l === 'B' ? B : l === 'T' ? T : fdims[Number(l.slice(1))]!));
  return { labels, shape };
}

export class GraphLayer implements Layer {
  readonly kind = 'graph' as const;
  readonly name: string;
  readonly inputFeatures: number;
  readonly outputFeatures: number;
  readonly sequenceOutput: boolean;
  readonly nodes: readonly GNode[];
  private readonly params: Parameter[];
  private readonly paramOf = new Map<string, Parameter>();
  private readonly consts = new Map<string, Nd>();
  private readonly needsGrad = new Set<string>();
  private readonly env: OpEnv;

  constructor(
    private readonly cfg: GraphConfig,
    inputSize: number,
    dtype: DType,
  ) {
    this.name = cfg.name ?? 'graph';
    const where = `graph layer ${this.name}`;
    this.env = { opset: cfg.opset };
    for (const b of cfg.inputs) {
      const F = numel(b.featureDims);
      if (F !== inputSize) throw new ArgumentError(where, `inputs.${b.value}.featureDims`, `dims whose product is the ${inputSize} input features`, `[${b.featureDims.join(', ')}]`);
    }
    this.inputFeatures = inputSize;
    this.outputFeatures = cfg.output.features;
    this.sequenceOutput = cfg.output.axes.includes('T');
    this.nodes = cfg.nodes as GNode[];
    for (const n of this.nodes) if (!GRAPH_OPS[n.op]) throw new ArgumentError(where, `nodes.${n.name}.op`, 'a supported graph op', JSON.stringify(n.op));
    for (const [k, c] of Object.entries(cfg.consts)) {
      if (c.data.length !== numel(c.shape)) throw new ArgumentError(where, `consts.${k}`, `${numel(c.shape)} values for shape [${c.shape.join(', ')}]`, `${c.data.length}`);
      this.consts.set(k, { shape: [...c.shape], data: Float64Array.from(c.data), int: c.int });
    }
    this.params = cfg.params.map((p) => {
      const n = numel(p.shape);
      const param: Parameter = { name: `${this.name}/${p.value}`, shape: [...p.shape], value: allocFloat(dtype, n), grad: allocFloat(dtype, n) };
      this.paramOf.set(p.value, param);
      return param;
    });
    // values a gradient can reach: from the bound inputs and the parameters, forwards
    for (const b of cfg.inputs) if (b.source !== 'mask') this.needsGrad.add(b.value);
    for (const p of cfg.params) this.needsGrad.add(p.value);
    for (const n of this.nodes) if (n.inputs.some((i) => this.needsGrad.has(i))) for (const o of n.outputs) if (o) this.needsGrad.add(o);
    if (!this.needsGrad.has(cfg.output.value)) throw new ArgumentError(where, 'output.value', 'a value computed from the layer input', JSON.stringify(cfg.output.value));
  }

  parameters(): Parameter[] {
    return this.params;
  }

  config(): GraphConfig {
    return { ...this.cfg, name: this.name, inputSize: this.inputFeatures };
  }

  /** The op types used, in order of first use. */
  opTypes(): string[] {
    return [...new Set(this.nodes.map((n) => n.op))];
  }

  /** Sets the bound input values of `x` in `vals` (the importer's probes use it too). */
  bind(x: Flow, vals: Map<string, Nd>, previousFinal?: FinalState[]): { batch: number; steps: number; lengths: Int32Array | null; cellDirs: Direction[] } {
    const seq = isSeqBatch(x);
    const B = seq ? x.batch : (x as Tensor).shape[0]!;
    const T = seq ? x.steps : 1;
    let cellDirs: Direction[] = [];
    for (const b of this.cfg.inputs) {
      const where = `graph layer ${this.name}`;
      if (b.source === 'cell') {
        const cs = (previousFinal ?? []).filter((f) => f.c);
        const D = b.featureDims[0]!;
        const H = b.featureDims[1] ?? 1;
        if (cs.length !== D || cs.some((f) => f.c!.length !== B * H))
          throw new RnnlensError(`${where}: reads the final cell states (ONNX Y_c) of the previous LSTM layer, which this pass does not provide (run the whole model)`);
        cellDirs = cs.map((f) => f.direction);
        const data = new Float64Array(B * D * H);
        for (let i = 0; i < B; i++) for (let d = 0; d < D; d++) for (let h = 0; h < H; h++) data[(i * D + d) * H + h] = cs[d]!.c![i * H + h]!;
        const labels = ['B', 'F0', 'F1'];
        const t = transposeIndex([B, D, H], b.axes.map((a) => labels.indexOf(a)));
        vals.set(b.value, { shape: t.shape, data: Float64Array.from(t.map, (m) => data[m]!), int: false });
        continue;
      }
      if (b.source === 'mask') {
        const data = new Float64Array(B * T);
        for (let i = 0; i < B; i++) data.fill(1, i * T, i * T + (seq ? x.lengths[i]! : T));
        vals.set(b.value, { shape: [B, T], data, int: false });
        continue;
      }
      if ((b.source === 'flat') === seq) throw new ArgumentError(where, 'input', b.source === 'flat' ? `a [B, ${this.inputFeatures}] tensor` : `a sequence batch [B, T, ${this.inputFeatures}]`, seq ? 'a sequence batch' : 'a tensor');
      const src = seq ? x.data : (x as Tensor).data;
      let data: Float64Array;
      let cAxes: string[];
      if (b.source === 'last') {
        const s = x as SeqBatch;
        const D = b.featureDims[0]!;
        const H = this.inputFeatures / D;
        data = new Float64Array(B * this.inputFeatures);
        for (let i = 0; i < B; i++)
          for (let d = 0; d < D; d++) {
            const t = d === 0 ? s.lengths[i]! - 1 : 0;
            for (let h = 0; h < H; h++) data[i * this.inputFeatures + d * H + h] = src[(i * T + t) * this.inputFeatures + d * H + h]!;
          }
        cAxes = canonical(b.axes.filter((a) => a !== 'T'), B, 1, b.featureDims).labels;
      } else if (b.reversed) {
        const s = x as SeqBatch;
        const F = this.inputFeatures;
        data = new Float64Array(B * T * F);
        for (let i = 0; i < B; i++) {
          const n = s.lengths[i]!;
          for (let t = 0; t < n; t++) data.set(src.subarray((i * T + n - 1 - t) * F, (i * T + n - t) * F), (i * T + t) * F);
        }
        cAxes = canonical(b.axes, B, T, b.featureDims).labels;
      } else {
        data = Float64Array.from(src);
        cAxes = canonical(b.axes, B, T, b.featureDims).labels;
      }
      const cShape = cAxes.map((l) => (l === 'B' ? B : l === 'T' ? (b.source === 'last' ? 1 : T) : b.featureDims[Number(l.slice(1))]!));
      const perm = b.axes.map((a) => cAxes.indexOf(a));
      const t = transposeIndex(cShape, perm);
      const out = new Float64Array(t.map.length);
      for (let i = 0; i < out.length; i++) out[i] = data[t.map[i]!]!;
      vals.set(b.value, { shape: t.shape, data: out, int: false });
    }
    return { batch: B, steps: T, lengths: seq ? x.lengths : null, cellDirs };
  }

  forward(input: LayerInput, opts: ForwardOptions): ForwardResult {
    return this.run(input, opts.backend.dtype, opts.previousFinal);
  }

  /**
   * The forward pass with its saved values (GraphSaved). Nodes named in `identity` are computed
   * as the identity on their first input (the propagation passes use it to explain a final
   * Softmax's logits).
   */
  run(input: LayerInput, dtype: DType, previousFinal?: FinalState[], identity?: ReadonlySet<string>): { output: Flow; saved: GraphSaved } {
    const flowBinding = this.cfg.inputs.find((b) => b.source !== 'cell');
    const x: Flow = !flowBinding ? (input instanceof Tensor ? this.expectRows(input) : expectSeq(this.name, input, this.inputFeatures)) : flowBinding.source === 'flat' ? this.expectRows(input) : expectSeq(this.name, input, this.inputFeatures);
    const vals = new Map<string, Nd>(this.consts);
    for (const [k, p] of this.paramOf) vals.set(k, { shape: [...p.shape], data: Float64Array.from(p.value), int: false });
    const b = this.bind(x, vals, previousFinal);
    const fwd: Forward[] = [];
    for (const n of this.nodes) {
      const ins = n.inputs.map((i) => (i ? vals.get(i) ?? this.missing(n, i) : null));
      const f = identity?.has(n.name) ? { outs: [{ ...ins[0]!, data: ins[0]!.data.slice() }] } : GRAPH_OPS[n.op]!.forward(ins, n, this.env);
      n.outputs.forEach((o, k) => {
        if (o && f.outs[k]) vals.set(o, f.outs[k]!);
      });
      fwd.push(f);
    }
    const y = vals.get(this.cfg.output.value)!;
    const output = this.toFlow(y, b, dtype);
    const saved: GraphSaved = { vals, fwd, ...b, seqIn: isSeqBatch(x) };
    return { output, saved };
  }

  private missing(n: GNode, i: string): never {
    throw new RnnlensError(`graph layer ${this.name}: op '${n.name}' (${n.op}) reads '${i}', which no earlier op produced`);
  }

  private expectRows(input: LayerInput): Tensor {
    if (!(input instanceof Tensor) || input.shape.length !== 2 || input.shape[1] !== this.inputFeatures)
      throw new ArgumentError(this.name, 'input', `a [B, ${this.inputFeatures}] tensor`, input instanceof Tensor ? `[${input.shape.join(', ')}]` : 'a sequence batch');
    return input;
  }

  /** The output value in batch-first flow order, with padded steps zeroed. */
  private toFlow(y: Nd, b: { batch: number; steps: number; lengths: Int32Array | null }, dtype: DType): Flow {
    const { axes, features } = this.cfg.output;
    const where = `graph layer ${this.name}`;
    if (y.shape.length !== axes.length) throw new RnnlensError(`${where}: output '${this.cfg.output.value}' has shape [${y.shape.join(', ')}], expected ${axes.length} axes (${axes.join(', ')})`);
    const B = y.shape[axes.indexOf('B')]!;
    if (B !== b.batch) throw new RnnlensError(`${where}: output batch axis has ${B} rows for a batch of ${b.batch}`);
    const order = ['B', ...(axes.includes('T') ? ['T'] : []), ...axes.flatMap((a) => (a.startsWith('F') ? [a] : []))];
    const perm = order.map((a) => axes.indexOf(a));
    const t = transposeIndex(y.shape, perm);
    const F = numel(order.slice(axes.includes('T') ? 2 : 1).map((a) => y.shape[axes.indexOf(a)]!));
    if (F !== features) throw new RnnlensError(`${where}: output has ${F} features per ${axes.includes('T') ? 'step' : 'row'}, the layer declares ${features}`);
    const data = allocFloat(dtype, t.map.length);
    for (let i = 0; i < data.length; i++) data[i] = y.data[t.map[i]!]!;
    if (!axes.includes('T')) return new Tensor([B, F], data);
    const T = y.shape[axes.indexOf('T')]!;
    const lengths = this.outLengths(b, T);
    for (let i = 0; i < B; i++) data.fill(0, (i * T + lengths[i]!) * F, (i + 1) * T * F);
    return { data, batch: B, steps: T, features: F, lengths };
  }

  private outLengths(b: { batch: number; steps: number; lengths: Int32Array | null }, T: number): Int32Array {
    if (b.lengths && T === b.steps) return b.lengths;
    if (b.lengths && b.lengths.some((l) => l !== b.steps))
      throw new RnnlensError(`graph layer ${this.name}: the segment changes the number of steps (${b.steps} → ${T}); padded batches of unequal lengths cannot pass it (give sequences of equal length)`);
    return new Int32Array(b.batch).fill(T);
  }

  backward(gradOutput: Flow, savedAny: unknown, opts: BackwardOptions): BackwardResult {
    const s = savedAny as GraphSaved;
    const grads = this.outputSeed(gradOutput, s);
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const n = this.nodes[k]!;
      const gOuts = n.outputs.map((o) => (o ? grads.get(o) ?? null : null));
      if (gOuts.every((g) => g === null)) continue;
      if (!n.inputs.some((i) => this.needsGrad.has(i))) continue;
      const rule = GRAPH_OPS[n.op]!;
      if (!rule.backward) throw new RnnlensError(`graph layer ${this.name}: op '${n.name}' (${n.op}) has no gradient rule`);
      const f = s.fwd[k]!;
      const filled = gOuts.map((g, i) => g ?? (f.outs[i] ? { shape: [...f.outs[i]!.shape], data: new Float64Array(f.outs[i]!.data.length), int: false } : null));
      const ins = n.inputs.map((i) => (i ? s.vals.get(i)! : null));
      const gIns = rule.backward(filled, ins, f, n, this.env);
      n.inputs.forEach((name, i) => {
        const g = gIns[i];
        if (!name || !g || !this.needsGrad.has(name)) return;
        const prev = grads.get(name);
        if (prev) for (let j = 0; j < g.data.length; j++) prev.data[j] += g.data[j]!;
        else grads.set(name, { shape: [...g.shape], data: Float64Array.from(g.data), int: false });
      });
    }
    if (opts.paramGrads)
      for (const [k, p] of this.paramOf) {
        const g = grads.get(k);
        if (g) for (let j = 0; j < g.data.length; j++) p.grad[j] += g.data[j]!;
      }
    const previousFinalGrads = this.cellGrads(grads, s, opts.backend.dtype);
    const extra = previousFinalGrads ? { previousFinalGrads } : {};
    if (!opts.wantInputGrad) return { gradInput: null, ...extra };
    return { gradInput: this.inputGrad(grads, s, opts.backend.dtype), ...extra };
  }

  /** The bound values of the layer input and the final states they are read from (for the propagation passes). */
  inputBindings(): readonly GraphInputBinding[] {
    return this.cfg.inputs;
  }

  /** A flow-shaped array (gradient, relevance, multipliers) on the output → on the output value. */
  outputSeed(gradOutput: Flow, s: GraphSaved): Map<string, Nd> {
    const { axes } = this.cfg.output;
    const y = s.vals.get(this.cfg.output.value)!;
    // flow gradient → the output value's layout
    const order = ['B', ...(axes.includes('T') ? ['T'] : []), ...axes.flatMap((a) => (a.startsWith('F') ? [a] : []))];
    const t = transposeIndex(y.shape, order.map((a) => axes.indexOf(a)));
    const gsrc = gradOutput instanceof Tensor ? gradOutput.data : gradOutput.data;
    if (gsrc.length !== t.map.length) throw new ArgumentError(this.name, 'gradOutput', `${t.map.length} values (like the output)`, `${gsrc.length}`);
    const gy = new Float64Array(y.data.length);
    const Fo = this.outputFeatures;
    for (let i = 0; i < t.map.length; i++) {
      if (!(gradOutput instanceof Tensor)) {
        const row = Math.floor(i / Fo);
        const bi = Math.floor(row / gradOutput.steps);
        if (row % gradOutput.steps >= gradOutput.lengths[bi]!) continue;
      }
      gy[t.map[i]!] += gsrc[i]!;
    }
    return new Map<string, Nd>([[this.cfg.output.value, { shape: [...y.shape], data: gy, int: false }]]);
  }

  /** Gradients on the previous layer's final cell states, by direction. */
  private cellGrads(grads: Map<string, Nd>, s: GraphSaved, dtype: DType): Partial<Record<Direction, DirectionInjection>> | undefined {
    let out: Partial<Record<Direction, DirectionInjection>> | undefined;
    for (const b of this.cfg.inputs) {
      const g = b.source === 'cell' ? grads.get(b.value) : undefined;
      if (!g) continue;
      const D = b.featureDims[0]!;
      const H = b.featureDims[1] ?? 1;
      const tr = transposeIndex(g.shape, ['B', 'F0', 'F1'].map((l) => b.axes.indexOf(l)));
      out ??= {};
      for (let d = 0; d < D; d++) {
        const dc = allocFloat(dtype, s.batch * H);
        for (let i = 0; i < s.batch; i++) for (let h = 0; h < H; h++) dc[i * H + h] = g.data[tr.map[(i * D + d) * H + h]!]!;
        const dir = s.cellDirs[d]!;
        const prev = out[dir]?.dcLast;
        if (prev) for (let j = 0; j < dc.length; j++) dc[j] = dc[j]! + prev[j]!;
        out[dir] = { dcLast: dc };
      }
    }
    return out;
  }

  /** Values' gradients (relevance, multipliers) on the bound inputs → on the layer input flow. */
  inputGrad(grads: Map<string, Nd>, s: GraphSaved, dtype: DType): Flow {
    const B = s.batch;
    const T = s.steps;
    const F = this.inputFeatures;
    const out = allocFloat(dtype, B * (s.seqIn ? T : 1) * F);
    for (const b of this.cfg.inputs) {
      const g = b.source === 'cell' || b.source === 'mask' ? undefined : grads.get(b.value);
      if (!g) continue;
      const last = b.source === 'last';
      const cAxes = canonical(last ? b.axes.filter((a) => a !== 'T') : b.axes, B, last ? 1 : T, b.featureDims);
      // g is in the binding's axis order; walk it in canonical order
      const perm = cAxes.labels.map((l) => b.axes.indexOf(l));
      const tr = transposeIndex(g.shape, perm);
      if (!last && b.reversed) {
        for (let i = 0; i < B; i++) {
          const n = s.lengths![i]!;
          for (let t = 0; t < n; t++) for (let f = 0; f < F; f++) out[(i * T + n - 1 - t) * F + f] += g.data[tr.map[(i * T + t) * F + f]!]!;
        }
      } else if (!last) {
        for (let i = 0; i < tr.map.length; i++) out[i] += g.data[tr.map[i]!]!;
      } else {
        const D = b.featureDims[0]!;
        const H = F / D;
        for (let i = 0; i < B; i++)
          for (let d = 0; d < D; d++) {
            const t = d === 0 ? s.lengths![i]! - 1 : 0;
            for (let h = 0; h < H; h++) out[(i * T + t) * F + d * H + h] += g.data[tr.map[i * F + d * H + h]!]!;
          }
      }
    }
    if (!s.seqIn) return new Tensor([B, F], out);
    for (let i = 0; i < B; i++) out.fill(0, (i * T + s.lengths![i]!) * F, (i + 1) * T * F);
    return { data: out, batch: B, steps: T, features: F, lengths: s.lengths! };
  }
}
