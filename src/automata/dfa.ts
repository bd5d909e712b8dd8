/**
 * Deterministic finite automata over a small alphabet of one-character symbols: acceptance,
 * completion, minimisation (Hopcroft's partition refinement), and equivalence / inclusion checks
 * through the product automaton, which also give the shortest distinguishing string (BFS).
 *
 * A DFA is plain JSON: states 0..n-1, `transitions[q][a]` = next state for alphabet[a]; it is
 * always complete (a missing move goes to an explicit sink).
 */
import { ArgumentError, describe } from '../core/errors.js';

export interface Dfa {
  alphabet: string[];
  states: number;
  start: number;
  accepting: boolean[];
  /** [state][symbol index] → state */
  transitions: number[][];
}

/** Throws unless `d` is a well-formed complete DFA. */
export function checkDfa(where: string, d: Dfa): Dfa {
  if (!Array.isArray(d.alphabet) || d.alphabet.length === 0 || d.alphabet.some((a) => typeof a !== 'string' || [...a].length !== 1))
    throw new ArgumentError(where, 'alphabet', 'a non-empty list of one-character symbols', describe(d.alphabet));
  if (new Set(d.alphabet).size !== d.alphabet.length) throw new ArgumentError(where, 'alphabet', 'distinct symbols', JSON.stringify(d.alphabet));
  if (!Number.isInteger(d.states) || d.states < 1) throw new ArgumentError(where, 'states', 'an integer >= 1', describe(d.states));
  if (!Number.isInteger(d.start) || d.start < 0 || d.start >= d.states) throw new ArgumentError(where, 'start', `a state in [0, ${d.states})`, describe(d.start));
  if (d.accepting.length !== d.states) throw new ArgumentError(where, 'accepting', `${d.states} flags`, `${d.accepting.length}`);
  if (d.transitions.length !== d.states) throw new ArgumentError(where, 'transitions', `${d.states} rows`, `${d.transitions.length}`);
  d.transitions.forEach((row, q) => {
    if (row.length !== d.alphabet.length) throw new ArgumentError(where, `transitions[${q}]`, `${d.alphabet.length} moves`, `${row.length}`);
    row.forEach((t, a) => {
      if (!Number.isInteger(t) || t < 0 || t >= d.states) throw new ArgumentError(where, `transitions[${q}][${a}]`, `a state in [0, ${d.states})`, describe(t));
    });
  });
  return d;
}

/** Symbol indices of a string; a symbol outside the alphabet is an error naming its position. */
export function symbolsOf(where: string, alphabet: readonly string[], word: string): number[] {
  return [...word].map((c, i) => {
    const a = alphabet.indexOf(c);
    if (a < 0) throw new ArgumentError(where, 'string', `symbols of the alphabet {${alphabet.join(',')}}`, `${JSON.stringify(c)} at position ${i} of ${JSON.stringify(word)}`);
    return a;
  });
}

export function run(d: Dfa, word: string): number {
  let q = d.start;
  for (const a of symbolsOf('dfa', d.alphabet, word)) q = d.transitions[q]![a]!;
  return q;
}

export function accepts(d: Dfa, word: string): boolean {
  return d.accepting[run(d, word)]!;
}

/** Every string over the alphabet of length 0..maxLength, shortest first, in alphabet order. */
export function* allStrings(alphabet: readonly string[], maxLength: number): Generator<string> {
  let level = [''];
  for (let n = 0; n <= maxLength; n++) {
    yield* level;
    if (n < maxLength) level = level.flatMap((w) => alphabet.map((a) => w + a));
  }
}

/** Drops states unreachable from the start; renumbers in BFS order (symbol order), so the result is canonical up to the language. */
export function reachable(d: Dfa): Dfa {
  const order = [d.start];
  const index = new Map([[d.start, 0]]);
  for (let i = 0; i < order.length; i++)
    for (const t of d.transitions[order[i]!]!) if (!index.has(t)) { index.set(t, order.length); order.push(t); }
  return {
    alphabet: [...d.alphabet],
    states: order.length,
    start: 0,
    accepting: order.map((q) => d.accepting[q]!),
    transitions: order.map((q) => d.transitions[q]!.map((t) => index.get(t)!)),
  };
}

/** The minimal complete DFA of the same language (Hopcroft 1971), states in BFS order from the start. */
export function minimise(input: Dfa): Dfa {
  const d = reachable(checkDfa('minimise', input));
  const n = d.states;
  const k = d.alphabet.length;
  // inverse transitions: pre[a][q] = states p with δ(p, a) = q
  const pre = Array.from({ length: k }, () => Array.from({ length: n }, () => [] as number[]));
  for (let p = 0; p < n; p++) for (let a = 0; a < k; a++) pre[a]![d.transitions[p]![a]!]!.push(p);
  const acc = [...Array(n).keys()].filter((q) => d.accepting[q]);
  const rej = [...Array(n).keys()].filter((q) => !d.accepting[q]);
  const blocks: Set<number>[] = [acc, rej].filter((b) => b.length > 0).map((b) => new Set(b));
  const blockOf = new Int32Array(n);
  blocks.forEach((b, i) => b.forEach((q) => (blockOf[q] = i)));
  const work: Set<number>[] = [blocks.length === 2 ? (acc.length <= rej.length ? blocks[0]! : blocks[1]!) : blocks[0]!];
  while (work.length > 0) {
    const splitter = [...work.pop()!];
    for (let a = 0; a < k; a++) {
      const x = new Set<number>();
      for (const q of splitter) for (const p of pre[a]![q]!) x.add(p);
      const touched = new Set<number>();
      for (const p of x) touched.add(blockOf[p]!);
      for (const bi of touched) {
        const y = blocks[bi]!;
        const inter = [...y].filter((q) => x.has(q));
        if (inter.length === y.size) continue;
        const rest = [...y].filter((q) => !x.has(q));
        const yi = new Set(inter);
        const yr = new Set(rest);
        blocks[bi] = yi;
        const ni = blocks.length;
        blocks.push(yr);
        for (const q of yr) blockOf[q] = ni;
        const wi = work.indexOf(y);
        if (wi >= 0) { work[wi] = yi; work.push(yr); } else work.push(yi.size <= yr.size ? yi : yr);
      }
    }
  }
  const quotient: Dfa = {
    alphabet: d.alphabet,
    states: blocks.length,
    start: blockOf[d.start]!,
    accepting: blocks.map((b) => d.accepting[[...b][0]!]!),
    transitions: blocks.map((b) => d.transitions[[...b][0]!]!.map((t) => blockOf[t]!)),
  };
  return reachable(quotient);
}

/**
 * Shortest string (then first in alphabet order) on which `want(inA, inB)` holds, by BFS over the
 * product automaton, or null when there is none. Both DFAs must share the alphabet.
 */
export function productWitness(a: Dfa, b: Dfa, want: (inA: boolean, inB: boolean) => boolean): string | null {
  if (a.alphabet.join('\u0000') !== b.alphabet.join('\u0000'))
    throw new ArgumentError('productWitness', 'b.alphabet', `the alphabet {${a.alphabet.join(',')}}`, `{${b.alphabet.join(',')}}`);
  const key = (p: number, q: number): number => p * b.states + q;
  const prev = new Map<number, [number, number]>([[key(a.start, b.start), [-1, -1]]]);
  const queue: [number, number][] = [[a.start, b.start]];
  for (let i = 0; i < queue.length; i++) {
    const [p, q] = queue[i]!;
    if (want(a.accepting[p]!, b.accepting[q]!)) {
      let s = '';
      for (let c = key(p, q); ; ) {
        const [from, sym] = prev.get(c)!;
        if (from < 0) break;
        s = a.alphabet[sym]! + s;
        c = from;
      }
      return s;
    }
    for (let s = 0; s < a.alphabet.length; s++) {
      const np = a.transitions[p]![s]!;
      const nq = b.transitions[q]![s]!;
      const c = key(np, nq);
      if (!prev.has(c)) { prev.set(c, [key(p, q), s]); queue.push([np, nq]); }
    }
  }
  return null;
}

/** Shortest string on which the two DFAs disagree, or null when their languages are equal. */
export function distinguish(a: Dfa, b: Dfa): string | null {
  return productWitness(a, b, (x, y) => x !== y);
}

export function equivalent(a: Dfa, b: Dfa): boolean {
  return distinguish(a, b) === null;
}

/** A DFA that runs over another alphabet's superset is not needed here; same-alphabet only. */
export function complement(d: Dfa): Dfa {
  return { ...d, accepting: d.accepting.map((x) => !x) };
}

/** Graphviz DOT text of a DFA (double circles for accepting states, an arrow into the start). */
export function renderDot(d: Dfa, name = 'dfa'): string {
  const lines = [`digraph ${JSON.stringify(name)} {`, '  rankdir=LR;', '  start [shape=point];'];
  for (let q = 0; q < d.states; q++) lines.push(`  q${q} [shape=${d.accepting[q] ? 'doublecircle' : 'circle'}, label="${q}"];`);
  lines.push(`  start -> q${d.start};`);
  for (let q = 0; q < d.states; q++) {
    const by = new Map<number, string[]>();
    d.transitions[q]!.forEach((t, a) => by.set(t, [...(by.get(t) ?? []), d.alphabet[a]!]));
    for (const [t, syms] of by) lines.push(`  q${q} -> q${t} [label=${JSON.stringify(syms.join(','))}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
