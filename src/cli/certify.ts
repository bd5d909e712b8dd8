/**
 * `rnnlens certify --model PATH (--input FILE | --dataset [RECIPE] [--limit N]) [--executor local|redis://…] [--norm linf|l2|l1] [--eps E | --radius]
 *   [--method ibp|crown|alpha] [--steps a-b] [--features i,j] [--per-step] [--attack] [--audit]
 *   [--substitutions FILE] [--json]`: certified output bounds (logits) of every input sequence in the file, the margin
 *   verdict, optionally the certified radius (bisection), an attack radius (PGD) and an audit
 *   (sampling + PGD against every bound). Progress over inputs goes to stderr.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { RnnlensError } from '../core/errors.js';
import { openExecutor, parseExecutor } from '../distributed/executor.js';
import { loadAnyModel } from '../predict/load.js';
import { parseModelInput, readInputFile } from '../predict/input-file.js';
import '../io/register.js'; // lets --model accept TF.js and ONNX files
import { checkCertifyOptions, runCertify, splitInputs, type CertifyCliOptions, type CertifyCliResult } from '../verify/certify/batch.js';
import type { CertifyInput } from '../verify/certify/certify.js';
import { checkMethod } from '../verify/certify/propagate.js';
import type { NormKind } from '../verify/certify/ibp.js';
import { checkSubstitutionSpec, type SubstitutionSpec } from '../verify/certify/substitutions.js';
import { certifyOnExecutor, datasetInputs, summarizeCertified } from './certify-dataset.js';
import { addDatasetOptions } from './chunks.js';
import { createProgressRenderer } from './progress.js';
import { secondsOption, withDeadline } from './options.js';
import { addRecordOptions, recordAnalysis, recordedLine, type AnalysisRun } from '../pipeline/analysis-run.js';

/** Figures recorded in a run at most (all results stay in certificates.json). */
const MAX_RUN_FIGURES = 50;

/** What the attack found, for a figure title ('' without --attack). */
function attackText(r: CertifyCliResult): string {
  if (r.substitutionAttack) return r.substitutionAttack.flipped ? ', attack flipped it' : ', greedy attack found no flip';
  if (r.attackRadius !== null) return `, attack radius ${r.attackRadius.toPrecision(4)}`;
  return '';
}

/** Records a certify run: certificates.json, a per-class interval figure per input, the counts. */
function recordCertify(
  o: { runsDir: string; record: boolean; model: string; input?: string },
  config: Record<string, unknown>,
  results: readonly CertifyCliResult[],
  classNames: readonly string[] | undefined,
  labels: readonly number[] | undefined,
  summary: ReturnType<typeof summarizeCertified> | undefined,
): Promise<AnalysisRun> {
  return recordAnalysis(o, o.model, { kind: 'certify', config: { ...config, input: o.input ?? null } }, (w) => {
    w.writeJson('certificates.json', { ...config, results, ...(labels ? { labels, summary } : {}), ...(classNames ? { classNames } : {}) });
    const ball = config['substitutions'] ? 'substitution sets' : `${config['norm']}${config['eps'] !== null ? ` ε = ${config['eps']}` : ''}`;
    results.slice(0, MAX_RUN_FIGURES).forEach((r, i) => {
      const names = r.lower.map((_, c) => classNames?.[c] ?? String(c));
      const truth = labels ? `, label '${names[labels[i]!] ?? labels[i]}'` : '';
      w.writeFigure(`fig-certificate-${i}.json`, {
        figure: 'certified-intervals',
        title: `input ${i}: logit bounds, ${ball} (${r.certified ? 'certified' : 'not certified'}${r.radius !== null ? `, radius ${r.radius.toPrecision(4)}` : ''}${attackText(r)}${truth})`,
        data: { classes: names.map((label, c) => ({ label, lower: r.lower[c]!, upper: r.upper[c]! })), predicted: names[r.prediction] },
      });
    });
    const certified = results.filter((r) => r.certified).length;
    const metrics: Record<string, number> = { inputs: results.length, certified, certifiedShare: certified / Math.max(1, results.length) };
    if (summary) Object.assign(metrics, { accuracy: summary.accuracy, certifiedAccuracy: summary.certifiedAccuracy });
    const radii = results.map((r) => r.radius).filter((v): v is number => v !== null);
    if (radii.length) metrics.meanRadius = radii.reduce((a, v) => a + v, 0) / radii.length;
    const attacks = results.map((r) => r.attackRadius).filter((v): v is number => v !== null);
    if (attacks.length) metrics.meanAttackRadius = attacks.reduce((a, v) => a + v, 0) / attacks.length;
    if (results.some((r) => r.audit)) metrics.auditFailures = results.filter((r) => r.audit && !r.audit.ok).length;
    return metrics;
  });
}
export { runCertify, splitInputs, type CertifyCliOptions, type CertifyCliResult };

function readSubstitutions(file: string): SubstitutionSpec {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RnnlensError(
      `certify --substitutions: cannot read ${file} as JSON (${(e as Error).message})`,
    );
  }
  return checkSubstitutionSpec(v);
}

function parseSteps(v: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v.trim());
  if (!m)
    throw new InvalidArgumentError(
      `--steps expected a-b (0-based, inclusive) or one step, received ${JSON.stringify(v)}`,
    );
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a)
    throw new InvalidArgumentError(`--steps expected a ≤ b, received ${JSON.stringify(v)}`);
  return [a, b];
}

function parseFeatures(v: string): number[] {
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((f) => !Number.isInteger(f) || f < 0))
    throw new InvalidArgumentError(
      `--features expected comma-separated feature indices, received ${JSON.stringify(v)}`,
    );
  return list;
}

/** Larger radii say nothing about a model whose inputs are of order 1 (and make bounds overflow). */
const MAX_EPS = 10_000;

function parseEps(v: string): number {
  const e = Number(v);
  if (v.trim() === '' || !Number.isFinite(e) || e < 0 || e > MAX_EPS)
    throw new InvalidArgumentError(
      `--eps expected a number in [0, ${MAX_EPS}] (a radius in input or embedding units), received ${JSON.stringify(v)}`,
    );
  return e;
}

function parseNorm(v: string): NormKind {
  if (v !== 'linf' && v !== 'l2' && v !== 'l1')
    throw new InvalidArgumentError(`--norm expected linf, l2 or l1, received ${JSON.stringify(v)}`);
  return v;
}

function parsePositive(flag: string): (v: string) => number {
  return (v) => {
    const x = Number(v);
    if (!(x > 0) || !Number.isFinite(x))
      throw new InvalidArgumentError(
        `${flag} expected a number > 0, received ${JSON.stringify(v)}`,
      );
    return x;
  };
}

export function register(program: Command): void {
  addDatasetOptions(
    addRecordOptions(program
      .command('certify')
      .description('certified output bounds and robustness of a model on the inputs of a JSON file')
      .requiredOption('--model <path>', 'model folder, model.json or .onnx file')
      .option(
        '--input <file>',
        'JSON: {"inputs": [[[...]]]} | {"tokens": [[...]]} | {"texts": [...]}',
      )
      .option('--norm <norm>', 'linf | l2 | l1 (token models: in embedding space)', parseNorm, 'linf')
      .option('--eps <e>', 'radius of the perturbation ball', parseEps)
      .option('--radius', 'search the largest certified radius (bisection)')
      .option(
        '--method <m>',
        'ibp | crown | alpha (α-CROWN: slopes optimised per margin, tighter and slower)',
        'crown',
      )
      .option('--steps <a-b>', 'perturb only steps a..b (0-based, inclusive)', parseSteps)
      .option('--features <list>', 'perturb only these features (comma-separated)', parseFeatures)
      .option('--per-step', 'one ball per step (per token) instead of one joint ball')
      .option('--attack', 'also search the smallest adversarial radius with PGD (an upper bound)')
      .option('--audit', 'sample and attack inside the set; report any value outside its bound')
      .option(
        '--tolerance <t>',
        'absolute tolerance of the radius searches',
        parsePositive('--tolerance'),
      )
      .option(
        '--max-radius <r>',
        'largest radius the searches try (default 100)',
        parsePositive('--max-radius'),
      )
      .option(
        '--substitutions <file>',
        'token models: certify against discrete substitution sets instead of a ball. JSON, keys ' +
          'combined: {"positions": {"<t>": [ids]}} (same positions in every sequence), ' +
          '{"sequences": [{"<t>": [ids]}, ...]} (one per input sequence), {"tokens": {"<id>": [ids]}} ' +
          '(every occurrence of a token); t is 0-based, the original token is always allowed. ' +
          'With --attack: a greedy search for a prediction-changing combination',
      )
      .option('--timeout <seconds>', 'stop with an error after this long', secondsOption('--timeout'))
      .option('--json', 'print one JSON object'), 'certify'),
    'certify',
    'item',
  )
    .action(async (o) => {
      const method = checkMethod('certify --method', o.method);
      if ((o.input === undefined) === (o.dataset === undefined))
        throw new RnnlensError('certify: give exactly one of --input FILE (inputs in a JSON file) and --dataset [RECIPE] (the items of a recipe split)');
      for (const flag of ['data', 'limit', 'dataSeed'] as const)
        if (o[flag] !== undefined && o.dataset === undefined) throw new RnnlensError(`certify: --${flag === 'dataSeed' ? 'data-seed' : flag} is for --dataset`);
      const executorSpec = parseExecutor(o.executor);
      const m = await loadAnyModel(o.model);
      const progress = createProgressRenderer({ quiet: o.json && !process.stderr.isTTY });
      const warn = (msg: string): void => void process.stderr.write(`warning: ${msg}\n`);
      let inputs: CertifyInput[];
      let labels: number[] | undefined;
      let datasetName = '';
      if (o.dataset !== undefined) {
        const d = datasetInputs(o, m, progress.callback);
        inputs = d.inputs;
        labels = d.labels;
        datasetName = d.name;
      } else {
        const parsed = parseModelInput(readInputFile(o.input), m.model.inputSpec, m.preprocessing, `input file ${o.input}`);
        inputs = splitInputs(parsed);
      }
      const substitutions = o.substitutions ? readSubstitutions(o.substitutions) : undefined;
      if (substitutions?.sequences && substitutions.sequences.length !== inputs.length)
        throw new RnnlensError(`certify --substitutions: "sequences" expected one entry per input sequence (${inputs.length}), received ${substitutions.sequences.length}`);
      const options: Omit<CertifyCliOptions, 'onProgress' | 'substitutions'> = {
        norm: o.norm,
        eps: o.eps,
        radius: o.radius,
        method,
        steps: o.steps,
        features: o.features,
        perStep: o.perStep,
        attack: o.attack,
        audit: o.audit,
        tolerance: o.tolerance,
        maxRadius: o.maxRadius,
      };
      checkCertifyOptions({ ...options, substitutions });
      const show = (p: { done: number; total: number; message?: string }): void => progress.callback({ task: 'certify', ...p });
      let results: CertifyCliResult[];
      let executorName = 'local';
      try {
        if (executorSpec.type === 'local' && o.parallel === 1) {
          results = runCertify(m.model, inputs, { ...options, substitutions, onProgress: withDeadline('certify', o.timeout, show) });
        } else {
          const executor = await openExecutor(o.executor, { threads: o.parallel, queue: o.queue, artifacts: o.artifacts, onWarning: warn });
          executorName = executor.name;
          try {
            results = await certifyOnExecutor(executor, o.model, inputs, options, substitutions, o.chunk, show, o.timeout);
          } finally {
            await executor.close();
          }
        }
      } finally {
        progress.stop();
      }
      const summary = labels ? summarizeCertified(results, labels, datasetName) : undefined;
      const runConfig = { method, norm: substitutions ? null : o.norm, eps: o.eps ?? null, radius: !!o.radius, steps: o.steps ?? null, features: o.features ?? null, perStep: !!o.perStep, attack: !!o.attack, audit: !!o.audit, substitutions: o.substitutions ?? null, dataset: datasetName || null };
      const run = await recordCertify(o, runConfig, results, m.classNames, labels, summary);
      if (o.json) {
        process.stdout.write(
          JSON.stringify({
            ...(run.id ? { run: run.id } : {}),
            results,
            method,
            norm: substitutions ? null : o.norm,
            eps: o.eps ?? null,
            ...(substitutions ? { perturbation: 'substitutions' } : {}),
            ...(labels ? { labels, summary } : {}),
            executor: executorName,
          }) + '\n',
        );
        return;
      }
      const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(5) : String(v));
      const width = Math.max(1, ...(m.classNames ?? []).map((c) => c.length), String(m.model.outputFeatures).length);
      results.forEach((r, i) => {
        const parts = [
          `${i}: class ${m.classNames?.[r.prediction] ?? r.prediction}`,
          r.certified ? 'CERTIFIED' : 'not certified',
          substitutions
            ? `(${method}, substitution sets)`
            : `(${method}, ${o.norm}${o.eps !== undefined ? ` ε=${o.eps}` : ''})`,
        ];
        if (r.substitutionAttack)
          parts.push(
            r.substitutionAttack.flipped
              ? `attack FLIPPED to class ${m.classNames?.[r.substitutionAttack.prediction] ?? r.substitutionAttack.prediction} with tokens [${r.substitutionAttack.tokens.join(', ')}]`
              : 'greedy attack found no flip',
          );
        if (r.radius !== null) parts.push(`radius ${fmt(r.radius)}`);
        if (o.attack)
          parts.push(
            `attack radius ${r.attackRadius === null ? 'none found' : fmt(r.attackRadius)}`,
          );
        if (r.radius !== null && r.attackRadius !== null)
          parts.push(`gap ${fmt(r.attackRadius - r.radius)}`);
        if (r.audit)
          parts.push(
            r.audit.ok
              ? `audit ok (${r.audit.points} points)`
              : `AUDIT FAILED: ${r.audit.violations.length} violations`,
          );
        process.stdout.write(parts.join('  ') + '\n');
        // one interval per output: the certified range of each logit over the whole set, and for
        // every other class whether it is certified never to overtake the predicted one
        r.lower.forEach((lo, k) => {
          const name = m.classNames?.[k] ?? String(k);
          const interval = `logit in [${fmt(lo)}, ${fmt(r.upper[k]!)}]`;
          const g = r.margins?.[k];
          const verdict = k === r.prediction ? 'predicted' : g === null || g === undefined ? '' : `${g > 0 ? 'certified below' : 'not certified below'} the predicted class (margin ≥ ${fmt(g)})`;
          process.stdout.write(`   ${k === r.prediction ? '*' : ' '} ${name.padEnd(width)}  ${interval.padEnd(34)}  ${verdict}\n`.replace(/\s+\n$/, '\n'));
        });
      });
      if (summary)
        process.stdout.write(
          `${summary.n} items of ${summary.dataset}: accuracy ${summary.accuracy.toFixed(4)}, certified ${summary.certified}/${summary.n}, certified accuracy ${summary.certifiedAccuracy.toFixed(4)}${executorName !== 'local' ? ` (executor ${executorName})` : ''}\n`,
        );
      process.stdout.write(recordedLine(run));
      if (results.some((r) => r.audit && !r.audit.ok)) process.exitCode = 1;
    });
}
