import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNumericCsv, windowSeries, type Series } from '../../src/data/timeseries.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-ts-'));

function ramp(rows: number): Series {
  // column a = row index, column b = 10 * row index
  const data = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    data[r * 2] = r;
    data[r * 2 + 1] = 10 * r;
  }
  return { columns: ['a', 'b'], rows, data };
}

test('windowing: inputs rows [s, s+L), targets rows [s+L, s+L+H), stride', () => {
  const w = windowSeries(ramp(20), {
    inputLength: 4,
    horizon: 2,
    stride: 3,
    inputColumns: ['a', 'b'],
    targetColumns: ['b'],
    normalise: false,
  });
  const starts = w.train.items.map((it) => it.meta!.start);
  assert.deepEqual(starts, [0, 3, 6, 9, 12]); // 12 + 4 + 2 = 18 <= 20; 15 + 6 = 21 > 20
  const it = w.train.items[1]!;
  assert.deepEqual([...it.x], [3, 30, 4, 40, 5, 50, 6, 60]);
  assert.deepEqual([...it.values!], [70, 80]);
  assert.equal(w.train.targetSize, 2);
  assert.equal(w.normalisation, null);
});

test('chronological split: no window crosses a boundary; normalisation uses training rows only', () => {
  const s = ramp(100);
  const w = windowSeries(s, { inputLength: 5, horizon: 1, validation: 0.2, test: 0.2 });
  // training rows are 0..59: mean 29.5, population sd sqrt((60^2 - 1) / 12)
  assert.equal(w.normalisation!.mean[0], 29.5);
  assert.ok(Math.abs(w.normalisation!.std[0]! - Math.sqrt((60 * 60 - 1) / 12)) < 1e-9);
  assert.equal(w.normalisation!.mean[1], 295);
  // fitting on all rows would give mean 49.5: the test windows' values prove train-only fitting
  const first = w.test.items[0]!;
  assert.equal(first.meta!.start, 80);
  assert.ok(Math.abs(first.x[0]! - (80 - 29.5) / w.normalisation!.std[0]!) < 1e-4);
  for (const [ds, from, to] of [
    [w.train, 0, 60],
    [w.validation, 60, 80],
    [w.test, 80, 100],
  ] as const) {
    for (const it of ds.items) {
      const st = it.meta!.start as number;
      assert.ok(st >= from && st + 6 <= to, `${ds.name} window at ${st}`);
    }
  }
  assert.equal(w.train.items.length, 55);
  assert.deepEqual(
    (w.test.settings.normalisation as { mean: number[] }).mean,
    w.normalisation!.mean,
  );
});

test('numeric CSV loading: columns, NaN and non-numbers with line and column, missing file', () => {
  const p = join(dir, 'ok.csv');
  writeFileSync(p, 'time,temp,hum\n1,20.5,40\n2,21,41\n');
  const s = loadNumericCsv(p, { columns: ['temp', 'hum'] });
  assert.deepEqual(s.columns, ['temp', 'hum']);
  assert.deepEqual([...s.data], [20.5, 40, 21, 41]);
  const bad = join(dir, 'nan.csv');
  writeFileSync(bad, 'a,b\n1,2\n3,NaN\n');
  assert.throws(
    () => loadNumericCsv(bad),
    /nan\.csv: line 3, column "b": expected a finite number, found "NaN"/,
  );
  writeFileSync(bad, 'a,b\n1,2\n3,\n');
  assert.throws(
    () => loadNumericCsv(bad),
    /line 3, column "b": expected a finite number, found ""/,
  );
  writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');
  assert.throws(() => loadNumericCsv(bad), /line 3: expected 2 fields/);
  assert.throws(
    () => loadNumericCsv(join(dir, 'missing.csv')),
    /CSV file not found: .*missing\.csv/,
  );
  writeFileSync(bad, '');
  assert.throws(() => loadNumericCsv(bad), /CSV file is empty/);
});

test('windowing errors: too few rows, bad lengths, unknown columns', () => {
  assert.throws(
    () => windowSeries(ramp(5), { inputLength: 5, horizon: 1 }),
    /too few for one window/,
  );
  assert.throws(() => windowSeries(ramp(50), { inputLength: 0, horizon: 1 }), /inputLength/);
  assert.throws(
    () => windowSeries(ramp(50), { inputLength: 3, horizon: 1, targetColumns: ['zz'] }),
    /"zz"/,
  );
});

test('an out-of-memory-sized windowing request is refused before allocating', () => {
  const s: Series = { columns: ['a'], rows: 2_000_000, data: new Float64Array(2_000_000) };
  assert.throws(
    () => windowSeries(s, { inputLength: 1000, horizon: 1, normalise: false }),
    /windowSeries: .* train windows .* more than the limit/,
  );
});
