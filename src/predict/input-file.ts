/**
 * Input files for `predict`, `explain` and `certify`: JSON with one of
 *   { "inputs": [[[...features] ...steps] ...sequences] }   numeric sequences
 *   { "tokens": [[ids] ...] }                                token ids
 *   { "texts": ["..."] }                                     raw text (models saved with a tokenizer)
 * and optional "lengths": [n, ...] (a sequence's real length; the rest of its rows are padding).
 * Sequences may differ in length; they are right-padded into one batch. Numeric input is
 * normalised with the model's saved normalisation when it has one.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { normaliseItem, textItem } from '../data/preprocess.js';
import type { Item } from '../data/dataset.js';
import type { SeqBatch, TokenBatch } from '../nn/layer.js';
import type { ModelConfig } from '../nn/config.js';
import { maxOf } from '../core/extent.js';

export type ParsedInput = (SeqBatch & { kind: 'numeric' }) | (TokenBatch & { kind: 'tokens' });

const MAX_VALUES = 1 << 27;

export function readInputFile(path: string): unknown {
  if (!existsSync(path)) throw new RnnlensError(`input file ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new RnnlensError(`--input ${path} is a folder; expected a JSON input file ({"inputs": ...}, {"tokens": ...} or {"texts": [...]}), or a folder of WAV files with a model trained on audio features`);
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new RnnlensError(`input file ${path} is empty`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RnnlensError(`input file ${path} is not valid JSON (${(e as Error).message})`);
  }
}

function lengthsOf(where: string, raw: unknown, n: number, steps: number[]): number[] {
  if (raw === undefined) return steps;
  if (!Array.isArray(raw) || raw.length !== n) throw new ArgumentError(where, 'lengths', `an array of ${n} lengths (one per sequence)`, describe(raw));
  return raw.map((l, i) => {
    if (!Number.isInteger(l) || l < 1 || l > steps[i]!) throw new ArgumentError(where, `lengths[${i}]`, `an integer in [1, ${steps[i]}]`, describe(l));
    return l as number;
  });
}

/** Parses an input object for a model with the given input spec and preprocessing settings. */
export function parseModelInput(raw: unknown, input: ModelConfig['input'], preprocessing: Record<string, unknown> = {}, where = 'input file'): ParsedInput {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ArgumentError(where, '(top level)', 'an object with "inputs", "tokens" or "texts"', describe(raw));
  const o = raw as Record<string, unknown>;
  const keys = ['inputs', 'tokens', 'texts'].filter((k) => k in o);
  if (keys.length !== 1) throw new ArgumentError(where, '(top level)', 'exactly one of "inputs", "tokens", "texts"', keys.length ? keys.join(' and ') : `keys ${Object.keys(o).join(', ') || '(none)'}`);
  const key = keys[0]!;
  const list = o[key];
  if (!Array.isArray(list) || list.length === 0) throw new ArgumentError(where, key, 'a non-empty array of sequences', describe(list));
  let items: Item[];
  if (key === 'inputs') {
    if (input.kind !== 'numeric') throw new ArgumentError(where, 'inputs', `"tokens" or "texts" (the model takes token ids)`, 'numeric "inputs"');
    const D = input.features;
    items = list.map((seq, i) => {
      if (!Array.isArray(seq) || seq.length === 0) throw new ArgumentError(where, `inputs[${i}]`, 'a non-empty array of steps', describe(seq));
      const x = new Float32Array(seq.length * D);
      seq.forEach((row, t) => {
        if (!Array.isArray(row) || row.length !== D) throw new ArgumentError(where, `inputs[${i}][${t}]`, `${D} features`, describe(row));
        row.forEach((v, f) => {
          if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(where, `inputs[${i}][${t}][${f}]`, 'a finite number', describe(v));
          x[t * D + f] = v;
        });
      });
      return normaliseItem({ x, steps: seq.length }, preprocessing);
    });
  } else {
    if (input.kind !== 'tokens') throw new ArgumentError(where, key, `numeric "inputs" with ${input.kind === 'numeric' ? input.features : '?'} features per step`, `"${key}"`);
    if (key === 'texts') {
      items = list.map((t, i) => {
        if (typeof t !== 'string') throw new ArgumentError(where, `texts[${i}]`, 'a string', describe(t));
        return textItem(t, preprocessing);
      });
    } else {
      items = list.map((seq, i) => {
        if (!Array.isArray(seq) || seq.length === 0) throw new ArgumentError(where, `tokens[${i}]`, 'a non-empty array of token ids', describe(seq));
        const x = Int32Array.from(seq.map((id, t) => {
          if (!Number.isInteger(id) || id < 0 || id >= input.vocabSize) throw new ArgumentError(where, `tokens[${i}][${t}]`, `a token id in [0, ${input.vocabSize})`, describe(id));
          return id as number;
        }));
        return { x, steps: x.length };
      });
    }
  }
  const steps = items.map((it) => it.steps);
  const lengths = lengthsOf(where, o.lengths, items.length, steps);
  const B = items.length;
  const T = maxOf(lengths);
  if (input.kind === 'numeric') {
    const D = input.features;
    if (B * T * D > MAX_VALUES) throw new ArgumentError(where, 'inputs', `at most ${MAX_VALUES} values in one batch`, `${B * T * D}`);
    const data = new Float32Array(B * T * D);
    items.forEach((it, b) => data.set(it.x.subarray(0, lengths[b]! * D) as Float32Array, b * T * D));
    return { kind: 'numeric', data, batch: B, steps: T, features: D, lengths: Int32Array.from(lengths) };
  }
  const ids = new Int32Array(B * T);
  items.forEach((it, b) => ids.set(it.x.subarray(0, lengths[b]!) as Int32Array, b * T));
  return { kind: 'tokens', ids, batch: B, steps: T, lengths: Int32Array.from(lengths) };
}
