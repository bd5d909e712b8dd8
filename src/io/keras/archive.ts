/**
 * The `.keras` archive (Keras 3 and tf.keras ≥ 2.12): a zip holding `config.json` (the model's
 * serialized config), `metadata.json` ({keras_version, date_saved}) and `model.weights.h5` (or
 * `model.weights.npz`, which rnnlens does not read). Read with fflate; the sizes the zip declares
 * are checked before anything is inflated, and only the three entries are extracted.
 */
import { unzipSync } from 'fflate';
import { RnnlensError } from '../../core/errors.js';

export interface KerasArchive {
  config: unknown;
  metadata: Record<string, unknown> | null;
  weights: Uint8Array;
}

const MAX_JSON_BYTES = 64 << 20;
const MAX_WEIGHT_BYTES = 2 ** 31 - 1;
const WANTED = new Set(['config.json', 'metadata.json', 'model.weights.h5', 'model.weights.npz']);

function parseJson(bytes: Uint8Array, label: string, entry: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new RnnlensError(`${label}: ${entry} inside the archive is not valid JSON (${(e as Error).message})`);
  }
}

/** Unpacks the parts of a `.keras` file rnnlens needs. */
export function readKerasArchive(bytes: Uint8Array, label: string): KerasArchive {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!WANTED.has(f.name)) return false;
        const limit = f.name.endsWith('.json') ? MAX_JSON_BYTES : MAX_WEIGHT_BYTES;
        if (f.originalSize > limit) throw new RnnlensError(`${label}: ${f.name} declares ${f.originalSize} bytes, more than the ${limit} rnnlens reads`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof RnnlensError) throw e;
    throw new RnnlensError(`${label}: not a readable .keras archive (zip: ${(e as Error).message}); is the file truncated?`);
  }
  const config = files['config.json'];
  if (!config) throw new RnnlensError(`${label}: the archive has no config.json (is it a Keras model saved with model.save("…keras")?)`);
  const weights = files['model.weights.h5'];
  if (!weights) {
    if (files['model.weights.npz']) throw new RnnlensError(`${label}: the weights are in model.weights.npz; rnnlens reads the HDF5 form (save with the default weights_format="h5")`);
    throw new RnnlensError(`${label}: the archive has no model.weights.h5`);
  }
  const metaBytes = files['metadata.json'];
  const meta = metaBytes ? parseJson(metaBytes, label, 'metadata.json') : null;
  return {
    config: parseJson(config, label, 'config.json'),
    metadata: meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : null,
    weights,
  };
}
