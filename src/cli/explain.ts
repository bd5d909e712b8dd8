/**
 * `rnnlens explain --model PATH --input FILE --method NAME [--target K] [--steps N]
 *   [--baseline zeros|mean|pad|unk|blur[:W]|token:ID|<number>] [--tsr] [--check] [--json] [--out DIR]`
 * explains a model's outputs on an input file with one attribution method; `--tsr` wraps the
 * method in Temporal Saliency Rescaling; `--check` adds the scorecard (completeness gap, deletion
 * AUC against random orderings, cascading-randomisation sanity check, each pass/warn/fail);
 * `--out` writes a figure per sequence (SVG and PNG) and explanation.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { attribute, listMethods, toNested } from '../explain/attribute.js';
import type { AttributeOptions, AttributionResult, Baseline } from '../explain/types.js';
import type { ModelInput, SequenceModel } from '../nn/model.js';
import { parseModelInput, readInputFile } from '../predict/input-file.js';
import { loadAnyModel } from '../predict/load.js';
import { ensureMethods } from '../verify/explanations/benchmark.js';
import { predictedClasses } from '../verify/explanations/perturb.js';
import { sequenceFigure, tokenLabel, writeFigure } from '../verify/explanations/report.js';
import { scorecard, type Scorecard } from '../verify/explanations/scorecard.js';
import { intOption, secondsOption, withDeadline } from './options.js';
import { createProgressRenderer } from './progress.js';

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

export interface ExplainCliOptions {
  model: string;
  input: string;
  method: string;
  target?: number;
  /** Seconds before the computation stops with an error. */
  timeout?: number;
  steps?: number;
  baseline?: string;
  tsr?: boolean;
  check?: boolean;
  json?: boolean;
  out?: string;
  seed: number;
  quiet?: boolean;
}

/** The baseline named on the command line, for this model and input. */
export function parseBaseline(spec: string, model: SequenceModel, input: ModelInput): Baseline {
  const tokens = model.inputSpec.kind === 'tokens';
  const bad = (expected: string): never => {
    throw new RnnlensError(
      `explain: --baseline expected ${expected}, received ${JSON.stringify(spec)}`,
    );
  };
  if (spec === 'zeros') return 'zeros';
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(spec)) return { kind: 'constant', value: Number(spec) };
  if (spec === 'pad' || spec === 'unk' || spec.startsWith('token:')) {
    if (!tokens) bad('zeros, mean, blur[:W] or a number for a numeric model');
    const id = spec === 'pad' ? 0 : spec === 'unk' ? 1 : Number(spec.slice(6));
    if (!Number.isInteger(id) || id < 0) bad('token:<id> with an integer id >= 0');
    return { kind: 'token', id };
  }
  if (tokens) bad('zeros, a number, pad, unk or token:<id> for a token model');
  if (spec === 'mean') {
    // The mean of the given sequences per feature (over their valid steps).
    const x = input as Extract<ModelInput, { data: unknown }>;
    const mean = new Float64Array(x.features);
    let n = 0;
    for (let b = 0; b < x.batch; b++)
      for (let t = 0; t < x.lengths[b]!; t++, n++)
        for (let f = 0; f < x.features; f++)
          mean[f]! += x.data[(b * x.steps + t) * x.features + f]!;
    return { kind: 'mean', mean: mean.map((v) => v / n) };
  }
  const blur = /^blur(?::(\d+))?$/.exec(spec);
  if (blur) return { kind: 'blur', window: blur[1] ? Number(blur[1]) : 5 };
  return bad('zeros, mean, pad, unk, blur[:W], token:<id> or a number');
}

export interface Explanation {
  options: AttributeOptions;
  result: AttributionResult;
  card?: Scorecard;
}

/** Runs the explanation (and the scorecard) the options ask for. */
export function runExplain(
  model: SequenceModel,
  input: ModelInput,
  o: ExplainCliOptions,
  onProgress?: (p: { done: number; total: number; message?: string }) => void,
): Explanation {
  ensureMethods();
  if (!listMethods().includes(o.method))
    throw new RnnlensError(
      `explain: --method expected one of ${listMethods().join(', ')}, received ${JSON.stringify(o.method)}`,
    );
  if (o.target !== undefined && o.target >= model.outputFeatures)
    throw new RnnlensError(
      `explain: --target expected an output index in [0, ${model.outputFeatures}), received ${o.target}`,
    );
  const target = o.target ?? Array.from(predictedClasses(model, input));
  const options: AttributeOptions = o.tsr
    ? { method: 'tsr', inner: o.method, target }
    : { method: o.method, target };
  if (o.steps !== undefined) options.steps = o.steps;
  if (o.baseline !== undefined) options.baseline = parseBaseline(o.baseline, model, input);
  options.seed = o.seed;
  const result = attribute(model, input, onProgress ? { ...options, onProgress } : options);
  const out: Explanation = { options, result };
  if (o.check) {
    const s: Parameters<typeof scorecard>[4] = { seed: o.seed };
    if (
      model.inputSpec.kind === 'tokens' &&
      options.baseline &&
      typeof options.baseline === 'object' &&
      options.baseline.kind === 'token'
    )
      s.replacement = { token: options.baseline.id };
    out.card = scorecard(model, input, options, result, s);
  }
  return out;
}

function printText(e: Explanation, tokens: string[][] | null): void {
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
      `${b}: target ${t.index}  output ${r.outputs[b]!.toPrecision(4)}${delta}  top: ${top.join(', ')}\n`,
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
  program
    .command('explain')
    .description(
      "attribute a model's outputs to its inputs (optionally with TSR and a scorecard of checks)",
    )
    .requiredOption('--model <path>', 'model folder, model.json or .onnx file')
    .requiredOption('--input <file>', 'JSON: {"inputs": ...} | {"tokens": ...} | {"texts": ...}')
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
    .option('--quiet', 'no progress output')
    .action(async (raw: Omit<ExplainCliOptions, 'target'> & { target?: string }) => {
      const m = await loadAnyModel(raw.model);
      const o: ExplainCliOptions = { ...raw, target: resolveTarget(raw.target, m.classNames) };
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
