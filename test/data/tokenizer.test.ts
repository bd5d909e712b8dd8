import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAD_ID, Tokenizer, UNK_ID } from '../../src/data/tokenizer.js';
import { ArgumentError } from '../../src/core/errors.js';

test('char tokenizer: ids 0/1 reserved, most frequent first, encode/decode round trip', () => {
  const tok = Tokenizer.fit('char', ['abba', 'cab']);
  // counts: a 3, b 3, c 1 -> ties broken by code point
  assert.deepEqual(tok.vocab, ['a', 'b', 'c']);
  assert.equal(tok.size, 5);
  assert.deepEqual([...tok.encode('cab')], [4, 2, 3]);
  assert.equal(tok.decode(tok.encode('abcabc')), 'abcabc');
  assert.equal(tok.decode([PAD_ID, 2, PAD_ID]), 'a');
});

test('char tokenizer keeps characters outside the BMP whole', () => {
  const tok = Tokenizer.fit('char', ['a😀b']);
  assert.equal(tok.encode('😀').length, 1);
  assert.equal(tok.decode(tok.encode('b😀a')), 'b😀a');
});

test('unknown tokens map to UNK and are counted', () => {
  const tok = Tokenizer.fit('char', ['abc']);
  const stats = { tokens: 0, unknown: 0 };
  const ids = tok.encode('abxyz', stats);
  assert.deepEqual([...ids].slice(2), [UNK_ID, UNK_ID, UNK_ID]);
  assert.deepEqual(stats, { tokens: 5, unknown: 3 });
  tok.encode('a?', stats);
  assert.deepEqual(stats, { tokens: 7, unknown: 4 });
  assert.equal(tok.decode([UNK_ID]), '\uFFFD');
});

test('word tokenizer: lowercasing, punctuation split, apostrophes kept, minCount and maxVocab', () => {
  const texts = ["Don't stop, don't STOP!", 'stop the car.', 'The rare word'];
  const tok = Tokenizer.fit('word', texts, { minCount: 2 });
  assert.deepEqual(tok.tokens("Don't stop, now!"), ["don't", 'stop', ',', 'now', '!']);
  // stop x3, don't x2, the x2; punctuation once each -> dropped by minCount 2
  assert.deepEqual(tok.vocab, ['stop', "don't", 'the']);
  const small = Tokenizer.fit('word', texts, { maxVocab: 3 });
  assert.deepEqual(small.vocab, ['stop']);
  const stats = { tokens: 0, unknown: 0 };
  assert.deepEqual([...tok.encode('The car stops', stats)], [4, UNK_ID, UNK_ID]);
  assert.equal(stats.unknown, 2);
});

test('word tokenizer decode puts no space before closing punctuation', () => {
  const tok = Tokenizer.fit('word', ['hello , world ! ( x )']);
  assert.equal(tok.decode(tok.encode('hello, world!')), 'hello, world!');
});

test('tokenizers serialise to JSON and back with identical encodings', () => {
  for (const kind of ['char', 'word'] as const) {
    const tok = Tokenizer.fit(kind, ['The quick brown fox.', 'jumps over the lazy dog!'], {
      unkToken: '<?>',
    });
    const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    assert.deepEqual(back.toJSON(), tok.toJSON());
    const s = 'the lazy fox jumps high';
    assert.deepEqual([...back.encode(s)], [...tok.encode(s)]);
    assert.equal(back.decode(back.encode(s)), tok.decode(tok.encode(s)));
  }
});

test('tokenizer errors name the argument', () => {
  assert.throws(() => Tokenizer.fromJSON({ kind: 'bpe', vocab: [] }), ArgumentError);
  assert.throws(() => Tokenizer.fit('word', ['a'], { minCount: 0 }), /minCount/);
  assert.throws(() => Tokenizer.fit('word', ['a'], { maxVocab: 1 }), /maxVocab/);
  assert.throws(() => Tokenizer.fromVocab('char', ['a', 'a']), /distinct/);
  assert.throws(() => Tokenizer.fit('char', ['a']).decode([99]), /id/);
});
