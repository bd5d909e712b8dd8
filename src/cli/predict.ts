/**
 * `rnnlens predict --model PATH --input FILE [--json] [--logits]`: run a model on an input file.
 * `rnnlens generate --model PATH --prime TEXT --length N`: sample text from a language model.
 */
import type { Command } from 'commander';
import { loadAnyModel } from '../predict/load.js';
import { parseModelInput, readInputFile } from '../predict/input-file.js';
import { predictOutputs } from '../predict/predict.js';
import { generateText } from '../predict/generate.js';
import { intOption } from './options.js';
import { maxOf } from '../core/extent.js';
import { statSync } from 'node:fs';
import { audioFolderInput } from '../predict/audio-input.js';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a model (native folder, TF.js model.json or .onnx) on a JSON input file')
    .requiredOption('--model <path>', 'model folder, model.json or .onnx file')
    .requiredOption('--input <file>', 'JSON: {"inputs": [[[...]]]} | {"tokens": [[...]]} | {"texts": [...]}, optional "lengths"; or a folder of WAV files (audio models)')
    .option('--logits', 'classifier scores before softmax')
    .option('--json', 'print {"outputs": [...]} (classifiers: also "classNames" and each row\'s "predicted" class)')
    .action(async (o) => {
      const m = await loadAnyModel(o.model);
      let files: string[] | undefined;
      let input;
      if (isFolder(o.input) && m.preprocessing.audio) {
        const a = audioFolderInput(o.input, m.model.inputSpec, m.preprocessing);
        input = a.parsed;
        files = a.files;
      } else input = parseModelInput(readInputFile(o.input), m.model.inputSpec, m.preprocessing, `input file ${o.input}`);
      const outputs = predictOutputs(m.model, input, { task: m.task, logits: o.logits });
      if (o.json) {
        // classifiers also get each row's predicted class (index and name) and the class names
        const classify = m.task === 'classification';
        const predicted = classify
          ? outputs.map((row) => {
              const r = row as number[];
              const k = r.indexOf(maxOf(r));
              return { index: k, name: m.classNames?.[k] ?? String(k), ...(o.logits ? {} : { probability: r[k] }) };
            })
          : undefined;
        process.stdout.write(JSON.stringify({ outputs, ...(files ? { files } : {}), ...(classify ? { classNames: m.classNames ?? null, predicted } : {}) }) + '\n');
        return;
      }
      outputs.forEach((row, i) => {
        if (m.task === 'classification' && !o.logits) {
          const r = row as number[];
          const k = r.indexOf(maxOf(r));
          const name = m.classNames?.[k] ?? String(k);
          process.stdout.write(`${files ? files[i] : i}: ${name} (p=${r[k]!.toFixed(4)})  [${r.map((v) => v.toFixed(4)).join(', ')}]\n`);
        } else {
          process.stdout.write(`${files ? files[i] : i}: ${JSON.stringify(row)}\n`);
        }
      });
    });

  program
    .command('generate')
    .description('sample text from a character or word language model')
    .requiredOption('--model <path>', 'model folder')
    .option('--prime <text>', 'text to start from', '\n')
    .option('--length <n>', 'tokens to generate', intOption('--length'), 200)
    .option('--temperature <t>', 'sampling temperature', parseFloat, 0.8)
    .option('--top-k <k>', 'sample only among the k most likely tokens', intOption('--top-k', true), 0)
    .option('--seed <n>', 'random seed', intOption('--seed', true), 0)
    .action(async (o) => {
      const m = await loadAnyModel(o.model);
      const text = generateText(m.model, m.preprocessing, o.prime, { length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
      process.stdout.write(o.prime + text + '\n');
    });
}
