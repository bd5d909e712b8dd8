import type { CellSpec } from '../backend.js';

/** Field indices of the layer-call descriptor; mirrors assembly/desc.ts (keep the two in sync). */
export const D = {
  T: 0,
  B: 1,
  HP: 2,
  D: 3,
  FLAGS: 4,
  X: 5,
  WP: 6,
  BIASX: 7,
  UP: 8,
  UP2: 9,
  H0: 10,
  C0: 11,
  MASK: 12,
  G: 13,
  HS: 14,
  CS: 15,
  OUT: 16,
  PRE: 17,
  HN: 18,
  BIASH: 19,
  DOUT: 20,
  DH: 21,
  DC: 22,
  UTP: 23,
  UTP2: 24,
  DA: 25,
  DA2: 26,
  DHSTEPS: 27,
  RH: 28,
} as const;
export const D_FIELDS = 32;

/**
 * FLAGS field: bit 0 SimpleRNN relu; bits 1–2 the gate activation (0 σ, 1 hard Keras 2, 2 hard
 * Keras 3); bit 3 (set by sequence-forward.ts) an outputs-only pass with one step of gate rows
 * (and the LSTM cell states in a two-row ring); bit 4 the hidden states in a two-row ring too
 * (outputs only, last step only); bit 5 x batch-major [B, T, D] (outputs only).
 */
export function cellFlags(cell: CellSpec): number {
  const relu = cell.activation === 'relu' ? 1 : 0;
  const ra = cell.recurrentActivation;
  const mode = ra === 'hard_sigmoid' ? 1 : ra === 'hard_sigmoid_keras3' ? 2 : 0;
  return relu | (mode << 1);
}
