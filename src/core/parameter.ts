/**
 * A trainable tensor with its gradient. Layers own Parameters; optimisers, checkpoints, gradient
 * checks and importers work on lists of them.
 */
import type { FloatArray } from './tensor.js';

export interface Parameter {
  /** rnnlens name, unique within a model, e.g. `lstm_1/W` (see docs/architecture.md for the mapping). */
  name: string;
  shape: number[];
  value: FloatArray;
  /** Same length as `value`; layers accumulate into it (+=), `zeroGrad` clears it. */
  grad: FloatArray;
}

export function zeroGrads(params: readonly Parameter[]): void {
  for (const p of params) p.grad.fill(0);
}
