/**
 * `rnnlens explain --model PATH --input FILE --method NAME [--target K] [--steps N]
 *   [--baseline zeros|mean|pad|unk|blur[:W]|token:ID|<number>] [--tsr] [--check] [--json] [--out DIR]`
 * explains a model's outputs on an input file with one attribution method; `--tsr` wraps the
 * method in Temporal Saliency Rescaling; `--check` adds the scorecard (completeness gap, deletion
 * AUC against random orderings, cascading-randomisation sanity check, each pass/warn/fail);
 * `--out` writes a figure per sequence (SVG and PNG) and explanation.json.
 * `--dataset [RECIPE] [--split] [--limit N] [--executor local|redis://…] [--parallel N]` explains a
 * recipe split's sequences instead of a file, in chunks on the executor (see explain-dataset.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { toNested } from '../explain/attribute.js';
import { checkExplainOptions, runExplain, type ExplainCliOptions, type Explanation } from '../explain/run.js';
import { openExecutor, parseExecutor } from '../distributed/executor.js';
import type { ModelInput } from '../nn/model.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { recipeSplit } from './certify-dataset.js';
import { explainDataset } from './explain-dataset.js';
import { parseModelInput, readInputFile } from '../predict/input-file.js';
import { loadAnyModel } from '../predict/load.js';
import { sequenceFigure, tokenLabel, writeFigure } from '../verify/explanations/report.js';
import { intOption, secondsOption, withDeadline } from './options.js';
import { addDatasetOptions } from './chunks.js';
import { createProgressRenderer } from './progress.js';
export { parseBaseline, runExplain, type ExplainCliOptions, type Explanation } from '../explain/run.js';

interface ExplainDatasetCli {
  dataset?: string | true;
  data?: string;
  split: string;
  dataSeed?: number;
  limit?: number;
  executor: string;
  parallel: number;
  chunk?: number;
  queue: string;
  artifacts?: string;
}

/** `explain --dataset`: the split's sequences in chunks on the executor; JSON, text and figures. */
async function explainDatasetCommand(raw: ExplainDatasetCli & { model: string }, o: ExplainCliOptions, m: LoadedAnyModel): Promise<void> {
  checkExplainOptions(m.model, o);
  const progress = createProgressRenderer({ quiet: o.quiet || o.json });
  const warn = (msg: string): void => void process.stderr.write(`warning: ${msg}\n`);
  let ds;
  let chunks;
  let executorName: string;
  try {
    ds = recipeSplit('explain', { model: raw.model, dataset: raw.dataset!, data: raw.data, split: raw.split, dataSeed: raw.dataSeed, limit: raw.limit }, m, progress.callback);
    const executor = await openExecutor(raw.executor, { threads: raw.parallel, queue: raw.queue, artifacts: raw.artifacts, onWarning: warn });
    executorName = executor.name;
    try {
      chunks = await explainDataset(executor, raw.model, m.model, ds, o, raw.chunk, (p) => progress.callback({ task: 'explain', ...p }));
    } finally {
      await executor.close();
    }
  } finally {
    progress.stop();
  }
  const method = o.tsr ? `tsr(${o.method})` : o.method;
  const tokensOf = (input: ModelInput): string[][] | null =>
    'ids' in input ? Array.from({ length: input.batch }, (_, b) => Array.from(input.ids.subarray(b * input.steps, b * input.steps + input.lengths[b]!), (id) => tokenLabel(id, m.preprocessing))) : null;
  const chunkTokens = chunks.map((c) => tokensOf(c.input));
  const attributions: number[][][] = [];
  const tokens: string[][] = chunkTokens.flatMap((t) => t ?? []);
  for (const c of chunks) toNested(c.result.attributions).forEach((seq, b) => attributions.push(seq.slice(0, c.input.lengths[b])));
  const json = {
    method,
    dataset: ds.name,
    n: ds.items.length,
    targets: chunks.flatMap((c) => c.result.targets),
    attributions,
    outputs: chunks.flatMap((c) => Array.from(c.result.outputs)),
    delta: chunks.every((c) => c.result.delta) ? chunks.flatMap((c) => Array.from(c.result.delta!)) : null,
    ...(ds.target === 'class' ? { labels: ds.items.map((it) => it.label ?? null) } : {}),
    ...(tokens.length ? { tokens } : {}),
    ...(m.classNames ? { classNames: m.classNames } : {}),
    executor: executorName,
  };
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, 'explanation.json'), JSON.stringify(json));
    for (const [i, c] of chunks.entries()) {
      const toks = chunkTokens[i];
      for (let b = 0; b < c.input.batch; b++) {
        const f = sequenceFigure(c.result.attributions, b, `${method}: ${ds.name} sequence ${c.start + b}, target ${c.result.targets[b]!.index}`, toks?.[b]);
        await writeFigure(o.out, `sequence-${c.start + b}`, f.figure, f.data);
      }
    }
  }
  if (o.json) process.stdout.write(JSON.stringify(json) + '\n');
  else chunks.forEach((c, i) => printText({ result: { ...c.result, method, diagnostics: {} } }, chunkTokens[i] ?? null, c.start));
}

/** `--target`: an output index, or one of the model's class names. */
export function resolveTarget(v: string | undefined, classNames: readonly string[] | undefined): number | undefined {
  if (v === undefined) return undefined;
  const byName = classNames?.indexOf(v) ?? -1;
  if (byName >= 0) return byName;
  const n = Number(v);
  if (v.trim() !== '' && Number.isInteger(n) && n >= 0) return n;
  const names = classNames?.length ? `one of the class names ${classNames.map((c) => JSON.stringify(c)).join(', ')} or ` : '';
  throw new RnnlensError(`explain: --target expected ${names}an output index >= 0, received ${JSON.stringify(v)}`);
}

export function printText(e: Pick<Explanation, 'result' | 'card'>, tokens: string[][] | null, first = 0): void {
  const r = e.result;
  const { steps: T, features: F } = r.attributions;
  r.targets.forEach((t, b) => {
    const L = r.attributions.lengths[b]!;
    const per = Array.from({ length: L }, (_, s) => {
      let v = 0;
      for (let f = 0; f < F; f++) v += r.attributions.data[(b * T + s) * F + f]!;
      return { s, v };
    }).sort((a, c) => Math.abs(c.v) - Math.abs(a.v));
    const top = per
      .slice(0, 5)
      .map(
        ({ s, v }) => `${tokens ? JSON.stringify(tokens[b]![s]) : `step ${s}`} ${v.toPrecision(3)}`,
      );
    const delta = r.delta ? `  delta ${r.delta[b]!.toPrecision(3)}` : '';
    process.stdout.write(
      `${first + b}: target ${t.index}  output ${r.outputs[b]!.toPrecision(4)}${delta}  top: ${top.join(', ')}\n`,
    );
  });
  if (e.card) {
    process.stdout.write(`scorecard (${e.card.method}): ${e.card.overall}\n`);
    for (const c of e.card.entries)
      process.stdout.write(
        `  ${c.check.padEnd(13)} ${c.flag.padEnd(5)} ${Number.isFinite(c.value) ? c.value.toPrecision(3) : 'n/a'}  (${c.threshold})\n`,
      );
  }
}

export function register(program: Command): void {
  addDatasetOptions(
    program
      .command('explain')
      .description(
        "attribute a model's outputs to its inputs (optionally with TSR and a scorecard of checks)",
      )
      .requiredOption('--model <path>', 'model folder, model.json or .onnx file')
      .option('--input <file>', 'JSON: {"inputs": ...} | {"tokens": ...} | {"texts": ...}')
      .requiredOption(
        '--method <name>',
        'attribution method (integrated-gradients, saliency, deeplift, lrp, occlusion, ...)',
      )
      .option(
        '--target <k>',
        "output index or class name to explain (default: each sequence's predicted class)",
      )
      .option('--steps <n>', 'integration / path steps (at most 10,000)', intOption('--steps', false, 10_000))
      .option('--timeout <seconds>', 'stop with an error after this long', secondsOption('--timeout'))
      .option('--baseline <spec>', 'zeros | mean | pad | unk | blur[:W] | token:<id> | <number>')
      .option('--tsr', 'wrap the method in Temporal Saliency Rescaling')
      .option('--check', 'add the scorecard: completeness, deletion AUC vs random, sanity check')
      .option('--json', 'print {"method", "targets", "attributions", "outputs", "delta"}')
      .option('--out <dir>', 'write a figure per sequence (SVG and PNG) and explanation.json')
      .option('--seed <n>', 'seed of every random choice', intOption('--seed', true), 0)
      .option('--quiet', 'no progress output'),
    'explain',
    'sequence',
  )
    .action(async (raw: Omit<ExplainCliOptions, 'target'> & { target?: string } & ExplainDatasetCli) => {
      if ((raw.input === undefined) === (raw.dataset === undefined))
        throw new RnnlensError('explain: give exactly one of --input FILE (sequences in a JSON file) and --dataset [RECIPE] (the sequences of a recipe split)');
      if (raw.dataset === undefined)
        for (const [flag, v] of [['--data', raw.data], ['--limit', raw.limit], ['--data-seed', raw.dataSeed], ['--chunk', raw.chunk]] as const)
          if (v !== undefined) throw new RnnlensError(`explain: ${flag} is for --dataset`);
      if (raw.dataset === undefined && (raw.executor !== 'local' || raw.parallel !== 1)) throw new RnnlensError('explain: --executor and --parallel spread the sequences of --dataset; with --input the file is explained here');
      if (raw.dataset !== undefined && raw.check) throw new RnnlensError('explain: --check (the scorecard) is for --input; over a dataset use rnnlens explain-bench');
      parseExecutor(raw.executor);
      const m = await loadAnyModel(raw.model);
      const o: ExplainCliOptions = { ...raw, target: resolveTarget(raw.target, m.classNames) };
      if (raw.dataset !== undefined) return explainDatasetCommand(raw, o, m);
      const input = parseModelInput(
        readInputFile(o.input),
        m.model.inputSpec,
        m.preprocessing,
        `input file ${o.input}`,
      );
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      const e = runExplain(m.model, input, o, withDeadline('explain', o.timeout, (p) => progress.callback({ task: 'explain', ...p })));
      progress.stop();
      const tokens =
        'ids' in input
          ? Array.from({ length: input.batch }, (_, b) =>
              Array.from(input.ids.subarray(b * input.steps, (b + 1) * input.steps), (id) =>
                tokenLabel(id, m.preprocessing),
              ),
            )
          : null;
      const json = {
        method: e.result.method === 'tsr' ? `tsr(${o.method})` : e.result.method,
        targets: e.result.targets,
        attributions: toNested(e.result.attributions),
        outputs: Array.from(e.result.outputs),
        delta: e.result.delta ? Array.from(e.result.delta) : null,
        // the token of every attributed position (token models), and the names of the targets
        ...(tokens ? { tokens: tokens.map((row, b) => row.slice(0, input.lengths[b])) } : {}),
        ...(m.classNames ? { classNames: m.classNames } : {}),
        ...(e.card ? { scorecard: e.card } : {}),
      };
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        writeFileSync(join(o.out, 'explanation.json'), JSON.stringify(json));
        for (let b = 0; b < input.batch; b++) {
          const f = sequenceFigure(
            e.result.attributions,
            b,
            `${json.method}: sequence ${b}, target ${e.result.targets[b]!.index}`,
            tokens?.[b],
          );
          await writeFigure(o.out, `sequence-${b}`, f.figure, f.data);
        }
      }
      if (o.json) process.stdout.write(JSON.stringify(json) + '\n');
      else printText(e, tokens);
    });
}
