/**
 * Plugs the TF.js, ONNX and Keras importers into `loadAnyModel` (src/predict/load.ts), so every command
 * that takes `--model` accepts them. Imported for its effect by the CLI commands of src/io.
 */
import { registerImportedLoader } from '../predict/load.js';
import { loadModelAsync } from './load.js';

registerImportedLoader(async (path, opts) => {
  const m = await loadModelAsync(path, opts);
  const out: Awaited<ReturnType<Parameters<typeof registerImportedLoader>[0]>> = { model: m.model, format: m.format, preprocessing: m.preprocessing, path: m.path };
  if (m.task) out.task = m.task;
  if (m.classNames) out.classNames = m.classNames;
  return out;
});
