import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadTextCsv,
  loadTextFolders,
  loadTextJsonl,
  textClassificationDataset,
  textClassificationSplits,
  type TextRecord,
} from '../../src/data/text-loaders.js';
import { UNK_ID } from '../../src/data/tokenizer.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-text-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('CSV text loader picks text and label columns, keeps quoted commas and newlines', () => {
  const p = file('t.csv', 'id,body,cls\n1,"good, very good",pos\n2,"bad\nreally",neg\n');
  const recs = loadTextCsv(p, { textColumn: 'body', labelColumn: 'cls' });
  assert.deepEqual(
    recs.map((r) => [r.text, r.label]),
    [
      ['good, very good', 'pos'],
      ['bad\nreally', 'neg'],
    ],
  );
  assert.match(recs[1]!.source, /t\.csv:3$/);
  assert.throws(() => loadTextCsv(p), /column "text" not found/);
  const bad = file('bad.csv', 'text,label\na,x\nb\n');
  assert.throws(() => loadTextCsv(bad), /bad\.csv: line 3: expected 2 fields/);
  const nolabel = file('nolabel.csv', 'text,label\na, \n');
  assert.throws(() => loadTextCsv(nolabel), /line 2: empty label/);
});

test('JSONL loader: fields, blank lines, bad JSON and missing fields with line numbers', () => {
  const p = file('t.jsonl', '{"text":"hi","label":"a"}\n\n{"text":"yo","label":1}\n');
  assert.deepEqual(
    loadTextJsonl(p).map((r) => [r.text, r.label]),
    [
      ['hi', 'a'],
      ['yo', '1'],
    ],
  );
  assert.throws(
    () => loadTextJsonl(file('b.jsonl', '{"text":"hi","label":"a"}\n{oops}\n')),
    /b\.jsonl: line 2: not valid JSON/,
  );
  assert.throws(
    () => loadTextJsonl(file('c.jsonl', '{"body":"hi","label":"a"}\n')),
    /line 1: expected an object with a string field "text"/,
  );
  assert.throws(() => loadTextJsonl(file('d.jsonl', '   \n')), /only whitespace/);
});

test('folder-per-class loader', () => {
  const root = join(dir, 'folders');
  mkdirSync(join(root, 'spam'), { recursive: true });
  mkdirSync(join(root, 'ham'), { recursive: true });
  writeFileSync(join(root, 'spam', '1.txt'), 'buy now');
  writeFileSync(join(root, 'ham', '1.txt'), 'hello friend');
  writeFileSync(join(root, 'ham', 'skip.md'), 'not a text file');
  const recs = loadTextFolders(root);
  assert.deepEqual(
    recs.map((r) => [r.label, r.text]),
    [
      ['ham', 'hello friend'],
      ['spam', 'buy now'],
    ],
  );
  assert.throws(() => loadTextFolders(join(dir, 'nope')), /text folder not found/);
  const empty = join(dir, 'empty-folders');
  mkdirSync(join(empty, 'a'), { recursive: true });
  assert.throws(() => loadTextFolders(empty), /no '\.txt' files/);
  const emptyFile = join(dir, 'empty-file');
  mkdirSync(join(emptyFile, 'a'), { recursive: true });
  writeFileSync(join(emptyFile, 'a', 'x.txt'), '');
  assert.throws(() => loadTextFolders(emptyFile), /text file is empty: .*x\.txt/);
});

test('text dataset: classes sorted, tokenizer saved in settings, unseen labels rejected', () => {
  const recs: TextRecord[] = [
    { text: 'Good movie', label: 'pos', source: 'a' },
    { text: 'bad movie', label: 'neg', source: 'b' },
  ];
  const { dataset, stats } = textClassificationDataset(recs);
  assert.deepEqual(dataset.classNames, ['neg', 'pos']);
  assert.deepEqual(
    dataset.items.map((it) => it.label),
    [1, 0],
  );
  assert.equal(stats.unknown, 0);
  assert.equal((dataset.settings.tokenizer as { kind: string }).kind, 'word');
  assert.throws(
    () =>
      textClassificationDataset([{ text: 'x', label: 'neutral', source: 'f.csv:9' }], {
        classNames: ['neg', 'pos'],
      }),
    /label' expected one of the known classes \[neg, pos\], received "neutral" \(f\.csv:9\)/,
  );
});

test('text splits fit tokenizer and classes on training records only', () => {
  const recs: TextRecord[] = Array.from({ length: 40 }, (_, i) => ({
    text: i % 2 ? `spam offer number${i}` : `hello friend word${i}`,
    label: i % 2 ? 'spam' : 'ham',
    source: String(i),
  }));
  const s = textClassificationSplits(recs, { seed: 4, test: 0.25, stratify: true });
  assert.equal(s.test.items.length, 10);
  assert.equal(s.train.items.length, 30);
  // every "number{i}"/"word{i}" token is unique: test ones are unknown to the training vocabulary
  assert.equal(s.unknown.test.unknown, 10);
  assert.equal(s.unknown.train.unknown, 0);
  for (const it of s.test.items) assert.equal(it.x[it.x.length - 1], UNK_ID);
  assert.deepEqual(s.test.settings.tokenizer, s.tokenizer.toJSON());
});
