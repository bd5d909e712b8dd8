import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accepts, equivalent } from '../../src/automata/dfa.js';
import { extractDfa, networkOracle } from '../../src/automata/extract.js';
import { TOMITA, tomitaDfa, TOMITA_ALPHABET } from '../../src/automata/tomita.js';
import { tomitaDataset, TOMITA_START } from '../../src/data/synthetic/tomita.js';
import { Tokenizer } from '../../src/data/tokenizer.js';
import { SequenceModel } from '../../src/nn/model.js';
import type { Tensor } from '../../src/core/tensor.js';
import { RECIPES } from '../../src/train/recipes.js';

test('tomita datasets: balanced, labels follow the grammar, the empty string is the start symbol alone', () => {
  for (let g = 1; g <= 7; g++) {
    const ds = tomitaDataset({ grammar: g, n: 400, seed: g, maxLength: 15 });
    const tok = Tokenizer.fromJSON(ds.settings.tokenizer);
    let pos = 0;
    for (const it of ds.items) {
      const text = tok.decode(Array.from(it.x as Int32Array));
      assert.equal(text[0], TOMITA_START);
      assert.equal(text.slice(1), it.meta!.text);
      assert.equal(it.label, TOMITA[g]!.member(text.slice(1)) ? 1 : 0);
      assert.ok(text.length - 1 <= 15);
      pos += it.label!;
    }
    assert.ok(pos > 150 && pos < 250, `tomita ${g}: ${pos} of 400 positive`);
    assert.ok(RECIPES[`tomita${g}`], `recipe tomita${g}`);
  }
  const empty = tomitaDataset({ grammar: 4, n: 400, seed: 0, maxLength: 3 }).items.filter((it) => it.meta!.text === '');
  assert.ok(empty.length > 0 && empty.every((it) => it.steps === 1 && it.label === 1));
  assert.throws(() => tomitaDataset({ grammar: 1, n: 10, seed: 0, maxLength: 0 }), /maxLength.*both classes/);
});

test('extraction with sampled equivalence queries recovers every Tomita DFA from an exact oracle', () => {
  for (let g = 1; g <= 7; g++) {
    const target = tomitaDfa(g);
    const r = extractDfa({ alphabet: TOMITA_ALPHABET, member: (ws) => ws.map((w) => accepts(target, w)), seed: g, samples: 300, heldOut: 500 });
    assert.ok(equivalent(r.dfa, target), `tomita ${g}`);
    assert.equal(r.fidelity, 1);
  }
});

test('the network oracle reads each string after the prefix and agrees with predicting it alone', () => {
  const tok = Tokenizer.fromVocab('char', [TOMITA_START, '0', '1']);
  const model = new SequenceModel({ input: { kind: 'tokens', vocabSize: tok.size }, layers: [{ kind: 'embedding', vocabSize: tok.size, dim: 3 }, { kind: 'gru', units: 4, returnSequences: false }, { kind: 'dense', units: 2 }] }, { seed: 1 });
  const member = networkOracle(model, tok.toJSON(), { alphabet: TOMITA_ALPHABET, prefix: TOMITA_START, batchSize: 3 });
  const words = ['', '0', '1', '0110', '111000111', '01'];
  const got = member(words);
  words.forEach((w, i) => {
    const ids = tok.encode(TOMITA_START + w);
    const y = model.predict({ ids, batch: 1, steps: ids.length, lengths: Int32Array.of(ids.length) }) as Tensor;
    assert.equal(got[i], y.data[1]! > y.data[0]!, JSON.stringify(w));
  });
  assert.throws(() => member(['012']), /"2" at position 2/);
});
