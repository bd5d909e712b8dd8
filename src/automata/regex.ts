/**
 * Regular expressions over a DFA's alphabet → NFA (Thompson's construction) → DFA (subset
 * construction) → minimal DFA. Syntax: symbols of the alphabet, union `|`, concatenation,
 * `*`, `+`, `?`, parentheses (`()` is the empty string), character classes `[01]`, `[^0]`,
 * ranges `[a-c]`, and `.` for any symbol. Whitespace is ignored. A malformed expression is an
 * ArgumentError naming the position (0-based) and what was expected there.
 */
import { ArgumentError } from '../core/errors.js';
import { minimise, type Dfa } from './dfa.js';

interface Nfa {
  /** eps[q] = ε-successors; moves[q] = [symbol index, target] */
  eps: number[][];
  moves: [number, number][][];
}

interface Fragment { start: number; end: number }

class Parser {
  private pos = 0;
  readonly nfa: Nfa = { eps: [], moves: [] };
  constructor(private readonly src: string, private readonly alphabet: readonly string[]) {}

  private fail(expected: string): never {
    const got = this.pos < this.src.length ? JSON.stringify(this.src[this.pos]) : 'the end';
    throw new ArgumentError('regex', 'property', `${expected} at position ${this.pos} of ${JSON.stringify(this.src)}`, got);
  }
  private state(): number { this.nfa.eps.push([]); this.nfa.moves.push([]); return this.nfa.eps.length - 1; }
  private peek(): string | undefined { return this.src[this.pos]; }

  parse(): Fragment {
    const f = this.alt();
    if (this.pos < this.src.length) this.fail(this.peek() === ')' ? "no unmatched ')'" : 'an operator or the end');
    return f;
  }
  private alt(): Fragment {
    const parts = [this.concat()];
    while (this.peek() === '|') { this.pos++; parts.push(this.concat()); }
    if (parts.length === 1) return parts[0]!;
    const s = this.state(); const e = this.state();
    for (const p of parts) { this.nfa.eps[s]!.push(p.start); this.nfa.eps[p.end]!.push(e); }
    return { start: s, end: e };
  }
  private concat(): Fragment {
    const s = this.state();
    let end = s;
    while (this.pos < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const f = this.repeat();
      this.nfa.eps[end]!.push(f.start);
      end = f.end;
    }
    return { start: s, end };
  }
  private repeat(): Fragment {
    let f = this.atom();
    for (let c = this.peek(); c === '*' || c === '+' || c === '?'; c = this.peek()) {
      this.pos++;
      const s = this.state(); const e = this.state();
      this.nfa.eps[s]!.push(f.start); this.nfa.eps[f.end]!.push(e);
      if (c !== '+') this.nfa.eps[s]!.push(e);
      if (c !== '?') this.nfa.eps[f.end]!.push(f.start);
      f = { start: s, end: e };
    }
    return f;
  }
  private symbols(set: number[]): Fragment {
    const s = this.state(); const e = this.state();
    for (const a of set) this.nfa.moves[s]!.push([a, e]);
    return { start: s, end: e };
  }
  private symbol(): number {
    const c = this.peek();
    const a = c === undefined ? -1 : this.alphabet.indexOf(c);
    if (a < 0) this.fail(`a symbol of the alphabet {${this.alphabet.join(',')}}`);
    this.pos++;
    return a;
  }
  private atom(): Fragment {
    const c = this.peek();
    if (c === '(') {
      this.pos++;
      const f = this.alt();
      if (this.peek() !== ')') this.fail("')'");
      this.pos++;
      return f;
    }
    if (c === '.') { this.pos++; return this.symbols(this.alphabet.map((_, i) => i)); }
    if (c === '[') {
      this.pos++;
      const negate = this.peek() === '^';
      if (negate) this.pos++;
      const set = new Set<number>();
      do {
        const lo = this.symbol();
        if (this.peek() === '-' && this.src[this.pos + 1] !== ']') {
          this.pos++;
          const hi = this.symbol();
          if (hi < lo) { this.pos--; this.fail('a range whose end follows its start in the alphabet'); }
          for (let a = lo; a <= hi; a++) set.add(a);
        } else set.add(lo);
      } while (this.peek() !== ']' && this.pos < this.src.length);
      if (this.peek() !== ']') this.fail("']'");
      this.pos++;
      return this.symbols(this.alphabet.map((_, i) => i).filter((a) => set.has(a) !== negate));
    }
    if (c === '*' || c === '+' || c === '?') this.fail('a symbol, ( or [ before the operator');
    return this.symbols([this.symbol()]);
  }
}

function closure(nfa: Nfa, states: Iterable<number>): number[] {
  const seen = new Set(states);
  const stack = [...seen];
  while (stack.length > 0) for (const t of nfa.eps[stack.pop()!]!) if (!seen.has(t)) { seen.add(t); stack.push(t); }
  return [...seen].sort((a, b) => a - b);
}

/** The minimal DFA of the regex's language over `alphabet`. */
export function regexToDfa(source: string, alphabet: readonly string[]): Dfa {
  if (alphabet.some((a) => '|*+?()[]^-.'.includes(a)))
    throw new ArgumentError('regex', 'alphabet', 'symbols that are not regex operators (| * + ? ( ) [ ] ^ - .)', JSON.stringify(alphabet));
  const p = new Parser(source.replace(/\s+/g, ''), alphabet);
  const frag = p.parse();
  const nfa = p.nfa;
  const start = closure(nfa, [frag.start]);
  const ids = new Map([[start.join(','), 0]]);
  const sets = [start];
  const transitions: number[][] = [];
  for (let i = 0; i < sets.length; i++) {
    transitions.push(alphabet.map((_, a) => {
      const next = new Set<number>();
      for (const q of sets[i]!) for (const [s, t] of nfa.moves[q]!) if (s === a) next.add(t);
      const c = closure(nfa, next);
      const k = c.join(',');
      if (!ids.has(k)) { ids.set(k, sets.length); sets.push(c); }
      return ids.get(k)!;
    }));
  }
  return minimise({ alphabet: [...alphabet], states: sets.length, start: 0, accepting: sets.map((s) => s.includes(frag.end)), transitions });
}
