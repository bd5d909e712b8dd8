/**
 * The float64 re-run of a graph layer on one sequence for the propagation passes: every value
 * and every op's forward record (GraphLayer.run), and the conversions between one sequence's
 * activation (Act, as ../lrp/unroll.ts) and the layer's flows.
 *
 * When the layer ends the model with a Softmax or LogSoftmax (through shape ops), that op is run
 * as the identity: LRP and DeepLIFT explain the target's logit, as they do for imported models
 * whose final Softmax the importer strips (a probability is no score to redistribute).
 */
import { Tensor } from '../../core/tensor.js';
import type { GraphLayer, GraphSaved } from '../../nn/graph/layer.js';
import type { Nd } from '../../nn/graph/nd.js';
import type { FinalState, Flow } from '../../nn/layer.js';
import type { Act, CellRun } from '../lrp/unroll.js';
import { finalSoftmax } from './plan.js';

export interface GraphTrace {
  saved: GraphSaved;
  /** The final Softmax/LogSoftmax run as the identity, or null. */
  softmax: string | null;
}

export function actToFlow(x: Act): Flow {
  if (x.steps === null) return new Tensor([1, x.features], Float64Array.from(x.data));
  return { data: Float64Array.from(x.data), batch: 1, steps: x.steps, features: x.features, lengths: Int32Array.of(x.steps) };
}

export function flowToAct(y: Flow): Act {
  if (y instanceof Tensor) return { data: Float64Array.from(y.data), steps: null, features: y.shape[1]! };
  return { data: Float64Array.from(y.data), steps: y.steps, features: y.features };
}

/** The final states of the directions before the layer (for a graph reading ONNX Y_c). */
export function finalStates(runs: readonly CellRun[]): FinalState[] {
  return runs.map((r) => ({
    layer: r.layer.name,
    direction: r.layer.direction,
    h: r.h.slice(r.len * r.H, (r.len + 1) * r.H),
    ...(r.c ? { c: r.c.slice(r.len * r.H, (r.len + 1) * r.H) } : {}),
  }));
}

/** Runs `layer` on one sequence; `last`: the layer ends the model. */
export function traceGraph(layer: GraphLayer, x: Act, previous: FinalState[] | undefined, last: boolean): { trace: GraphTrace; out: Act } {
  const softmax = last ? finalSoftmax(layer) : null;
  const { output, saved } = layer.run(actToFlow(x), 'float64', previous, softmax ? new Set([softmax]) : undefined);
  return { trace: { saved, softmax }, out: flowToAct(output) };
}

/** A flow-shaped array on the layer output → values (by name). */
export function seedValues(layer: GraphLayer, trace: GraphTrace, out: Act, R: Float64Array): Map<string, Nd> {
  const flow = out.steps === null ? new Tensor([1, out.features], R) : { data: R, batch: 1, steps: out.steps, features: out.features, lengths: Int32Array.of(out.steps) };
  return layer.outputSeed(flow, trace.saved);
}

/** Values on the bound inputs → an array shaped like the layer input of the sequence. */
export function inputArray(layer: GraphLayer, trace: GraphTrace, vals: Map<string, Nd>): Float64Array {
  const f = layer.inputGrad(vals, trace.saved, 'float64');
  return Float64Array.from(f.data);
}
