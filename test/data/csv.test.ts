import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { columnIndex, parseCsv } from '../../src/data/csv.js';

const cases = JSON.parse(
  readFileSync(new URL('../fixtures/data/csv_cases.json', import.meta.url), 'utf8'),
) as {
  text: string;
  rows: string[][];
}[];

test('CSV parser agrees with Python csv module on RFC 4180 quoting edge cases', () => {
  assert.ok(cases.length >= 8);
  for (const c of cases) {
    const t = parseCsv(c.text, { header: false });
    assert.deepEqual(t.rows, c.rows, `case ${JSON.stringify(c.text)}`);
  }
});

test('CSV header, line numbers of rows that span lines, column lookup', () => {
  const t = parseCsv('text,label\n"a\nb",x\nc,y\n');
  assert.deepEqual(t.header, ['text', 'label']);
  assert.deepEqual(t.lines, [2, 4]);
  assert.equal(columnIndex(t, 'label'), 1);
  assert.equal(columnIndex(t, 0), 0);
  assert.throws(
    () => columnIndex(t, 'missing', 'f.csv'),
    /f\.csv: column "missing" not found; columns are \["text", "label"\]/,
  );
});

test('CSV errors: inconsistent row with its line, unclosed quote, stray quote, empty input', () => {
  assert.throws(
    () => parseCsv('a,b\n1,2\n3\n', { source: 'x.csv' }),
    /x\.csv: line 3: expected 2 fields like the first row, found 1/,
  );
  assert.throws(() => parseCsv('a,b\n"1,2\n'), /line 2: quoted field is never closed/);
  assert.throws(
    () => parseCsv('a,b\n"1"x,2\n'),
    /line 2: unexpected character "x" after a closing quote/,
  );
  assert.throws(() => parseCsv('a,b\n1"2,3\n'), /line 2: a quote inside an unquoted field/);
  assert.throws(() => parseCsv('\n\n'), /no CSV records/);
});

test('CSV: other delimiter, byte order mark, blank lines skipped', () => {
  // with the default comma the quote sits inside an unquoted field
  assert.throws(
    () => parseCsv('\uFEFFa;b\n\n1;"x;y"\n'),
    /line 3: a quote inside an unquoted field/,
  );
  const u = parseCsv('\uFEFFa;b\n\n1;"x;y"\n', { delimiter: ';' });
  assert.deepEqual(u.header, ['a', 'b']);
  assert.deepEqual(u.rows, [['1', 'x;y']]);
});
