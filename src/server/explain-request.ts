/**
 * The body of POST /api/explain, checked field by field before any model is loaded:
 *   { run, method, input: { text } | { tokens: [ids] } | { rows: [[features] ...steps] } |
 *     { item: index, split? }, params?: { steps, samples, perms, noise, window, stride, baseline,
 *     seed }, target?: index | class name }
 * Every failure is an HttpError 400 naming the field, what was expected and what came. One
 * sequence per request, at most EXPLAIN_LIMITS.maxSteps steps.
 */
import { describe } from '../core/errors.js';
import { listMethods } from '../explain/attribute.js';
import { paramApplies, paramSpec, PARAM_SPECS, type ParamSpec } from '../explain/param-specs.js';
import { HttpError } from './errors.js';
import { RUN_ID_PATTERN } from './schemas.js';

export const EXPLAIN_LIMITS = {
  /** Steps (tokens or rows) of the one sequence a request explains. */
  maxSteps: 400,
  /** Characters of a text input. */
  maxTextChars: 20_000,
  /** Numbers of a numeric input (steps × features). */
  maxValues: 100_000,
  /** Dataset items one list request returns. */
  maxItems: 200,
} as const;

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export type ExplainInput =
  | { kind: 'text'; text: string }
  | { kind: 'tokens'; tokens: number[] }
  | { kind: 'rows'; rows: number[][] }
  | { kind: 'item'; item: number; split: Split };

export interface ExplainParams {
  steps?: number;
  samples?: number;
  perms?: number;
  noise?: number;
  window?: string;
  stride?: string;
  baseline?: string;
  seed?: number;
}

export interface ExplainRequest {
  run: string;
  method: string;
  input: ExplainInput;
  params: ExplainParams;
  target?: number | string;
}

const bad = (field: string, expected: string, received: unknown): never => {
  throw new HttpError(400, 'bad_request', `explain: '${field}' expected ${expected}, received ${describe(received)}`);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(field: string, o: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new HttpError(400, 'bad_request', `explain: unknown field '${field ? `${field}.` : ''}${k}' (expected ${allowed.map((a) => `'${a}'`).join(', ')})`);
}

function parseInput(v: unknown): ExplainInput {
  if (!isObject(v)) return bad('input', 'an object { text } | { tokens } | { rows } | { item, split? }', v);
  const kinds = ['text', 'tokens', 'rows', 'item'].filter((k) => k in v);
  if (kinds.length !== 1)
    throw new HttpError(400, 'bad_request', `explain: 'input' expected exactly one of 'text', 'tokens', 'rows', 'item', received ${kinds.length ? kinds.map((k) => `'${k}'`).join(' and ') : 'none of them'}`);
  const kind = kinds[0]!;
  checkKeys('input', v, kind === 'item' ? ['item', 'split'] : [kind]);
  const { maxSteps, maxTextChars, maxValues } = EXPLAIN_LIMITS;
  if (kind === 'text') {
    const text = v.text;
    if (typeof text !== 'string' || text.trim() === '') return bad('input.text', 'a non-empty string', text);
    if (text.length > maxTextChars)
      throw new HttpError(400, 'bad_request', `explain: 'input.text' has ${text.length} characters, more than the limit of ${maxTextChars}`);
    return { kind, text };
  }
  if (kind === 'tokens') {
    const t = v.tokens;
    if (!Array.isArray(t) || t.length === 0) return bad('input.tokens', 'a non-empty array of token ids', t);
    if (t.length > maxSteps)
      throw new HttpError(400, 'bad_request', `explain: 'input.tokens' has ${t.length} tokens, more than the limit of ${maxSteps} steps`);
    t.forEach((id, i) => {
      if (!Number.isInteger(id) || (id as number) < 0) bad(`input.tokens[${i}]`, 'a token id (an integer >= 0)', id);
    });
    return { kind, tokens: t as number[] };
  }
  if (kind === 'rows') {
    const rows = v.rows;
    if (!Array.isArray(rows) || rows.length === 0) return bad('input.rows', 'a non-empty array of steps (each an array of features)', rows);
    if (rows.length > maxSteps)
      throw new HttpError(400, 'bad_request', `explain: 'input.rows' has ${rows.length} steps, more than the limit of ${maxSteps} steps`);
    let values = 0;
    rows.forEach((row, t) => {
      if (!Array.isArray(row) || row.length === 0) bad(`input.rows[${t}]`, 'a non-empty array of numbers', row);
      values += (row as unknown[]).length;
      if (values > maxValues)
        throw new HttpError(400, 'bad_request', `explain: 'input.rows' has more than the limit of ${maxValues} numbers`);
      (row as unknown[]).forEach((x, f) => {
        if (typeof x !== 'number' || !Number.isFinite(x)) bad(`input.rows[${t}][${f}]`, 'a finite number', x);
      });
    });
    return { kind, rows: rows as number[][] };
  }
  const item = v.item;
  if (!Number.isInteger(item) || (item as number) < 0 || (item as number) > 1e9) return bad('input.item', 'an item index (an integer >= 0)', item);
  const split = v.split ?? 'test';
  if (typeof split !== 'string' || !(SPLITS as readonly string[]).includes(split)) return bad('input.split', 'train, validation or test', split);
  return { kind: 'item', item: item as number, split: split as Split };
}

/** `STEPS` or `STEPSxFEATURES`, both integers >= 1. */
function stepsByFeatures(field: string, v: unknown): string {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^\s*[1-9]\d{0,8}\s*(?:[x×]\s*[1-9]\d{0,8}\s*)?$/i.test(text))
    return bad(field, 'STEPS or STEPSxFEATURES with integers >= 1 (e.g. 3 or 3x2)', v);
  return text.trim();
}

function parseParam(spec: ParamSpec, v: unknown): number | string {
  const field = `params.${spec.name}`;
  const range = `in [${spec.min}, ${(spec.max ?? Infinity).toLocaleString('en-US')}]`;
  switch (spec.type) {
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min! || v > spec.max!) return bad(field, `an integer ${range}`, v);
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min! || v > spec.max!) return bad(field, `a number ${range}`, v);
      return v;
    case 'steps-by-features':
      return stepsByFeatures(field, v);
    case 'baseline':
      if (typeof v !== 'string' || v.length === 0 || v.length > 64) return bad(field, 'a baseline: zeros, a number, pad, unk, token:<id>, mean or blur[:W]', v);
      return v;
  }
}

function parseParams(method: string, v: unknown): ExplainParams {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) return bad('params', 'an object of method parameters', v);
  const out: Record<string, number | string> = {};
  for (const [k, value] of Object.entries(v)) {
    const spec = paramSpec(k);
    if (!spec)
      throw new HttpError(400, 'bad_request', `explain: unknown parameter 'params.${k}' (parameters: ${PARAM_SPECS.map((p) => p.name).join(', ')})`);
    if (!paramApplies(spec, method))
      throw new HttpError(400, 'bad_request', `explain: parameter 'params.${k}' is a parameter of ${spec.methods!.join(', ')}; method '${method}' does not use it`);
    if (value === undefined || value === null || value === '') continue;
    out[k] = parseParam(spec, value);
  }
  return out as ExplainParams;
}

/** Methods the API offers (the wrappers around another method are CLI-only). */
export function apiMethods(): string[] {
  return listMethods().filter((m) => m !== 'tsr' && m !== 'noise-tunnel');
}

export function parseExplainRequest(body: unknown): ExplainRequest {
  if (!isObject(body)) return bad('(body)', 'a JSON object { run, method, input, params?, target? }', body);
  checkKeys('', body, ['run', 'method', 'input', 'params', 'target']);
  const run = body.run;
  if (typeof run !== 'string' || !new RegExp(RUN_ID_PATTERN).test(run)) return bad('run', 'the id of a training run', run);
  const method = body.method;
  const methods = apiMethods();
  if (typeof method !== 'string' || !methods.includes(method)) return bad('method', `one of ${methods.join(', ')}`, method);
  const input = parseInput(body.input);
  const params = parseParams(method, body.params);
  const req: ExplainRequest = { run, method, input, params };
  const target = body.target;
  if (target !== undefined && target !== null && target !== '') {
    if (!(typeof target === 'string' && target.length <= 200) && !(Number.isInteger(target) && (target as number) >= 0))
      return bad('target', 'an output index (an integer >= 0) or a class name', target);
    req.target = target as number | string;
  }
  return req;
}
