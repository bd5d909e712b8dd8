import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accepts, allStrings } from '../../src/automata/dfa.js';
import { checkProperty } from '../../src/automata/property.js';
import { tomitaDfa, TOMITA_ALPHABET } from '../../src/automata/tomita.js';

test('properties on Tomita DFAs: holds exactly when brute force finds no violation; counterexamples are shortest', () => {
  const cases: [number, string, 'inclusion' | 'exclusion', boolean][] = [
    [1, '1*', 'inclusion', true],
    [7, '0*1*', 'inclusion', false],
    [4, '.*000.*', 'exclusion', true],
    [5, '(00|11|01|10)*', 'inclusion', true],
    [6, '.*1.*', 'exclusion', false],
  ];
  for (const [g, re, kind, holds] of cases) {
    const d = tomitaDfa(g);
    const r = checkProperty(d, re, kind);
    assert.equal(r.holds, holds, `tomita ${g} ${kind} ${re}`);
    const js = new RegExp(`^(?:${re})$`);
    const violations = [...allStrings(TOMITA_ALPHABET, 10)].filter((w) => accepts(d, w) && (kind === 'inclusion' ? !js.test(w) : js.test(w)));
    assert.equal(r.counterexample, violations[0] ?? null);
  }
});

test('a counterexample is confirmed or refuted on the network oracle', () => {
  const d = tomitaDfa(7);
  const yes = checkProperty(d, '0*1*', 'inclusion', (ws) => ws.map((w) => accepts(d, w)));
  assert.deepEqual([yes.counterexample, yes.networkAccepts, yes.confirmed], ['10', true, true]);
  const no = checkProperty(d, '0*1*', 'inclusion', (ws) => ws.map(() => false));
  assert.equal(no.confirmed, false);
});
