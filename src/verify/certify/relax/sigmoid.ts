/** Sound linear relaxations of the logistic sigmoid σ on [l, u] (CROWN default and α-CROWN family). */
import { sigmoid, sigmoidCurvMax, sigmoidDeriv, sigmoidHi, sigmoidLo } from '../activations.js';
import type { LinearRelaxation, ScalarFn } from './line.js';
import { relaxSShape, relaxSShapeAlpha } from './sshape.js';

export const SIGMOID: ScalarFn = {
  name: 'sigmoid',
  f: sigmoid,
  lo: sigmoidLo,
  hi: sigmoidHi,
  deriv: sigmoidDeriv,
  curvMax: sigmoidCurvMax,
};

export function relaxSigmoid(l: number, u: number): LinearRelaxation {
  return relaxSShape(SIGMOID, l, u, 'relaxSigmoid');
}

export function relaxSigmoidAlpha(
  l: number,
  u: number,
  alphaLower: number,
  alphaUpper: number,
): LinearRelaxation {
  return relaxSShapeAlpha(SIGMOID, l, u, alphaLower, alphaUpper, 'relaxSigmoidAlpha');
}
