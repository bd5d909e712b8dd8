/** rnnlens: the library's public API (explicit re-exports only). */
export { VERSION } from './version.js';
export { Tensor, allocFloat, sizeOf, dtypeOf } from './core/tensor.js';
export type { DType, FloatArray } from './core/tensor.js';
export { Rng } from './core/rng.js';
export { RnnlensError, ArgumentError } from './core/errors.js';
export { gateCount } from './core/backend.js';
export type {
  Backend,
  CellKind,
  CellSpec,
  GemmArgs,
  SequenceForwardArgs,
  SequenceForwardResult,
  SequenceBackwardArgs,
  SequenceBackwardResult,
  SequenceGrads,
} from './core/backend.js';
