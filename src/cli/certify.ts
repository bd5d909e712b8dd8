/**
 * `rnnlens certify --model PATH --input FILE [--norm linf|l2|l1] [--eps E | --radius]
 *   [--method ibp|crown|alpha] [--steps a-b] [--features i,j] [--per-step] [--attack] [--audit]
 *   [--substitutions FILE] [--json]`: certified output bounds (logits) of every input sequence in the file, the margin
 *   verdict, optionally the certified radius (bisection), an attack radius (PGD) and an audit
 *   (sampling + PGD against every bound). Progress over inputs goes to stderr.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { RnnlensError } from '../core/errors.js';
import type { SequenceModel } from '../nn/model.js';
import { loadAnyModel } from '../predict/load.js';
import { parseModelInput, readInputFile, type ParsedInput } from '../predict/input-file.js';
import '../io/register.js'; // lets --model accept TF.js and ONNX files
import { audit } from '../verify/certify/audit.js';
import { certify, type CertifyInput } from '../verify/certify/certify.js';
import type { NormKind } from '../verify/certify/ibp.js';
import type { BallPerturbation } from '../verify/certify/perturbation.js';
import { checkMethod, type Method } from '../verify/certify/propagate.js';
import {
  checkSubstitutionSpec,
  substitutionAttack,
  substitutionSets,
  type SubstitutionSpec,
} from '../verify/certify/substitutions.js';
import { readFileSync } from 'node:fs';
import { attackRadius, certifiedRadius } from '../verify/certify/radius.js';
import { createProgressRenderer } from './progress.js';
import { secondsOption, withDeadline } from './options.js';

export interface CertifyCliOptions {
  norm: NormKind;
  eps?: number;
  radius?: boolean;
  method: Method;
  steps?: [number, number];
  features?: number[];
  perStep?: boolean;
  attack?: boolean;
  audit?: boolean;
  tolerance?: number;
  maxRadius?: number;
  /** discrete substitution sets (token models) instead of a ball; see substitutions.ts */
  substitutions?: SubstitutionSpec;
  onProgress?: (p: { done: number; total: number; message?: string }) => void;
}

export interface CertifyCliResult {
  prediction: number;
  lower: number[];
  upper: number[];
  certified: boolean;
  radius: number | null;
  attackRadius: number | null;
  /** with substitution sets and --attack: the greedy search's best combination */
  substitutionAttack?: { flipped: boolean; tokens: number[]; prediction: number };
  audit?: {
    ok: boolean;
    points: number;
    violations: { quantity: string; side: string; bound: number; observed: number }[];
  };
}

/** The sequences of a parsed input file as single certification inputs (padding removed). */
export function splitInputs(x: ParsedInput): CertifyInput[] {
  const out: CertifyInput[] = [];
  for (let b = 0; b < x.batch; b++) {
    const len = x.lengths[b]!;
    if (x.kind === 'numeric') {
      const D = x.features;
      const off = b * x.steps * D;
      out.push({
        kind: 'numeric',
        data: Float64Array.from(x.data.subarray(off, off + len * D)),
        steps: len,
      });
    } else
      out.push({ kind: 'tokens', ids: Array.from(x.ids.subarray(b * x.steps, b * x.steps + len)) });
  }
  return out;
}

/** The work behind the command, usable without a terminal. */
export function runCertify(
  model: SequenceModel,
  inputs: CertifyInput[],
  o: CertifyCliOptions,
): CertifyCliResult[] {
  if (o.substitutions) return runSubstitutions(model, inputs, o, o.substitutions);
  if ((o.eps === undefined) === !o.radius)
    throw new RnnlensError(
      'certify: give exactly one of --eps E (certify at E) and --radius (search the certified radius)',
    );
  const shape: Omit<BallPerturbation, 'eps'> = { kind: 'ball', norm: o.norm };
  if (o.steps) shape.steps = o.steps;
  if (o.features) shape.features = o.features;
  if (o.perStep) shape.perStep = true;
  const m64 = model.backend.dtype === 'float64' ? model : model.to('ts64');
  return inputs.map((x, i) => {
    let eps = o.eps ?? 0;
    let radius: number | null = null;
    if (o.radius) {
      radius = certifiedRadius(m64, x, shape, {
        method: o.method,
        tolerance: o.tolerance,
        max: o.maxRadius,
      }).radius;
      eps = radius;
    }
    const r = certify(m64, x, { ...shape, eps }, { method: o.method });
    const res: CertifyCliResult = {
      prediction: r.prediction,
      lower: Array.from(r.lower),
      upper: Array.from(r.upper),
      certified: r.certified,
      radius,
      attackRadius: o.attack
        ? attackRadius(m64, x, shape, {
            start: Math.max(eps, 1e-3),
            tolerance: o.tolerance,
            max: o.maxRadius,
          })
        : null,
    };
    if (o.audit) {
      const a = audit(m64, x, { ...shape, eps }, { method: o.method });
      res.audit = { ok: a.ok, points: a.points, violations: a.violations };
    }
    o.onProgress?.({ done: i + 1, total: inputs.length, message: `input ${i}` });
    return res;
  });
}

/** Certification against discrete substitution sets (no radius: the set is fixed). */
function runSubstitutions(
  model: SequenceModel,
  inputs: CertifyInput[],
  o: CertifyCliOptions,
  spec: SubstitutionSpec,
): CertifyCliResult[] {
  const clash = (
    [
      ['--eps', o.eps !== undefined],
      ['--radius', o.radius],
      ['--steps', o.steps],
      ['--features', o.features],
      ['--per-step', o.perStep],
    ] as const
  ).find(([, v]) => Boolean(v));
  if (clash)
    throw new RnnlensError(
      `certify: --substitutions fixes the perturbation set; ${clash[0]} cannot be combined with it`,
    );
  const tokens = inputs.map((x, i) => {
    if (x.kind !== 'tokens')
      throw new RnnlensError(
        `certify: --substitutions needs a token model and token inputs; input ${i} is numeric`,
      );
    return x;
  });
  const sets = substitutionSets(
    spec,
    tokens.map((x) => x.ids),
  );
  const m64 = model.backend.dtype === 'float64' ? model : model.to('ts64');
  return tokens.map((x, i) => {
    const r = certify(m64, x, sets[i]!, { method: o.method });
    const res: CertifyCliResult = {
      prediction: r.prediction,
      lower: Array.from(r.lower),
      upper: Array.from(r.upper),
      certified: r.certified,
      radius: null,
      attackRadius: null,
    };
    if (o.attack) res.substitutionAttack = substitutionAttack(m64, x, sets[i]!);
    if (o.audit) {
      const a = audit(m64, x, sets[i]!, { method: o.method });
      res.audit = { ok: a.ok, points: a.points, violations: a.violations };
    }
    o.onProgress?.({ done: i + 1, total: inputs.length, message: `input ${i}` });
    return res;
  });
}

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
  program
    .command('certify')
    .description('certified output bounds and robustness of a model on the inputs of a JSON file')
    .requiredOption('--model <path>', 'model folder, model.json or .onnx file')
    .requiredOption(
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
    .option('--json', 'print one JSON object')
    .action(async (o) => {
      const method = checkMethod('certify --method', o.method);
      const m = await loadAnyModel(o.model);
      const parsed = parseModelInput(
        readInputFile(o.input),
        m.model.inputSpec,
        m.preprocessing,
        `input file ${o.input}`,
      );
      const inputs = splitInputs(parsed);
      const substitutions = o.substitutions ? readSubstitutions(o.substitutions) : undefined;
      const progress = createProgressRenderer({ quiet: inputs.length < 2 });
      let results: CertifyCliResult[];
      try {
        results = runCertify(m.model, inputs, {
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
          substitutions,
          onProgress: withDeadline('certify', o.timeout, (p) => progress.callback({ task: 'certify', ...p })),
        });
      } finally {
        progress.stop();
      }
      if (o.json) {
        process.stdout.write(
          JSON.stringify({
            results,
            method,
            norm: substitutions ? null : o.norm,
            eps: o.eps ?? null,
            ...(substitutions ? { perturbation: 'substitutions' } : {}),
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
        // one interval per output: the certified range of each logit over the whole set
        r.lower.forEach((lo, k) => {
          const name = m.classNames?.[k] ?? String(k);
          process.stdout.write(`   ${k === r.prediction ? '*' : ' '} ${name.padEnd(width)}  logit in [${fmt(lo)}, ${fmt(r.upper[k]!)}]\n`);
        });
      });
      if (results.some((r) => r.audit && !r.audit.ok)) process.exitCode = 1;
    });
}
