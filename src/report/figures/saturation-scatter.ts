/**
 * Gate saturation (Karpathy, Johnson & Fei-Fei, 2015): per unit, the fraction of steps at which a
 * gate is left-saturated (activation < 0.1) against right-saturated (> 0.9). Points lie in the
 * triangle below the line left + right = 1; units near the corners act as switches.
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, nonEmpty, type VegaLiteSpec } from './common.js';

export interface SaturationData {
  units: { unit: number; left: number; right: number; gate?: string }[];
  title?: string;
}

export function saturationScatter(data: SaturationData): VegaLiteSpec {
  const where = 'saturationScatter';
  const units = nonEmpty(where, 'units', data.units).map((u, i) => {
    const left = finite(where, `units[${i}].left`, u.left);
    const right = finite(where, `units[${i}].right`, u.right);
    if (left < 0 || right < 0 || left + right > 1 + 1e-9) {
      throw new ArgumentError(
        where,
        `units[${i}]`,
        'fractions with left, right >= 0 and left + right <= 1',
        `left ${left}, right ${right}`,
      );
    }
    return { unit: u.unit, left, right, gate: u.gate ?? 'gate' };
  });
  const axis = (title: string) => ({
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title,
  });
  return {
    ...frame(data.title ?? 'Gate saturation per unit', 320, 320),
    layer: [
      {
        data: {
          values: [
            { left: 0, right: 1 },
            { left: 1, right: 0 },
          ],
        },
        mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'left', ...axis('fraction left-saturated (< 0.1)') },
          y: { field: 'right', ...axis('fraction right-saturated (> 0.9)') },
        },
      },
      {
        data: { values: units },
        mark: { type: 'point', filled: true, opacity: 0.7, size: 40 },
        encoding: {
          x: { field: 'left', type: 'quantitative' },
          y: { field: 'right', type: 'quantitative' },
          color: { field: 'gate', type: 'nominal', title: 'gate' },
          tooltip: [
            { field: 'gate', type: 'nominal' },
            { field: 'unit', type: 'quantitative' },
            { field: 'left', type: 'quantitative', format: '.3f' },
            { field: 'right', type: 'quantitative', format: '.3f' },
          ],
        },
      },
    ],
  };
}
