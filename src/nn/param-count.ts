/**
 * The number of parameters a model config declares, computed from the config alone (nothing is
 * allocated), so loaders and the model constructor can check sizes first.
 */
import { checkLimit } from '../core/limits.js';
import type { ModelConfig, RecurrentConfig } from './config.js';

const GATES: Record<RecurrentConfig['kind'], number> = { simple_rnn: 1, lstm: 4, gru: 3 };

function recurrent(cfg: RecurrentConfig, inputs: number): number {
  const gh = GATES[cfg.kind] * cfg.units;
  return inputs * gh + cfg.units * gh + 2 * gh;
}

/**
 * Parameters of a (schema-valid) model config, and the limit checks on each layer's sizes.
 * Throws an ArgumentError naming the layer when a size or the total is over its limit.
 */
export function countParameters(cfg: ModelConfig, where = 'SequenceModel'): number {
  let features = cfg.input.kind === 'numeric' ? cfg.input.features : cfg.input.vocabSize;
  checkLimit(where, cfg.input.kind === 'numeric' ? 'input.features' : 'input.vocabSize', cfg.input.kind === 'numeric' ? 'units' : 'vocabulary', features);
  let total = 0;
  cfg.layers.forEach((lc, i) => {
    const at = `layer ${i} (${lc.kind})`;
    switch (lc.kind) {
      case 'embedding':
        checkLimit(where, `${at} vocabSize`, 'vocabulary', lc.vocabSize);
        checkLimit(where, `${at} dim`, 'units', lc.dim);
        total += lc.vocabSize * lc.dim;
        features = lc.dim;
        break;
      case 'dense':
        checkLimit(where, `${at} units`, 'units', lc.units);
        total += features * lc.units + lc.units;
        features = lc.units;
        break;
      case 'simple_rnn':
      case 'lstm':
      case 'gru':
        checkLimit(where, `${at} units`, 'units', lc.units);
        total += recurrent(lc, features);
        features = lc.units;
        break;
      case 'bidirectional':
        checkLimit(where, `${at} units`, 'units', lc.layer.units);
        total += 2 * recurrent(lc.layer, features);
        features = (lc.merge ?? 'concat') === 'concat' ? 2 * lc.layer.units : lc.layer.units;
        break;
      case 'dropout':
      case 'head':
        break;
      case 'graph':
        for (const p of lc.params) {
          const n = p.shape.reduce((a, b) => a * b, 1);
          checkLimit(where, `${at} parameter ${p.value}`, 'parameters', n);
          total += n;
        }
        checkLimit(where, `${at} output features`, 'units', lc.output.features);
        features = lc.output.features;
        break;
    }
    checkLimit(where, `parameters up to ${at}`, 'parameters', total);
  });
  return total;
}
