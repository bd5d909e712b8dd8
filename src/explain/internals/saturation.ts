/**
 * Gate saturation (Karpathy, Johnson & Fei-Fei 2015): for every unit of every sigmoid gate, the
 * fraction of real steps at which the gate is left-saturated (activation < 0.1) and
 * right-saturated (> 0.9). LSTM gates i, f, o and GRU gates r, z are sigmoids; the tanh
 * candidate (LSTM g, GRU n) and SimpleRNN's activation are not gates and are left out.
 */
import type { SaturationData } from '../../report/figures/saturation-scatter.js';
import type { StepMatrix, TraceLayerInfo, TraceSet } from './collect.js';

export const LEFT = 0.1;
export const RIGHT = 0.9;

export interface UnitSaturation {
  layer: string;
  gate: string;
  unit: number;
  left: number;
  right: number;
}

export interface LayerSaturation {
  layer: string;
  cell: TraceLayerInfo['cell'];
  units: UnitSaturation[];
  /** Per gate: mean fractions over units. */
  summary: { gate: string; left: number; right: number }[];
}

const SIGMOID_GATES: Record<TraceLayerInfo['cell'], string[]> = {
  rnn: [],
  lstm: ['i', 'f', 'o'],
  gru: ['r', 'z'],
};

/** Fractions of the rows of column `col` below `lo` and above `hi`. */
export function saturationOf(
  m: StepMatrix,
  col: number,
  lo = LEFT,
  hi = RIGHT,
): { left: number; right: number } {
  let l = 0;
  let r = 0;
  for (let i = 0; i < m.rows; i++) {
    const v = m.data[i * m.cols + col]!;
    if (v < lo) l++;
    else if (v > hi) r++;
  }
  return { left: l / m.rows, right: r / m.rows };
}

export function gateSaturation(ts: TraceSet): LayerSaturation[] {
  const out: LayerSaturation[] = [];
  ts.layers.forEach((info, k) => {
    const g = ts.values[k]!.gates;
    const gates = SIGMOID_GATES[info.cell];
    if (!g || gates.length === 0) return;
    const units: UnitSaturation[] = [];
    const summary = gates.map((gate) => {
      const block = info.gateNames.indexOf(gate);
      let sl = 0;
      let sr = 0;
      for (let u = 0; u < info.units; u++) {
        const s = saturationOf(g, block * info.units + u);
        units.push({ layer: info.key, gate, unit: u, ...s });
        sl += s.left;
        sr += s.right;
      }
      return { gate, left: sl / info.units, right: sr / info.units };
    });
    out.push({ layer: info.key, cell: info.cell, units, summary });
  });
  return out;
}

/** The data of the Karpathy scatter figure for one layer. */
export function saturationFigureData(s: LayerSaturation): SaturationData {
  return {
    units: s.units.map((u) => ({ unit: u.unit, left: u.left, right: u.right, gate: u.gate })),
    title: `Gate saturation, ${s.layer}`,
  };
}
