/**
 * The gate activation σ of LSTM (i, f, o) and GRU (r, z) gates in the float64 re-run, as
 * src/core/backend.ts defines it: the logistic sigmoid, or a hard sigmoid clip(k·a + 0.5, 0, 1)
 * with k = 0.2 (Keras 2, TF.js) or 1/6 (Keras 3). LRP only reads the gate values (a gate is a
 * constant weight there); DeepLIFT's rescale rule takes the secant Δσ/Δa, and `d` (the slope at
 * the midpoint when Δa ≈ 0; 0 in the saturated parts, as the backend's backward).
 */
import { hardSigmoidSlope, type RecurrentActivation } from '../../core/backend.js';

export interface GateFunction {
  f: (v: number) => number;
  d: (v: number) => number;
}

const logistic: GateFunction = {
  f: (v) => 1 / (1 + Math.exp(-v)),
  d: (v) => {
    const s = 1 / (1 + Math.exp(-v));
    return s * (1 - s);
  },
};

export function gateFunction(act: RecurrentActivation | undefined): GateFunction {
  const k = hardSigmoidSlope(act);
  if (k === 0) return logistic;
  return {
    f: (v) => Math.min(1, Math.max(0, k * v + 0.5)),
    d: (v) => {
      const s = k * v + 0.5;
      return s > 0 && s < 1 ? k : 0;
    },
  };
}
