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
import { MAX_NOISE, MAX_SAMPLES, parseStepsByFeatures, type MethodParams } from '../explain/params.js';
import { MAX_PATH_STEPS } from '../explain/param-specs.js';
import { checkExplainOptions, runExplain, type ExplainCliOptions, type Explanation } from '../explain/run.js';
import { openExecutor, parseExecutor } from '../distributed/executor.js';
import type { ModelInput } from '../nn/model.js';
import type { LoadedAnyModel } from '../predict/load.js';
import { recipeSplit } from './certify-dataset.js';
import { explainDataset } from './explain-dataset.js';
import { parseModelInput, readInputFile, type ParsedInput } from '../predict/input-file.js';
import { predictOutputs } from '../predict/predict.js';
import { loadAnyModel } from '../predict/load.js';
import { sequenceFigure, tokenLabel, writeFigure } from '../verify/explanations/report.js';
import { intOption, secondsOption, withDeadline } from './options.js';
import { addDatasetOptions } from './chunks.js';
import { addRecordOptions, recordAnalysis, recordedLine, type AnalysisRun, type RecordCli } from '../pipeline/analysis-run.js';
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
async function explainDatasetCommand(raw: ExplainDatasetCli & RecordCli & { model: string }, o: ExplainCliOptions, m: LoadedAnyModel): Promise<void> {
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
    ...(o.params ? { params: o.params } : {}),
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
  const run = await recordExplain(raw, o, json, tokens.length ? tokens : null, m.classNames, undefined);
  if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...json, run: run.id } : json) + '\n');
  else {
    chunks.forEach((c, i) => printText({ result: { ...c.result, method, diagnostics: {} } }, chunkTokens[i] ?? null, c.start));
    process.stdout.write(recordedLine(run));
  }
}

/** Figures recorded in a run at most (a dataset's explanation keeps all numbers, not all figures). */
const MAX_RUN_FIGURES = 50;

/**
 * Records an explain run: explanation.json and one figure per sequence (tokens with their
 * attribution, or a steps × features heatmap), linked to the model's training run.
 */
async function recordExplain(
  raw: RecordCli & { model: string },
  o: ExplainCliOptions,
  json: Record<string, unknown> & { method: string; attributions: number[][][]; targets: { index: number }[] },
  tokens: string[][] | null,
  classNames: readonly string[] | undefined,
  card: Explanation['card'],
  lengths?: ArrayLike<number>,
  predicted?: Predicted[],
): Promise<AnalysisRun> {
  const config = { method: json.method, target: o.target ?? null, steps: o.steps ?? null, baseline: o.baseline ?? null, seed: o.seed, params: o.params ?? null, input: o.input ?? null, dataset: json['dataset'] ?? null };
  return recordAnalysis(raw, raw.model, { kind: 'explain', config, seed: o.seed }, (w) => {
    w.writeJson('explanation.json', predicted ? { ...json, predicted } : json);
    const labels = json['labels'] as (number | null)[] | undefined;
    json.attributions.slice(0, MAX_RUN_FIGURES).forEach((full, b) => {
      const seq = lengths ? full.slice(0, lengths[b]) : full;
      const k = json.targets[b]!.index;
      const truth = labels?.[b] !== undefined && labels[b] !== null ? `, label '${classNames?.[labels[b]!] ?? labels[b]}'` : '';
      const p = predicted?.[b];
      const pred = p ? `, predicted '${p.name}' (p = ${p.probability.toFixed(3)})` : '';
      const title = `sequence ${b}: ${json.method} for '${classNames?.[k] ?? k}'${truth}${pred}`;
      if (tokens?.[b]) w.writeFigure(`fig-explain-${b}.json`, { figure: 'token-attribution', title, data: { tokens: tokens[b]!, scores: seq.map((r) => r.reduce((a, v) => a + v, 0)) } });
      else w.writeFigure(`fig-explain-${b}.json`, { figure: 'heatmap', title, data: { values: seq, rowTitle: 'step', colTitle: 'feature', valueTitle: 'attribution' } });
    });
    const metrics: Record<string, number> = { sequences: json.attributions.length };
    const delta = json['delta'] as number[] | null;
    if (delta?.length) metrics.maxAbsDelta = Math.max(...delta.map(Math.abs));
    if (card) {
      metrics.overallPass = card.overall === 'pass' ? 1 : 0;
      for (const e of card.entries) metrics[e.check] = e.value;
    }
    return metrics;
  });
}

/** A classifier's prediction for one sequence. */
interface Predicted {
  index: number;
  name: string;
  probability: number;
}

/** Each sequence's predicted class and its probability (classifiers only). */
function predictionsOf(m: LoadedAnyModel, input: ParsedInput): Predicted[] | undefined {
  if (m.task !== 'classification') return undefined;
  const probs = predictOutputs(m.model, input, { task: 'classification' }) as number[][];
  return probs.map((row) => {
    const k = row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);
    return { index: k, name: m.classNames?.[k] ?? String(k), probability: row[k]! };
  });
}

interface ParamsCli {
  window?: string;
  stride?: string;
  samples?: number;
  perms?: number | 'all';
  noise?: string;
}

/** The method parameters given on the command line (undefined when none is). */
export function methodParams(raw: ParamsCli): MethodParams | undefined {
  const p: MethodParams = {};
  if (raw.window !== undefined) p.window = parseStepsByFeatures('--window', raw.window);
  if (raw.stride !== undefined) p.stride = parseStepsByFeatures('--stride', raw.stride);
  if (raw.samples !== undefined) p.samples = raw.samples;
  if (raw.perms !== undefined) p.perms = raw.perms;
  if (raw.noise !== undefined) {
    const sd = Number(raw.noise);
    if (raw.noise.trim() === '' || !Number.isFinite(sd) || sd < 0 || sd > MAX_NOISE)
      throw new RnnlensError(`explain: --noise expected a standard deviation in [0, ${MAX_NOISE.toLocaleString('en-US')}], received ${JSON.stringify(raw.noise)}`);
    p.noise = sd;
  }
  return Object.keys(p).length ? p : undefined;
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
    addRecordOptions(program
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
      .option('--steps <n>', 'integration / path steps (at most 10,000)', intOption('--steps', false, MAX_PATH_STEPS))
      .option('--timeout <seconds>', 'stop with an error after this long', secondsOption('--timeout'))
      .option('--baseline <spec>', 'zeros | mean | pad | unk | blur[:W] | token:<id> | <number>')
      .option('--tsr', 'wrap the method in Temporal Saliency Rescaling')
      .option('--check', 'add the scorecard: completeness, deletion AUC vs random, sanity check')
      .option('--json', 'print {"method", "targets", "attributions", "outputs", "delta"}')
      .option('--out <dir>', 'write a figure per sequence (SVG and PNG) and explanation.json')
      .option('--window <STEPSxFEATURES>', 'occlusion: the window, e.g. 3x2 or 3 (3 steps × all features; default 1 step)')
      .option('--stride <STEPSxFEATURES>', 'occlusion: the window strides, e.g. 2x1 or 2 (default 1x1)')
      .option('--samples <n>', `samples of smoothgrad / noise-tunnel, gradient-shap (default 5), kernel-shap and lime (default 25); at most ${MAX_SAMPLES.toLocaleString('en-US')}`, intOption('--samples', false, MAX_SAMPLES))
      .option('--perms <n>', `permutations of shapley-sampling (default 25; at most ${MAX_SAMPLES.toLocaleString('en-US')}; all: every order, exact Shapley values)`, (v: string) => (v === 'all' ? ('all' as const) : intOption('--perms', false, MAX_SAMPLES)(v)))
      .option('--noise <sd>', 'noise standard deviation of smoothgrad / noise-tunnel (default 1) and gradient-shap (default 0)')
      .option('--seed <n>', 'seed of every random choice', intOption('--seed', true), 0)
      .option('--quiet', 'no progress output'), 'explain'),
    'explain',
    'sequence',
  )
    .action(async (raw: Omit<ExplainCliOptions, 'target' | 'params'> & { target?: string } & ExplainDatasetCli & ParamsCli & RecordCli) => {
      if ((raw.input === undefined) === (raw.dataset === undefined))
        throw new RnnlensError('explain: give exactly one of --input FILE (sequences in a JSON file) and --dataset [RECIPE] (the sequences of a recipe split)');
      if (raw.dataset === undefined)
        for (const [flag, v] of [['--data', raw.data], ['--limit', raw.limit], ['--data-seed', raw.dataSeed], ['--chunk', raw.chunk]] as const)
          if (v !== undefined) throw new RnnlensError(`explain: ${flag} is for --dataset`);
      if (raw.dataset === undefined && (raw.executor !== 'local' || raw.parallel !== 1)) throw new RnnlensError('explain: --executor and --parallel spread the sequences of --dataset; with --input the file is explained here');
      if (raw.dataset !== undefined && raw.check) throw new RnnlensError('explain: --check (the scorecard) is for --input; over a dataset use rnnlens explain-bench');
      parseExecutor(raw.executor);
      const params = methodParams(raw);
      const m = await loadAnyModel(raw.model);
      const o: ExplainCliOptions = { ...raw, target: resolveTarget(raw.target, m.classNames), ...(params ? { params } : {}) };
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
        ...(o.params ? { params: o.params } : {}),
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
      const attributed = tokens ? tokens.map((row, b) => row.slice(0, input.lengths[b])) : null;
      const run = await recordExplain(raw, o, json, attributed, m.classNames, e.card, input.lengths, raw.record ? predictionsOf(m, input) : undefined);
      if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...json, run: run.id } : json) + '\n');
      else {
        printText(e, tokens);
        process.stdout.write(recordedLine(run));
      }
    });
}
