/**
 * `rnnlens synthesize --model M --digits 0123456789 --speaker NAME [--count K] [--seed N] --out DIR
 * [--json] [--force]`: spoken digits from a synthesiser trained with the fsdd-tts recipe, written
 * as DIR/{digit}_{speaker}_{k}.wav; `--speaker all` speaks in every voice the model knows.
 */
import type { Command } from 'commander';
import { loadTtsModel } from '../speech/tts-io.js';
import { parseDigits, synthesizeFiles } from '../speech/synthesize.js';
import { indexOfName } from '../speech/generate.js';
import { intOption } from './options.js';

export function register(program: Command): void {
  program
    .command('synthesize')
    .description('speak digits with a synthesiser from the fsdd-tts recipe (8 kHz WAV files)')
    .requiredOption('--model <dir>', 'synthesiser folder (rnnlens train --recipe fsdd-tts)')
    .option('--digits <digits>', 'the digits to speak, e.g. 0123456789', '0123456789')
    .requiredOption('--speaker <name>', "a speaker the model knows (or 'all')")
    .option('--count <k>', 'takes per digit and speaker', intOption('--count'), 1)
    .option('--seed <n>', 'seed of the pre-net dropout and Griffin–Lim phases', intOption('--seed', true), 0)
    .option('--iterations <n>', 'Griffin–Lim iterations', intOption('--iterations', true), 60)
    .requiredOption('--out <dir>', 'output folder')
    .option('--force', 'replace files already there')
    .option('--json', 'print {"files": [...]}')
    .action((o) => {
      const { model, file } = loadTtsModel(o.model);
      const c = model.config;
      const digits = parseDigits(o.digits, c.digits);
      const speakers = o.speaker === 'all' ? c.speakers : [c.speakers[indexOfName('synthesize', 'speaker', c.speakers, o.speaker)]!];
      const files = synthesizeFiles(model, file.preprocessing, { digits, speakers, count: o.count, seed: o.seed, out: o.out, force: o.force, iterations: o.iterations });
      if (o.json) {
        process.stdout.write(JSON.stringify({ files: files.map((f) => f.file), details: files }) + '\n');
        return;
      }
      for (const f of files) process.stdout.write(`${f.file}  ${f.seconds.toFixed(2)} s${f.stopped ? '' : ' (no stop before the step limit)'}\n`);
    });
}
