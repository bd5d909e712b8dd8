/** Sound linear relaxations of tanh on [l, u] (CROWN default and α-CROWN family). */
import { tanh, tanhCurvMax, tanhDeriv, tanhHi, tanhLo } from '../activations.js';
import type { LinearRelaxation, ScalarFn } from './line.js';
import { relaxSShape, relaxSShapeAlpha } from './sshape.js';

export const TANH: ScalarFn = {
  name: 'tanh',
  f: tanh,
  lo: tanhLo,
  hi: tanhHi,
  deriv: tanhDeriv,
  curvMax: tanhCurvMax,
};

export function relaxTanh(l: number, u: number): LinearRelaxation {
  return relaxSShape(TANH, l, u, 'relaxTanh');
}

export function relaxTanhAlpha(
  l: number,
  u: number,
  alphaLower: number,
  alphaUpper: number,
): LinearRelaxation {
  return relaxSShapeAlpha(TANH, l, u, alphaLower, alphaUpper, 'relaxTanhAlpha');
}
