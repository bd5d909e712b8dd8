import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { accepts, allStrings, distinguish, equivalent, minimise, productWitness, renderDot, type Dfa } from '../../src/automata/dfa.js';
import { lstar } from '../../src/automata/lstar.js';
import { regexToDfa } from '../../src/automata/regex.js';
import { TOMITA, TOMITA_ALPHABET, tomitaDfa } from '../../src/automata/tomita.js';

test('hand-written Tomita DFAs match the grammar definitions on every string up to length 12 and are minimal', () => {
  const sizes: number[] = [];
  for (let g = 1; g <= 7; g++) {
    const d = tomitaDfa(g);
    for (const w of allStrings(TOMITA_ALPHABET, 12)) assert.equal(accepts(d, w), TOMITA[g]!.member(w), `tomita ${g} on ${JSON.stringify(w)}`);
    assert.equal(minimise(d).states, d.states, `tomita ${g} minimal`);
    sizes.push(d.states);
  }
  assert.deepEqual(sizes, [2, 3, 5, 4, 4, 3, 5]);
});

test('minimise merges equivalent states and drops unreachable ones; distinguish finds the shortest disagreement', () => {
  // (#1 mod 2 = 0) written with 4 states, two of them duplicates, one unreachable
  const d: Dfa = { alphabet: ['0', '1'], states: 4, start: 0, accepting: [true, false, true, false], transitions: [[2, 1], [1, 2], [0, 1], [3, 3]] };
  const m = minimise(d);
  assert.equal(m.states, 2);
  assert.ok(equivalent(d, m));
  assert.equal(distinguish(tomitaDfa(5), tomitaDfa(6)), '00'); // ε in both; '0','1' rejected by both; '00' in 5 only
  assert.equal(distinguish(tomitaDfa(4), tomitaDfa(4)), null);
  assert.equal(productWitness(tomitaDfa(1), tomitaDfa(7), (a, b) => a && !b), null); // 1* ⊆ 0*1*0*1*
  assert.match(renderDot(tomitaDfa(2)), /q0 \[shape=doublecircle/);
});

test('regex → DFA agrees with JS RegExp on every string up to length 10', () => {
  const patterns = ['1*', '(10)*', '0*1*0*1*', '(0|1)*000(0|1)*', '[01]?1+', '((00|11)|(01|10)(00|11)*(01|10))*', '.*1.', '()|0', '[^1]*', '(0?1)+0?'];
  for (const p of patterns) {
    const d = regexToDfa(p, ['0', '1']);
    const re = new RegExp(`^(?:${p.replace('()', '(?:)')})$`);
    for (const w of allStrings(['0', '1'], 10)) assert.equal(accepts(d, w), re.test(w), `${p} on ${JSON.stringify(w)}`);
  }
  assert.equal(regexToDfa('(0|1)*000(0|1)*', ['0', '1']).states, 4);
});

test('malformed regexes and foreign symbols are errors naming the position', () => {
  const bad: [string, RegExp][] = [
    ['(01', /'[)]' at position 3/],
    ['01)', /unmatched '[)]' at position 2/],
    ['*0', /before the operator at position 0/],
    ['02', /alphabet \{0,1\} at position 1/],
    ['[0', /']' at position 2/],
  ];
  for (const [p, msg] of bad) assert.throws(() => regexToDfa(p, ['0', '1']), (e: unknown) => e instanceof ArgumentError && msg.test(e.message), p);
  assert.throws(() => accepts(tomitaDfa(1), '012'), /"2" at position 2/);
});

function randomDfa(rng: Rng, n: number, alphabet: string[]): Dfa {
  return { alphabet, states: n, start: 0, accepting: Array.from({ length: n }, () => rng.next() < 0.5), transitions: Array.from({ length: n }, () => alphabet.map(() => rng.int(n))) };
}

test('L* with a known-DFA oracle recovers the minimal DFA exactly (Tomita 1–7 and random DFAs)', () => {
  const rng = new Rng(3);
  const targets = [...[1, 2, 3, 4, 5, 6, 7].map(tomitaDfa), ...Array.from({ length: 8 }, (_, i) => randomDfa(rng, 4 + i, i % 2 ? ['a', 'b', 'c'] : ['0', '1']))];
  for (const target of targets) {
    const r = lstar({
      alphabet: target.alphabet,
      member: (ws) => ws.map((w) => accepts(target, w)),
      equivalent: (h) => distinguish(h, target),
    });
    assert.equal(r.stopped, null);
    assert.ok(equivalent(r.dfa, target));
    assert.deepEqual(r.dfa, minimise(target)); // canonical numbering: identical, not just equivalent
  }
});

test('L* stops at maxStates and reports it', () => {
  const target = tomitaDfa(3);
  const r = lstar({ alphabet: target.alphabet, member: (ws) => ws.map((w) => accepts(target, w)), equivalent: (h) => distinguish(h, target), maxStates: 2 });
  assert.equal(r.stopped, 'max-states');
});
