/**
 * Tomita grammar classification: strings over {0,1} labelled by membership in one of the seven
 * Tomita grammars. Balanced: each item picks its class with probability ½ and a length in
 * 0..maxLength, then a string drawn uniformly among that class's strings of that length (counted
 * on the grammar's minimal DFA); lengths where the chosen class has no string are redrawn (the class is kept).
 *
 * Every sequence starts with the start symbol '^', so the empty string is the one-step sequence
 * "^" and a classifier reads the same first step before every string.
 */
import { ArgumentError, describe } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { tomitaDfa } from '../../automata/tomita.js';
import { createDataset, type Dataset, type Item } from '../dataset.js';
import { Tokenizer } from '../tokenizer.js';

export const TOMITA_START = '^';

export interface TomitaOptions {
  grammar: number;
  n: number;
  seed: number;
  maxLength?: number;
}

export function tomitaDataset(opts: TomitaOptions): Dataset {
  const where = 'tomitaDataset';
  const maxL = opts.maxLength ?? 15;
  for (const [k, v, min] of [['n', opts.n, 1], ['maxLength', maxL, 0]] as const)
    if (!Number.isInteger(v) || v < min) throw new ArgumentError(where, k, `an integer >= ${min}`, describe(v));
  const d = tomitaDfa(opts.grammar);
  // ways[c][k][q]: strings of length k leading from q to a state of class c
  const ways = [false, true].map((c) => {
    const w: number[][] = [d.accepting.map((a) => (a === c ? 1 : 0))];
    for (let k = 1; k <= maxL; k++) w.push(d.transitions.map((row) => row.reduce((s, t) => s + w[k - 1]![t]!, 0)));
    return w;
  });
  const tok = Tokenizer.fromVocab('char', [TOMITA_START, ...d.alphabet]);
  const rng = new Rng(opts.seed);
  const items: Item[] = [];
  while (items.length < opts.n) {
    const label = rng.int(2);
    const w = ways[label]!;
    if (w.every((k) => k[d.start] === 0)) throw new ArgumentError(where, 'maxLength', `a length at which grammar ${opts.grammar} has strings of both classes`, String(maxL));
    let L = rng.int(maxL + 1);
    while (w[L]![d.start] === 0) L = rng.int(maxL + 1); // keep the class, redraw the length
    let q = d.start;
    let s = '';
    for (let k = L; k > 0; k--) {
      let u = rng.next() * w[k]![q]!;
      let a = 0;
      for (; a < d.alphabet.length - 1; a++) {
        u -= w[k - 1]![d.transitions[q]![a]!]!;
        if (u < 0) break;
      }
      s += d.alphabet[a]!;
      q = d.transitions[q]![a]!;
    }
    const text = TOMITA_START + s;
    items.push({ x: tok.encode(text), steps: text.length, label, meta: { text: s } });
  }
  return createDataset({
    name: `tomita${opts.grammar}`,
    input: 'tokens',
    vocabSize: tok.size,
    target: 'class',
    classNames: ['reject', 'accept'],
    items,
    settings: { tokenizer: tok.toJSON(), synthetic: { kind: 'tomita', grammar: opts.grammar, n: opts.n, seed: opts.seed, maxLength: maxL, start: TOMITA_START } },
  });
}
