/**
 * Discrete substitution sets from a JSON description (what `rnnlens certify --substitutions FILE`
 * reads), and the greedy substitution attack reported as token ids.
 *
 * Format (all keys optional, combined by union; ids are token ids of the model's vocabulary):
 *   { "positions": { "<t>": [id, ...] } }          the same positions for every input sequence
 *   { "sequences": [ { "<t>": [id, ...] }, ... ] }  one object per input sequence, in file order
 *   { "tokens": { "<id>": [id, ...] } }             every occurrence of token <id>, anywhere
 * Position t is 0-based; positions past a sequence's end are an error for "sequences" and skipped
 * for "positions" (sequences differ in length). The original token is always allowed.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import type { SequenceModel } from '../../nn/model.js';
import { greedySubstitution } from './attack.js';
import { evaluateFlat, regionFor, type CertifyInput } from './certify.js';
import type { SubstitutionPerturbation } from './perturbation.js';

export interface SubstitutionSpec {
  positions?: Record<string, number[]>;
  sequences?: Record<string, number[]>[];
  tokens?: Record<string, number[]>;
}

const WHERE = 'substitutions';

function idList(v: unknown, path: string): number[] {
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < 0))
    throw new ArgumentError(WHERE, path, 'an array of token ids (integers ≥ 0)', describe(v));
  return v as number[];
}

function indexKey(k: string, path: string): number {
  if (!/^\d+$/.test(k))
    throw new ArgumentError(WHERE, path, 'keys that are 0-based integers', JSON.stringify(k));
  return Number(k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed JSON value as a substitution spec. */
export function checkSubstitutionSpec(v: unknown): SubstitutionSpec {
  if (!isObject(v)) throw new ArgumentError(WHERE, 'file', 'a JSON object', describe(v));
  const known = ['positions', 'sequences', 'tokens'];
  const keys = Object.keys(v);
  const bad = keys.filter((k) => !known.includes(k));
  if (bad.length > 0 || keys.length === 0)
    throw new ArgumentError(
      WHERE,
      'file',
      'an object with "positions", "sequences" and/or "tokens"',
      keys.length === 0 ? 'an empty object' : `key ${JSON.stringify(bad[0])}`,
    );
  const maps = (m: unknown, path: string): void => {
    if (!isObject(m)) throw new ArgumentError(WHERE, path, 'an object of id lists', describe(m));
    for (const [k, ids] of Object.entries(m)) {
      indexKey(k, `${path} key`);
      idList(ids, `${path}["${k}"]`);
    }
  };
  if (v.positions !== undefined) maps(v.positions, 'positions');
  if (v.tokens !== undefined) maps(v.tokens, 'tokens');
  if (v.sequences !== undefined) {
    if (!Array.isArray(v.sequences))
      throw new ArgumentError(WHERE, 'sequences', 'an array of objects', describe(v.sequences));
    v.sequences.forEach((s, i) => maps(s, `sequences[${i}]`));
  }
  return v as SubstitutionSpec;
}

/** The substitution set of each input sequence (token ids) under a spec. */
export function substitutionSets(
  spec: SubstitutionSpec,
  sequences: ArrayLike<number>[],
): SubstitutionPerturbation[] {
  const s = checkSubstitutionSpec(spec);
  if (s.sequences && s.sequences.length !== sequences.length)
    throw new ArgumentError(
      WHERE,
      'sequences',
      `one entry per input sequence (${sequences.length})`,
      `${s.sequences.length} entries`,
    );
  return sequences.map((ids, i) => {
    const T = ids.length;
    const allowed: number[][] = Array.from({ length: T }, () => []);
    for (const [k, list] of Object.entries(s.positions ?? {})) {
      const t = indexKey(k, 'positions key');
      if (t < T) allowed[t]!.push(...list);
    }
    for (const [k, list] of Object.entries(s.sequences?.[i] ?? {})) {
      const t = indexKey(k, `sequences[${i}] key`);
      if (t >= T)
        throw new ArgumentError(
          WHERE,
          `sequences[${i}]`,
          `positions below the sequence's length ${T}`,
          `position ${t}`,
        );
      allowed[t]!.push(...list);
    }
    const byToken = s.tokens ?? {};
    for (let t = 0; t < T; t++) {
      const list = byToken[String(ids[t])];
      if (list) allowed[t]!.push(...list);
    }
    return { kind: 'substitution', allowed: allowed.map((a) => [...new Set(a)]) };
  });
}

export interface SubstitutionAttack {
  /** whether the greedy search found a combination of substitutions that changes the prediction */
  flipped: boolean;
  /** the token ids of the best combination found (the input itself when nothing helped) */
  tokens: number[];
  /** the class the model predicts on `tokens` */
  prediction: number;
}

/**
 * Greedy substitution attack against the prediction: for every other class j, greedily maximise
 * logit_j − logit_pred over the allowed substitutions; report the best combination as token ids.
 */
export function substitutionAttack(
  m64: SequenceModel,
  input: Extract<CertifyInput, { kind: 'tokens' }>,
  p: SubstitutionPerturbation,
): SubstitutionAttack {
  const region = regionFor(m64, input, p);
  const y = evaluateFlat(m64, region.centre, 1, region.steps, region.features);
  const C = y.length;
  let pred = 0;
  for (let k = 1; k < C; k++) if (y[k]! > y[pred]!) pred = k;
  let best: { value: number; x: Float64Array } = { value: -Infinity, x: region.centre };
  for (let j = 0; j < C; j++) {
    if (j === pred) continue;
    const c = new Float64Array(C);
    c[j] = 1;
    c[pred] = -1;
    const r = greedySubstitution(m64, region, c);
    if (r.value > best.value) best = { value: r.value, x: r.x };
  }
  // map each position's embedding vector back to the id it came from
  const E = region.features;
  const tokens = Array.from(input.ids);
  for (const b of region.blocks) {
    if (b.kind !== 'points') continue;
    const t = b.idx[0]! / E;
    const alts = [
      input.ids[t]!,
      ...[...new Set(p.allowed[t]!)].filter((id) => id !== input.ids[t]),
    ];
    const k = b.points.findIndex((pt) => pt.every((v, e) => v === best.x[t * E + e]));
    if (k >= 0) tokens[t] = alts[k]!;
  }
  const yAdv = evaluateFlat(m64, best.x, 1, region.steps, region.features);
  let advPred = 0;
  for (let k = 1; k < C; k++) if (yAdv[k]! > yAdv[advPred]!) advPred = k;
  return { flipped: advPred !== pred, tokens, prediction: advPred };
}
