/**
 * Automaton extraction from a classifier over strings: L* with the network as membership
 * oracle; equivalence queries are answered by sampling (every string up to a short length, then
 * random strings of random length up to `maxLength`), a disagreement being the counterexample.
 * Fidelity is measured on fresh random strings the learner never asked about.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { Tokenizer } from '../data/tokenizer.js';
import type { SequenceModel } from '../nn/model.js';
import type { Tensor } from '../core/tensor.js';
import { accepts, allStrings, symbolsOf, type Dfa } from './dfa.js';
import { lstar, type LStarResult, type MembershipOracle } from './lstar.js';

/** Membership by a binary classifier: `prefix + word` encoded by the tokenizer, accept = class `acceptClass` scores highest. */
export function networkOracle(model: SequenceModel, tokenizerJson: unknown, opts: { alphabet: string[]; prefix?: string; acceptClass?: number; batchSize?: number }): MembershipOracle {
  const tok = Tokenizer.fromJSON(tokenizerJson);
  const prefix = opts.prefix ?? '';
  const accept = opts.acceptClass ?? 1;
  const bs = opts.batchSize ?? 256;
  const unknown = [...opts.alphabet, ...prefix].filter((c) => !tok.vocab.includes(c));
  if (unknown.length > 0)
    throw new ArgumentError('extract', 'alphabet', `symbols of the model's vocabulary {${tok.vocab.join(',')}}`, JSON.stringify(unknown.join('')));
  return (words) => {
    const out: boolean[] = [];
    for (let s = 0; s < words.length; s += bs) {
      const chunk = words.slice(s, s + bs);
      const enc = chunk.map((w) => { symbolsOf('extract', opts.alphabet, w); return tok.encode(prefix + w); });
      const T = Math.max(1, ...enc.map((e) => e.length));
      if (enc.some((e) => e.length === 0)) throw new RnnlensError("extract: the empty string has no steps for this model; pass a start prefix (the Tomita recipes use '^')");
      const ids = new Int32Array(chunk.length * T);
      enc.forEach((e, b) => ids.set(e, b * T));
      const y = model.predict({ ids, batch: chunk.length, steps: T, lengths: Int32Array.from(enc, (e) => e.length) }) as Tensor;
      const C = y.shape[1]!;
      if (!(accept < C)) throw new ArgumentError('extract', 'acceptClass', `a class index below the model's ${C} outputs`, String(accept));
      for (let b = 0; b < chunk.length; b++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (y.data[b * C + c]! > y.data[b * C + best]!) best = c;
        out.push(best === accept);
      }
    }
    return out;
  };
}

export interface ExtractOptions {
  alphabet: string[];
  member: MembershipOracle;
  seed?: number;
  maxStates?: number;
  /** Every string up to this length is checked at each equivalence query; default 6. */
  exhaustiveLength?: number;
  /** Random strings per equivalence query; default 2000. */
  samples?: number;
  /** Longest random string; default 20. */
  maxLength?: number;
  /** Held-out random strings for fidelity; default 5000. */
  heldOut?: number;
  onProgress?: ProgressCallback;
}

export interface ExtractResult extends LStarResult {
  fidelity: number;
  heldOut: number;
}

function randomStrings(rng: Rng, alphabet: string[], n: number, maxLength: number): string[] {
  return Array.from({ length: n }, () => {
    const L = rng.int(maxLength + 1);
    let s = '';
    for (let i = 0; i < L; i++) s += alphabet[rng.int(alphabet.length)]!;
    return s;
  });
}

export function extractDfa(opts: ExtractOptions): ExtractResult {
  const rng = new Rng(opts.seed ?? 0);
  const maxLength = opts.maxLength ?? 20;
  const short = [...allStrings(opts.alphabet, opts.exhaustiveLength ?? 6)];
  const equivalent = (h: Dfa): string | null => {
    const pool = [...short, ...randomStrings(rng, opts.alphabet, opts.samples ?? 2000, maxLength)];
    const ans = opts.member(pool);
    let best: string | null = null;
    pool.forEach((w, i) => { if (accepts(h, w) !== ans[i] && (best === null || w.length < best.length)) best = w; });
    return best;
  };
  const r = lstar({ alphabet: opts.alphabet, member: opts.member, equivalent, maxStates: opts.maxStates, onProgress: opts.onProgress });
  const held = randomStrings(new Rng((opts.seed ?? 0) + 7919), opts.alphabet, opts.heldOut ?? 5000, maxLength);
  const ans = opts.member(held);
  const agree = held.filter((w, i) => accepts(r.dfa, w) === ans[i]).length;
  return { ...r, fidelity: agree / held.length, heldOut: held.length };
}
