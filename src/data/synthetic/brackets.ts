/**
 * Bracket nesting depth: character sequences of '(' ')' and letters; the per-step tag is the
 * nesting depth after that character (0..maxDepth). Closing brackets only appear when open ones
 * are pending, so every prefix is valid. Ground truth: the bracket positions (letters never
 * change the depth). Tokens use a fixed character tokenizer saved in the settings.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';
import { Tokenizer } from '../tokenizer.js';

export const BRACKET_ALPHABET = ['(', ')', 'a', 'b', 'c', 'd', 'e'];

export interface BracketOptions {
  n: number;
  seed: number;
  length?: number;
  maxDepth?: number;
  /** probability of an opening bracket at a step (when below maxDepth) */
  pOpen?: number;
  /** probability of a closing bracket at a step (when depth > 0) */
  pClose?: number;
}

/** Depth after each character; throws on a ')' without a matching '('. */
export function bracketDepths(text: string): Int32Array {
  const out = new Int32Array(text.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth < 0)
      throw new ArgumentError(
        'bracketDepths',
        'text',
        'balanced prefixes',
        `an unmatched ')' at ${i}`,
      );
    out[i] = depth;
  }
  return out;
}

export function bracketDataset(opts: BracketOptions): Dataset {
  const where = 'bracketDataset';
  const T = opts.length ?? 40;
  const maxDepth = opts.maxDepth ?? 5;
  const pOpen = opts.pOpen ?? 0.3;
  const pClose = opts.pClose ?? 0.3;
  for (const [k, v, min] of [
    ['n', opts.n, 1],
    ['length', T, 1],
    ['maxDepth', maxDepth, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  }
  if (!(pOpen >= 0 && pClose >= 0 && pOpen + pClose <= 1))
    throw new ArgumentError(
      where,
      'pOpen + pClose',
      'probabilities with a sum <= 1',
      `${pOpen} + ${pClose}`,
    );
  const tok = Tokenizer.fromVocab('char', BRACKET_ALPHABET);
  const letters = BRACKET_ALPHABET.slice(2);
  const rng = new Rng(opts.seed);
  const items: Item[] = [];
  for (let i = 0; i < opts.n; i++) {
    let depth = 0;
    let text = '';
    for (let t = 0; t < T; t++) {
      const u = rng.next();
      if (u < pOpen && depth < maxDepth) {
        text += '(';
        depth++;
      } else if (u >= pOpen && u < pOpen + pClose && depth > 0) {
        text += ')';
        depth--;
      } else {
        text += letters[rng.int(letters.length)];
      }
    }
    const x = tok.encode(text);
    const tags = bracketDepths(text);
    const truth = Uint8Array.from(text, (c) => (c === '(' || c === ')' ? 1 : 0));
    items.push({ x, steps: T, tags, truth, meta: { text } });
  }
  return createDataset({
    name: 'brackets',
    input: 'tokens',
    vocabSize: tok.size,
    target: 'tags',
    classNames: Array.from({ length: maxDepth + 1 }, (_, d) => String(d)),
    items,
    settings: {
      tokenizer: tok.toJSON(),
      synthetic: {
        kind: 'brackets',
        n: opts.n,
        seed: opts.seed,
        length: T,
        maxDepth,
        pOpen,
        pClose,
      },
    },
  });
}
