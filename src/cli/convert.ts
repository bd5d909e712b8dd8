/**
 * `rnnlens convert IN OUT`: between native model folders and TF.js Layers models, and from ONNX
 * and Keras .keras / .h5 files (import-only). The output format follows `--to`, else OUT: a path ending in `.json` is TF.js,
 * anything else a native folder. Output is written atomically (no partial files on failure).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadModelAsync, saveModelAs, type ModelFormat } from '../io/load.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a model between native, TF.js and (import-only) ONNX')
    .argument('<in>', 'native model folder, TF.js model.json (or its folder), .onnx file, or Keras .keras / .h5 file')
    .argument('<out>', 'output: a folder (native) or a model.json path (TF.js)')
    .option('--to <format>', 'native | tfjs (default: from OUT)', (v: string) => {
      if (v !== 'native' && v !== 'tfjs') throw new InvalidArgumentError(`--to expected native or tfjs, received ${JSON.stringify(v)}`);
      return v;
    })
    .option('--force', 'replace an existing model at OUT')
    .action(async (input: string, out: string, opts: { to?: ModelFormat; force?: boolean }) => {
      const m = await loadModelAsync(input, { backend: 'ts' });
      const to: ModelFormat = opts.to ?? (out.endsWith('.json') ? 'tfjs' : 'native');
      const save: Parameters<typeof saveModelAs>[3] = { softmax: m.softmax, overwrite: opts.force ?? false, preprocessing: m.preprocessing };
      if (m.task) save.task = m.task;
      if (m.classNames) save.classNames = m.classNames;
      if (m.tfjs?.maskZero || m.keras?.maskZero) save.maskZero = true;
      const written = saveModelAs(m.model, out, to, save);
      process.stdout.write(`wrote ${to === 'tfjs' ? 'TF.js' : 'native'} model ${written} (from ${m.format} ${input})\n`);
      for (const n of m.notes) process.stdout.write(`note: ${n}\n`);
    });
}
