/**
 * The seven Tomita grammars over {0,1} (Tomita 1982), as definitions on strings and as
 * hand-written minimal complete DFAs (tested against the definitions on every string up to
 * length 12). Every grammar contains the empty string.
 * 3: no odd-length maximal run of 1s immediately followed by an odd-length maximal run of 0s.
 */
import { ArgumentError } from '../core/errors.js';
import type { Dfa } from './dfa.js';

export const TOMITA_ALPHABET = ['0', '1'];

function runs(w: string): { c: string; n: number }[] {
  const out: { c: string; n: number }[] = [];
  for (const c of w) {
    const last = out[out.length - 1];
    if (last && last.c === c) last.n++;
    else out.push({ c, n: 1 });
  }
  return out;
}

const count = (w: string, c: string): number => [...w].filter((x) => x === c).length;

export const TOMITA: Record<number, { description: string; member: (w: string) => boolean }> = {
  1: { description: '1*', member: (w) => /^1*$/.test(w) },
  2: { description: '(10)*', member: (w) => /^(10)*$/.test(w) },
  3: {
    description: 'no odd run of 1s immediately followed by an odd run of 0s',
    member: (w) => {
      const r = runs(w);
      return !r.some((x, i) => x.c === '1' && x.n % 2 === 1 && r[i + 1] !== undefined && r[i + 1]!.n % 2 === 1);
    },
  },
  4: { description: 'no 000', member: (w) => !w.includes('000') },
  5: { description: 'even number of 0s and even number of 1s', member: (w) => count(w, '0') % 2 === 0 && count(w, '1') % 2 === 0 },
  6: { description: '#0 − #1 ≡ 0 (mod 3)', member: (w) => (((count(w, '0') - count(w, '1')) % 3) + 3) % 3 === 0 },
  7: { description: '0*1*0*1*', member: (w) => /^0*1*0*1*$/.test(w) },
};

/** [state] = [on 0, on 1, accepting] */
type Table = [number, number, boolean][];
const TABLES: Record<number, Table> = {
  1: [[1, 0, true], [1, 1, false]],
  2: [[2, 1, true], [0, 2, false], [2, 2, false]],
  // 0 safe, 1 odd run of 1s, 2 odd 0s after an odd run of 1s, 3 even 0s after it, 4 dead
  3: [[0, 1, true], [2, 0, true], [3, 4, false], [2, 1, true], [4, 4, false]],
  // trailing zeros 0, 1, 2; 3 dead
  4: [[1, 0, true], [2, 0, true], [3, 0, true], [3, 3, false]],
  // parities (#0, #1): 0 = (e,e), 1 = (o,e), 2 = (e,o), 3 = (o,o)
  5: [[1, 2, true], [0, 3, false], [3, 0, false], [2, 1, false]],
  // (#0 − #1) mod 3
  6: [[1, 2, true], [2, 0, false], [0, 1, false]],
  // phase of 0*1*0*1*; 4 dead
  7: [[0, 1, true], [2, 1, true], [2, 3, true], [4, 3, true], [4, 4, false]],
};

export function tomitaDfa(n: number): Dfa {
  const t = TABLES[n];
  if (!t) throw new ArgumentError('tomitaDfa', 'grammar', 'an integer in 1..7', String(n));
  return { alphabet: [...TOMITA_ALPHABET], states: t.length, start: 0, accepting: t.map((r) => r[2]), transitions: t.map((r) => [r[0], r[1]]) };
}
