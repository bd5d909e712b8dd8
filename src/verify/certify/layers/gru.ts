/**
 * GRU (gate order r, z, n): r = σ(a_r), z = σ(a_z), h' = (1 − z)⊙n + z⊙h with
 *   reset-after:  n = tanh(x·W_n + bx_n + r⊙(h·U_n + bh_n))
 *   reset-before: n = tanh(x·W_n + bx_n + (r⊙h)·U_n + bh_n)
 * r⊙v and z⊙h are σ(pre)·y products, (1 − z)⊙n is (1 − σ(a_z))·n; each bounded by certified
 * planes over (pre-activation, operand).
 */
import type { Layer } from '../../../nn/layer.js';
import type { RecurrentLayer } from '../../../nn/recurrent.js';
import type { BoundGraph, LFlow } from './graph.js';
import { gatePre, lowerDirection, type CellStep, type CellWeights } from './recurrent.js';

/** h·U_n + bh_n over [h; 1] (reset-after's hidden projection, one sum). */
function hiddenN(g: BoundGraph, w: CellWeights, h: number, label: string): number {
  const { H, G } = w;
  const GH = G * H;
  const cols = H + 1;
  const M = new Float64Array(H * cols);
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < H; i++) M[j * cols + i] = w.U[i * GH + 2 * H + j]!;
    M[j * cols + H] = w.bh[2 * H + j]!;
  }
  return g.affine([h, g.one()], M, null, H, label);
}

/** x·W_n + bx_n + p over [x; p] (reset-after: p = r⊙(h·U_n + bh_n)). */
function inputN(g: BoundGraph, w: CellWeights, x: number, p: number, label: string): number {
  const { D, H, G } = w;
  const GH = G * H;
  const cols = D + H;
  const M = new Float64Array(H * cols);
  for (let j = 0; j < H; j++) {
    for (let d = 0; d < D; d++) M[j * cols + d] = w.W[d * GH + 2 * H + j]!;
    M[j * cols + D + j] = 1;
  }
  return g.affine([x, p], M, w.bx.slice(2 * H, 3 * H), H, label);
}

export function gruStep(resetAfter: boolean): CellStep {
  return (g, w, x, s, t) => {
    const n = `${w.name}[${t}]`;
    const ar = gatePre(g, w, 0, x, s.h, `${n} a_r`);
    const az = gatePre(g, w, 1, x, s.h, `${n} a_z`);
    let an: number;
    if (resetAfter) {
      const hn = hiddenN(g, w, s.h, `${n} h·U_n+bh_n`);
      const rhn = g.product('sigmoid*y', ar, hn, `${n} r⊙(h·U_n+bh_n)`);
      an = inputN(g, w, x, rhn, `${n} a_n`);
    } else {
      const rh = g.product('sigmoid*y', ar, s.h, `${n} r⊙h`);
      an = gatePre(g, w, 2, x, rh, `${n} a_n`);
    }
    const nn = g.act('tanh', an, `${n} n`);
    const keep = g.product('sigmoid*y', az, s.h, `${n} z⊙h`);
    const fresh = g.product('(1-sigmoid)*y', az, nn, `${n} (1−z)⊙n`);
    return { h: g.sum([fresh, keep], `${n} h`) };
  };
}

export function lowerGru(layer: Layer, input: LFlow, g: BoundGraph): LFlow {
  const r = layer as RecurrentLayer;
  return lowerDirection(r, input, g, gruStep(r.cell.resetAfter ?? true), false);
}
