/**
 * The search space of `rnnlens sweep`: the parameters a sweep can vary (train options and the
 * recipe's model shape) with their bounds, `--param NAME=VALUES` parsing (comma lists, integer
 * ranges, `lo..hi` and `log:lo..hi` for random search), the grid and seeded random points.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export type ParamValue = number | string | boolean;
/** One point of the search space: canonical parameter name → value. */
export type SweepPoint = Record<string, ParamValue>;

export interface ParamSpec {
  name: string;
  aliases: string[];
  /** 'int' and 'float' take lists and ranges; 'choice' only lists of its choices */
  type: 'int' | 'float' | 'choice';
  /** what the parameter sets: the training config, its optimiser, or the recipe's model shape */
  target: 'train' | 'optimizer' | 'early-stopping' | 'model';
  /** numeric bounds (inclusive unless the *Open flag is set) */
  min?: number;
  minOpen?: boolean;
  max?: number;
  maxOpen?: boolean;
  choices?: readonly ParamValue[];
  description: string;
}

/** Every parameter a sweep can vary. */
export const SWEEP_PARAMS: readonly ParamSpec[] = [
  { name: 'lr', aliases: ['learning-rate', 'learningRate'], type: 'float', target: 'optimizer', min: 0, minOpen: true, description: 'learning rate of the optimiser' },
  { name: 'weightDecay', aliases: ['weight-decay'], type: 'float', target: 'optimizer', min: 0, description: 'weight decay of the optimiser' },
  { name: 'epochs', aliases: [], type: 'int', target: 'train', min: 1, description: 'epochs per fold' },
  { name: 'batchSize', aliases: ['batch-size'], type: 'int', target: 'train', min: 1, description: 'batch size' },
  { name: 'clipNorm', aliases: ['clip-norm', 'clip'], type: 'float', target: 'train', min: 0, minOpen: true, description: 'gradient norm clipping' },
  { name: 'patience', aliases: [], type: 'int', target: 'early-stopping', min: 0, description: "early-stopping patience (recipes that stop early)" },
  { name: 'hidden', aliases: ['units'], type: 'int', target: 'model', min: 1, description: 'hidden units per recurrent layer' },
  { name: 'layers', aliases: [], type: 'int', target: 'model', min: 1, description: 'recurrent layers' },
  { name: 'embedding', aliases: [], type: 'int', target: 'model', min: 1, description: 'embedding size (token models)' },
  { name: 'dropout', aliases: [], type: 'float', target: 'model', min: 0, max: 1, maxOpen: true, description: 'dropout rate after each recurrent layer' },
  { name: 'cell', aliases: [], type: 'choice', target: 'model', choices: ['lstm', 'gru', 'rnn'], description: 'recurrent cell' },
  { name: 'bidirectional', aliases: [], type: 'choice', target: 'model', choices: [true, false], description: 'bidirectional recurrent layers' },
  { name: 'pool', aliases: [], type: 'choice', target: 'model', choices: ['last', 'mean', 'max'], description: 'how the sequence is pooled before the output layer' },
];

/** The known parameter names, with aliases, for messages. */
export function knownParams(): string {
  return SWEEP_PARAMS.map((p) => (p.aliases.length ? `${p.name} (${p.aliases.join(', ')})` : p.name)).join(', ');
}

export function findParam(name: string): ParamSpec | undefined {
  return SWEEP_PARAMS.find((p) => p.name === name || p.aliases.includes(name));
}

export type ParamDomain = { kind: 'list'; values: ParamValue[] } | { kind: 'range'; lo: number; hi: number; log: boolean };

export interface SweepParam {
  spec: ParamSpec;
  domain: ParamDomain;
  /** the text it was parsed from, e.g. "lr=0.001,0.01" */
  text: string;
}

/** Default largest number of points (grid size or trials). */
export const DEFAULT_MAX_POINTS = 500;

const WHERE = 'sweep';
const fail = (text: string, expected: string, received: string): never => {
  throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(text)} expected ${expected}, received ${received}`);
};

function bounds(spec: ParamSpec): string {
  const parts: string[] = [];
  if (spec.min !== undefined) parts.push(`${spec.minOpen ? '>' : '>='} ${spec.min}`);
  if (spec.max !== undefined) parts.push(`${spec.maxOpen ? '<' : '<='} ${spec.max}`);
  return parts.join(' and ');
}

function inBounds(spec: ParamSpec, v: number): boolean {
  if (spec.min !== undefined && (spec.minOpen ? !(v > spec.min) : !(v >= spec.min))) return false;
  if (spec.max !== undefined && (spec.maxOpen ? !(v < spec.max) : !(v <= spec.max))) return false;
  return true;
}

function what(spec: ParamSpec): string {
  if (spec.type === 'choice') return `values of ${spec.name} among ${spec.choices!.map(String).join(', ')}`;
  const b = bounds(spec);
  return `${spec.type === 'int' ? 'integers' : 'numbers'}${b ? ` ${b}` : ''} for ${spec.name}`;
}

function parseNumber(text: string, spec: ParamSpec, token: string): number {
  const t = token.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v) || (spec.type === 'int' && !Number.isInteger(v)) || !inBounds(spec, v)) fail(text, what(spec), JSON.stringify(token));
  return v;
}

/** Parses one `name=values` text (see the file comment). */
export function parseParam(text: string): SweepParam {
  if (typeof text !== 'string') throw new ArgumentError(WHERE, 'param', 'a string NAME=VALUES', String(text));
  const eq = text.indexOf('=');
  if (eq < 0) fail(text, 'NAME=VALUES (e.g. lr=0.001,0.01 or hidden=16,32 or epochs=2..6)', 'no "="');
  const name = text.slice(0, eq).trim();
  const body = text.slice(eq + 1).trim();
  const spec = findParam(name);
  if (!spec) throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(text)} expected a parameter name among ${knownParams()}, received ${JSON.stringify(name)}`);
  if (body === '' || body.split(',').every((s) => s.trim() === '')) fail(text, `a non-empty list or range of ${what(spec)}`, 'an empty list');
  const range = /^(log:)?\s*([^,]*?)\s*\.\.\s*([^,]*)$/.exec(body);
  if (range) {
    if (spec.type === 'choice') fail(text, `a comma list of ${what(spec)} (no ranges)`, JSON.stringify(body));
    const log = range[1] !== undefined;
    const lo = parseNumber(text, spec, range[2]!);
    const hi = parseNumber(text, spec, range[3]!);
    if (!(lo < hi)) fail(text, 'a range lo..hi with lo < hi', `${lo}..${hi}`);
    if (log && !(lo > 0)) fail(text, 'a log range log:lo..hi with lo > 0', `${lo}..${hi}`);
    return { spec, domain: { kind: 'range', lo, hi, log }, text };
  }
  if (body.startsWith('log:')) fail(text, 'log:lo..hi (a range)', JSON.stringify(body));
  const tokens = body.split(',');
  const values: ParamValue[] = tokens.map((token) => {
    if (token.trim() === '') fail(text, `a comma list without empty entries of ${what(spec)}`, JSON.stringify(body));
    if (spec.type !== 'choice') return parseNumber(text, spec, token);
    const t = token.trim();
    const v = spec.choices!.find((c) => String(c) === t);
    if (v === undefined) fail(text, what(spec), JSON.stringify(t));
    return v!;
  });
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(String(v))) fail(text, 'distinct values', `${JSON.stringify(String(v))} twice`);
    seen.add(String(v));
  }
  return { spec, domain: { kind: 'list', values }, text };
}

/** Parses every `--param` text; each parameter at most once, at least one parameter. */
export function parseSearchSpace(texts: readonly (string | SweepParam)[]): SweepParam[] {
  if (!texts || texts.length === 0) throw new RnnlensError(`${WHERE}: --param expected at least one NAME=VALUES (parameters: ${knownParams()}), received none`);
  const space = texts.map((t) => (typeof t === 'string' ? parseParam(t) : t));
  const names = new Map<string, string>();
  for (const p of space) {
    const before = names.get(p.spec.name);
    if (before !== undefined) throw new RnnlensError(`${WHERE}: --param expected each parameter once, received ${p.spec.name} twice (${JSON.stringify(before)} and ${JSON.stringify(p.text)})`);
    names.set(p.spec.name, p.text);
  }
  return space;
}

/** The values a grid takes for a parameter (integer ranges expand to every integer). */
function gridValues(p: SweepParam, maxPoints: number): ParamValue[] {
  const d = p.domain;
  if (d.kind === 'list') return d.values;
  if (p.spec.type !== 'int' || d.log) {
    const why = p.spec.type === 'int' ? 'log ranges need --search random; an integer range lo..hi expands to every integer' : `ranges of ${p.spec.name} need --search random`;
    throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expected a comma list for --search grid (${why}), received a ${d.log ? 'log ' : ''}range`);
  }
  const n = d.hi - d.lo + 1;
  if (n > maxPoints) throw new RnnlensError(`${WHERE}: --param ${JSON.stringify(p.text)} expands to ${n} values, more than the limit of ${maxPoints} points`);
  return Array.from({ length: n }, (_, i) => d.lo + i);
}

/** The cartesian product, the first parameter varying slowest; refuses more than `maxPoints`. */
export function gridPoints(space: readonly SweepParam[], maxPoints = DEFAULT_MAX_POINTS): SweepPoint[] {
  const lists = space.map((p) => gridValues(p, maxPoints));
  const total = lists.reduce((a, l) => a * l.length, 1);
  if (total > maxPoints) {
    const sizes = space.map((p, i) => `${p.spec.name} ${lists[i]!.length}`).join(' × ');
    throw new RnnlensError(`${WHERE}: the grid expected at most ${maxPoints} points (--max-points), received ${total} (${sizes}); shorten the lists or use --search random --trials N`);
  }
  let points: SweepPoint[] = [{}];
  space.forEach((p, i) => {
    points = points.flatMap((pt) => lists[i]!.map((v) => ({ ...pt, [p.spec.name]: v })));
  });
  return points;
}

const round4 = (v: number): number => Number(v.toPrecision(4));

function draw(p: SweepParam, rng: Rng): ParamValue {
  const d = p.domain;
  if (d.kind === 'list') return d.values[rng.int(d.values.length)]!;
  if (p.spec.type === 'int') {
    if (!d.log) {
      const lo = Math.ceil(d.lo);
      const hi = Math.floor(d.hi);
      return lo + rng.int(hi - lo + 1);
    }
    const v = Math.round(Math.exp(rng.uniform(Math.log(d.lo), Math.log(d.hi))));
    return Math.min(Math.floor(d.hi), Math.max(Math.ceil(d.lo), v));
  }
  const raw = d.log ? Math.exp(rng.uniform(Math.log(d.lo), Math.log(d.hi))) : rng.uniform(d.lo, d.hi);
  let v = Math.min(d.hi, Math.max(d.lo, round4(raw)));
  // an open bound (e.g. dropout < 1) may be reached by rounding: keep the unrounded draw then
  if (!inBounds(p.spec, v)) v = raw;
  return v;
}

const pointKey = (pt: SweepPoint): string => JSON.stringify(Object.entries(pt));

/**
 * `trials` points drawn with an Rng seeded by `seed` (parameters in the order given, point after
 * point); repeats are drawn again, up to a bound, so a small discrete space may give fewer.
 */
export function randomPoints(space: readonly SweepParam[], trials: number, seed: number, opts: { maxPoints?: number; onWarning?: (m: string) => void } = {}): SweepPoint[] {
  const maxPoints = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isInteger(trials) || trials < 1 || trials > maxPoints) throw new RnnlensError(`${WHERE}: --trials expected an integer in [1, ${maxPoints}], received ${trials}`);
  if (!Number.isFinite(seed)) throw new RnnlensError(`${WHERE}: --seed expected an integer, received ${seed}`);
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const out: SweepPoint[] = [];
  for (let attempt = 0; out.length < trials && attempt < trials * 50; attempt++) {
    const pt: SweepPoint = {};
    for (const p of space) pt[p.spec.name] = draw(p, rng);
    const key = pointKey(pt);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(pt);
  }
  if (out.length < trials) opts.onWarning?.(`sweep: the search space gave only ${out.length} distinct points of the ${trials} trials asked for`);
  return out;
}

/** Metrics that are better when lower. */
