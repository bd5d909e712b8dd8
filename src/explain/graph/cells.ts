/**
 * Final cell states read by a graph layer (ONNX `Y_c`: input bindings with source 'cell').
 *
 * What LRP or DeepLIFT brings to such a value (relevance, or multipliers) is handed back to the
 * LSTM direction whose c_T it is: that direction's rule (../lrp/cells.ts, ../deeplift/cells.ts)
 * adds it to what c_T receives from h_T = o_T ⊙ tanh(c_T), and the cell rules carry the total on
 * through the forget path c_{T−1} and the input path i⊙g as any cell-state relevance. The passes
 * run one sequence at a time, so each binding holds one row (B = 1).
 */
import { RnnlensError } from '../../core/errors.js';
import type { GraphLayer } from '../../nn/graph/layer.js';
import { transposeIndex, type Nd } from '../../nn/graph/nd.js';
import type { CellRun } from '../lrp/unroll.js';

/** Relevance (LRP) or multipliers (DeepLIFT) on the final cell state [H] of LSTM directions, by run. */
export type CellSeeds = Map<CellRun, Float64Array>;

/**
 * Adds the values on `layer`'s 'cell' bindings (from `vals`, in the bindings' axis order) to
 * `seeds`, by the direction runs `runs` they were read from (the order of the layer's F0 axis).
 */
export function collectCellSeeds(layer: GraphLayer, runs: readonly CellRun[], vals: ReadonlyMap<string, Nd>, seeds: CellSeeds): void {
  for (const b of layer.inputBindings()) {
    if (b.source !== 'cell') continue;
    const g = vals.get(b.value);
    if (!g) continue;
    const D = b.featureDims[0]!;
    const H = b.featureDims[1] ?? 1;
    if (runs.length !== D || runs.some((r) => r.H !== H))
      throw new RnnlensError(`graph layer '${layer.name}': reads ${D} final cell state(s) of ${H} units (value '${b.value}'), but the layer before it has ${runs.length} LSTM direction(s)`);
    // canonical [B = 1, D, H] order → the binding's layout
    const tr = transposeIndex(g.shape, ['B', 'F0', 'F1'].map((l) => b.axes.indexOf(l)));
    for (let d = 0; d < D; d++) {
      const run = runs[d]!;
      const s = seeds.get(run) ?? new Float64Array(H);
      for (let h = 0; h < H; h++) s[h] += g.data[tr.map[d * H + h]!]!;
      seeds.set(run, s);
    }
  }
}
