/**
 * Bounding planes of the plain product z = x·y over a box [lx, ux] × [ly, uy] (McCormick):
 *   (x − lx)(y − ly) ≥ 0:  xy ≥ ly·x + lx·y − lx·ly        (x − lx)(uy − y) ≥ 0:  xy ≤ uy·x + lx·y − lx·uy
 *   (ux − x)(uy − y) ≥ 0:  xy ≥ uy·x + ux·y − ux·uy        (ux − x)(y − ly) ≥ 0:  xy ≤ ly·x + ux·y − ux·ly
 * Each plane touches xy at three corners of the box (no plane of its side is tighter there); the
 * two planes of a side have the same value at the box centre, c_x·c_y ∓ w_x·w_y with w the
 * half-widths, and the same mean over the box, so the first of each side is used (the choice of
 * auto_LiRPA's BoundMul too). The float product's rounding
 * (|fl(xy) − xy| ≤ 2^-53·max|xy| + 2^-1075) is moved into the offsets, and the offsets' own
 * products are rounded outward, so the planes hold for the exact product and the forward pass.
 */
import { addUp, mulDown, mulUp, subDown } from '../rounding.js';
import type { PlaneRelaxation } from './products.js';

export function relaxBilinear(lx: number, ux: number, ly: number, uy: number): PlaneRelaxation {
  const m = mulUp(Math.max(Math.abs(lx), Math.abs(ux)), Math.max(Math.abs(ly), Math.abs(uy)));
  const r = addUp(mulUp(m, 2 ** -53), 2 ** -1074);
  return {
    lower: { a: ly, b: lx, c: subDown(-mulUp(lx, ly), r) },
    upper: { a: uy, b: lx, c: addUp(-mulDown(lx, uy), r) },
  };
}
