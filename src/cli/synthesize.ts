/**
 * `rnnlens synthesize --model M --digits 0123456789 --speaker NAME [--count K] [--seed N] --out DIR
 * [--json] [--force]`: spoken digits from a synthesiser trained with the fsdd-tts recipe, written
 * as DIR/{digit}_{speaker}_{k}.wav; `--speaker all` speaks in every voice the model knows. With
 * `--runs-dir RUNS` it also records a run of kind synthesize: the first --record-takes takes as
 * audio with their spectrograms and, given `--data FSDD`, real held-out counterparts
 * (src/speech/tts-run.ts), for the dashboard's audio panel.
 */
import type { Command } from 'commander';
import { loadTtsModel } from '../speech/tts-io.js';
import { parseDigits, synthesizeFiles } from '../speech/synthesize.js';
import { indexOfName } from '../speech/generate.js';
import { intOption } from './options.js';
import { recordAnalysis, recordedLine } from '../pipeline/analysis-run.js';
import { writeTtsArtifacts } from '../speech/tts-run.js';
import { listFolder } from '../data/files.js';

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
    .option('--runs-dir <dir>', 'record a run of kind synthesize in this run store (audio and spectrograms for the dashboard)')
    .option('--data <dir>', 'FSDD recordings: real held-out takes recorded beside the synthesised ones (with --runs-dir)')
    .option('--record-takes <k>', 'takes per digit and speaker kept in the run', intOption('--record-takes', true), 1)
    .action(async (o) => {
      // the FSDD folder is checked before anything is synthesised
      if (o.data !== undefined) listFolder(o.data, 'synthesize: --data (FSDD recordings)');
      const { model, file } = loadTtsModel(o.model);
      const c = model.config;
      const digits = parseDigits(o.digits, c.digits);
      const speakers = o.speaker === 'all' ? c.speakers : [c.speakers[indexOfName('synthesize', 'speaker', c.speakers, o.speaker)]!];
      const files = synthesizeFiles(model, file.preprocessing, { digits, speakers, count: o.count, seed: o.seed, out: o.out, force: o.force, iterations: o.iterations });
      const config = { digits: digits.join(''), speakers, count: o.count, seed: o.seed, iterations: o.iterations, out: o.out, data: o.data ?? null, recordTakes: o.recordTakes };
      const run = await recordAnalysis({ runsDir: o.runsDir ?? '', record: o.runsDir !== undefined }, o.model, { kind: 'synthesize', config, seed: o.seed, tags: ['fsdd-tts'] }, (w) => {
        writeTtsArtifacts(w, files, file.preprocessing, { takes: o.recordTakes, data: o.data });
        return { files: files.length };
      });
      if (o.json) {
        process.stdout.write(JSON.stringify({ files: files.map((f) => f.file), details: files, ...(run.id ? { run: run.id } : {}) }) + '\n');
        return;
      }
      for (const f of files) process.stdout.write(`${f.file}  ${f.seconds.toFixed(2)} s${f.stopped ? '' : ' (no stop before the step limit)'}\n`);
      process.stdout.write(recordedLine(run));
    });
}
