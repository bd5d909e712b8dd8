/** Field indices of the layer-call descriptor; mirrors assembly/desc.ts (keep the two in sync). */
export const D = {
  T: 0, B: 1, HP: 2, D: 3, FLAGS: 4, X: 5, WP: 6, BIASX: 7, UP: 8, UP2: 9, H0: 10, C0: 11, MASK: 12,
  G: 13, HS: 14, CS: 15, OUT: 16, PRE: 17, HN: 18, BIASH: 19, DOUT: 20, DH: 21, DC: 22, UTP: 23,
  UTP2: 24, DA: 25, DA2: 26, DHSTEPS: 27, RH: 28,
} as const;
export const D_FIELDS = 32;
