/**
 * Hidden-unit targets for the propagation passes: "unit u of recurrent layer L's state after its
 * last step" (the forward direction's state at input position len − 1, the backward direction's
 * at position 0). The passes then run the layers up to L only, start at that unit of the
 * direction's final state, and walk back as usual.
 */
import { ArgumentError } from '../../core/errors.js';
import { BidirectionalLayer } from '../../nn/bidirectional.js';
import type { Layer } from '../../nn/layer.js';
import type { SequenceModel } from '../../nn/model.js';
import { RecurrentLayer } from '../../nn/recurrent.js';
import type { ResolvedTarget } from '../types.js';
import type { CellRun, LayerRecord } from './unroll.js';

export interface HiddenCut {
  /** The model's layers up to and including the target layer. */
  layers: readonly Layer[];
  unit: number;
  /** The target direction's run in the target layer's record. */
  run(rec: LayerRecord): CellRun;
}

export function hiddenCut(
  where: string,
  model: SequenceModel,
  t: ResolvedTarget,
  start: number,
): HiddenCut {
  const k = model.layers.findIndex((l) => l.name === t.layer);
  const layer = model.layers[k];
  if (k < start || !(layer instanceof RecurrentLayer || layer instanceof BidirectionalLayer))
    throw new ArgumentError(
      where,
      'target.layer',
      'the name of a recurrent or bidirectional layer',
      JSON.stringify(t.layer),
    );
  const direction = t.direction ?? (layer instanceof RecurrentLayer ? layer.direction : 'forward');
  if (layer instanceof RecurrentLayer && layer.direction !== direction)
    throw new ArgumentError(
      where,
      'target.direction',
      `'${layer.direction}' (layer '${layer.name}')`,
      `'${direction}'`,
    );
  const H =
    layer instanceof BidirectionalLayer ? layer.forwardLayer.outputFeatures : layer.outputFeatures;
  if (!Number.isInteger(t.index) || t.index < 0 || t.index >= H)
    throw new ArgumentError(where, 'target.unit', `a unit in [0, ${H - 1}]`, String(t.index));
  return {
    layers: model.layers.slice(0, k + 1),
    unit: t.index,
    run(rec) {
      if (rec.kind === 'recurrent') return rec.run;
      if (rec.kind === 'bidirectional') return direction === 'forward' ? rec.fwd : rec.bwd;
      throw new ArgumentError(where, 'target.layer', 'a recurrent layer record', rec.kind);
    },
  };
}

/** A one-hot [H] vector on the final state, scaled by `scale` (LRP: the unit's value; DeepLIFT: 1). */
export function finalStateSeed(run: CellRun, unit: number, scale: number): Float64Array {
  const v = new Float64Array(run.H);
  v[unit] = scale;
  return v;
}
