/**
 * Angluin's L* (1987): learns the minimal DFA of a language from membership queries and
 * equivalence queries. The observation table has prefixes S (prefix-closed), suffixes E
 * (suffix-closed) and rows row(s)[e] = member(s·e); it is made closed (every row(s·a) is a row
 * of S) and consistent (equal rows of S stay equal after any symbol) before each hypothesis.
 * A counterexample adds all its prefixes to S. Membership answers are cached and asked in
 * batches, so a network oracle runs one forward pass per batch.
 */
import { ArgumentError, RnnlensError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { accepts, minimise, symbolsOf, type Dfa } from './dfa.js';

/** Answers membership for many strings at once. */
export type MembershipOracle = (words: string[]) => boolean[];
/** A string on which the hypothesis is wrong, or null when it is accepted as correct. */
export type EquivalenceOracle = (hypothesis: Dfa) => string | null;

export interface LStarOptions {
  alphabet: string[];
  member: MembershipOracle;
  equivalent: EquivalenceOracle;
  /** Give up when a hypothesis would have more states than this; default 50. */
  maxStates?: number;
  /** Give up after this many equivalence queries; default 100. */
  maxRounds?: number;
  onProgress?: ProgressCallback;
}

export interface LStarResult {
  dfa: Dfa;
  /** Counterexamples in the order the equivalence oracle returned them. */
  counterexamples: string[];
  membershipQueries: number;
  equivalenceQueries: number;
  /** Why learning stopped early ('max-states', 'max-rounds'), or null when the oracle accepted. */
  stopped: 'max-states' | 'max-rounds' | null;
}

export function lstar(opts: LStarOptions): LStarResult {
  const { alphabet } = opts;
  const maxStates = opts.maxStates ?? 50;
  const maxRounds = opts.maxRounds ?? 100;
  if (!Number.isInteger(maxStates) || maxStates < 1) throw new ArgumentError('lstar', 'maxStates', 'an integer >= 1', String(maxStates));
  const cache = new Map<string, boolean>();
  let queries = 0;
  const ask = (words: string[]): void => {
    const pending = [...new Set(words.filter((w) => !cache.has(w)))];
    if (pending.length === 0) return;
    const ans = opts.member(pending);
    if (ans.length !== pending.length) throw new RnnlensError(`lstar: the membership oracle answered ${ans.length} of ${pending.length} strings`);
    pending.forEach((w, i) => cache.set(w, ans[i]!));
    queries += pending.length;
  };
  const S: string[] = [''];
  const inS = new Set(S);
  const E: string[] = [''];
  const fill = (): void => ask(S.flatMap((s) => [s, ...alphabet.map((a) => s + a)]).flatMap((p) => E.map((e) => p + e)));
  const row = (p: string): string => E.map((e) => (cache.get(p + e) ? '1' : '0')).join('');
  const addPrefix = (s: string): void => { if (!inS.has(s)) { inS.add(s); S.push(s); } };

  const counterexamples: string[] = [];
  let rounds = 0;
  let last: Dfa | null = null;
  for (;;) {
    // close and make consistent
    for (let changed = true; changed; ) {
      changed = false;
      fill();
      const rows = new Set(S.map(row));
      if (rows.size > maxStates) return finish('max-states');
      const open = S.flatMap((s) => alphabet.map((a) => s + a)).find((p) => !rows.has(row(p)));
      if (open !== undefined) { addPrefix(open); changed = true; continue; }
      outer: for (let i = 0; i < S.length; i++)
        for (let j = i + 1; j < S.length; j++) {
          if (row(S[i]!) !== row(S[j]!)) continue;
          for (const a of alphabet)
            for (const e of E)
              if (cache.get(S[i]! + a + e) !== cache.get(S[j]! + a + e)) { E.push(a + e); changed = true; break outer; }
        }
    }
    const h = hypothesis();
    last = h;
    rounds++;
    opts.onProgress?.({ task: 'lstar', done: rounds, total: maxRounds, message: `${h.states} states` });
    const cex = opts.equivalent(h);
    if (cex === null) return { dfa: h, counterexamples, membershipQueries: queries, equivalenceQueries: rounds, stopped: null };
    symbolsOf('lstar counterexample', alphabet, cex);
    ask([cex]);
    if (accepts(h, cex) === cache.get(cex)) throw new RnnlensError(`lstar: the equivalence oracle returned ${JSON.stringify(cex)}, on which the hypothesis already agrees with the membership oracle`);
    counterexamples.push(cex);
    if (rounds >= maxRounds) return finish('max-rounds');
    for (let i = 0; i <= cex.length; i++) addPrefix(cex.slice(0, i));
  }

  function hypothesis(): Dfa {
    const reps = new Map<string, number>();
    const rowsOfS = S.map(row);
    rowsOfS.forEach((r) => { if (!reps.has(r)) reps.set(r, reps.size); });
    const repOf = [...reps.keys()].map((r) => S[rowsOfS.indexOf(r)]!);
    return minimise({
      alphabet: [...alphabet],
      states: reps.size,
      start: reps.get(row(''))!,
      accepting: repOf.map((s) => cache.get(s)!),
      transitions: repOf.map((s) => alphabet.map((a) => reps.get(row(s + a))!)),
    });
  }
  /** Stopping early returns the last hypothesis (a closed table), or the one-state DFA of member(ε). */
  function finish(stopped: 'max-states' | 'max-rounds'): LStarResult {
    const dfa = last ?? { alphabet: [...alphabet], states: 1, start: 0, accepting: [cache.get('') ?? false], transitions: [alphabet.map(() => 0)] };
    return { dfa, counterexamples, membershipQueries: queries, equivalenceQueries: rounds, stopped };
  }
}
