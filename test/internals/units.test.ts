import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankUnits } from '../../src/explain/internals/units.js';
import { collectTraces } from '../../src/explain/internals/collect.js';
import {
  builtinAnnotation,
  stepTokens,
  tagAnnotation,
  userAnnotation,
} from '../../src/explain/internals/annotations.js';
import { equalWidthBins, mutualInformation, pearson } from '../../src/explain/internals/stats.js';
import { gateSaturation } from '../../src/explain/internals/saturation.js';
import { bracketDataset } from '../../src/data/synthetic/brackets.js';
import {
  bracketModel,
  evenOffsets,
  handMadeTraces,
  reference as ref,
  trainedBracketModel,
} from './helpers.js';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Pearson r and mutual information match scipy / scikit-learn on hand-made traces', () => {
  const { rows, cols, bins } = ref;
  for (let c = 0; c < cols; c++) {
    const x = Float64Array.from({ length: rows }, (_, i) => ref.x[i * cols + c]!);
    close(pearson(x, ref.annotation), ref.pearson[c]!, 1e-9, `r of column ${c}`);
    const mi = mutualInformation(equalWidthBins(x, bins), Int32Array.from(ref.annotation));
    close(mi, ref.mi[c]!, 1e-9, `MI of column ${c}`);
  }
});

test('rankUnits puts the annotated units first with r and MI equal to the references', () => {
  const { rows, cols } = ref;
  const offsets = evenOffsets(9, 10);
  const ts = handMadeTraces(ref.x, new Float32Array(rows * 4 * cols), rows, cols, offsets);
  const r = rankUnits(ts, [{ name: 'depth', values: Float64Array.from(ref.annotation) }], {
    top: 4,
    permutations: 99,
    seed: 1,
  });
  const list = r.byAnnotation['depth']!;
  assert.deepEqual(
    list
      .slice(0, 2)
      .map((u) => u.unit)
      .sort(),
    [1, 3],
  );
  for (const u of list) {
    close(u.r, ref.pearson[u.unit]!, 1e-6, `r of unit ${u.unit}`);
    close(u.mi, ref.mi[u.unit]!, 1e-6, `MI of unit ${u.unit}`);
    assert.ok(u.p! > 0 && u.p! <= 1);
  }
  assert.equal(r.method, 'sequences');
  // units 1 and 3 track the annotation: the smallest p possible with 99 permutations
  assert.equal(list[0]!.p, 0.01);
  // a pure-noise unit must not look significant
  const noise = list.find((u) => u.unit === 0 || u.unit === 2)!;
  assert.ok(noise.p! > 0.05, `noise unit p = ${noise.p}`);
});

test('gate saturation fractions equal direct counts (Karpathy thresholds 0.1 / 0.9)', () => {
  const { rows, cols } = ref;
  const offsets = evenOffsets(9, 10);
  // gate block i holds the reference columns; f, g, o hold constants
  const gates = new Float32Array(rows * 4 * cols);
  for (let i = 0; i < rows; i++)
    for (let u = 0; u < cols; u++) {
      gates[i * 4 * cols + u] = ref.gates[i * cols + u]!;
      gates[i * 4 * cols + cols + u] = 0.95; // f: always right-saturated
      gates[i * 4 * cols + 2 * cols + u] = -0.99; // g (tanh): no gate, ignored
      gates[i * 4 * cols + 3 * cols + u] = 0.05; // o: always left-saturated
    }
  const [s] = gateSaturation(handMadeTraces(ref.x, gates, rows, cols, offsets));
  assert.ok(s);
  assert.deepEqual(
    s.summary.map((g) => g.gate),
    ['i', 'f', 'o'],
  );
  for (let u = 0; u < cols; u++) {
    const i = s.units.find((x) => x.gate === 'i' && x.unit === u)!;
    close(i.left, ref.left[u]!, 1e-12, `left of i[${u}]`);
    close(i.right, ref.right[u]!, 1e-12, `right of i[${u}]`);
  }
  assert.deepEqual(
    s.summary.find((g) => g.gate === 'f'),
    { gate: 'f', left: 0, right: 1 },
  );
  assert.deepEqual(
    s.summary.find((g) => g.gate === 'o'),
    { gate: 'o', left: 1, right: 0 },
  );
});

test('built-in annotations: quotes, line position, bracket depth, character class, tokens', () => {
  const tokens = [Array.from('a"b(c\n"d)e')];
  const get = (n: string) => builtinAnnotation(n, tokens);
  assert.deepEqual([...get('quotes')[0]!.values], [0, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([...get('line-position')[0]!.values], [1, 2, 3, 4, 5, 0, 1, 2, 3, 4]);
  assert.deepEqual([...get('bracket-depth')[0]!.values], [0, 0, 0, 1, 1, 1, 1, 1, 0, 0]);
  const cc = get('char-class');
  assert.deepEqual(
    cc.map((a) => a.name),
    ['char-class=letter', 'char-class=space', 'char-class=punctuation'],
  );
  assert.deepEqual([...cc[2]!.values], [0, 1, 0, 1, 0, 0, 1, 0, 1, 0]);
  const tk = builtinAnnotation('token', tokens, { topTokens: 2 });
  assert.deepEqual(
    tk.map((a) => a.name),
    ['token="', 'token=\n'] /* ties broken by code point */,
  );
  assert.throws(() => get('sentiment'), /annotate.*one of quotes/);
});

test('annotations whose length differs from the sequence are a clear error', () => {
  assert.throws(
    () =>
      userAnnotation(
        'mine',
        [
          [1, 2, 3],
          [1, 2],
        ],
        Int32Array.from([0, 3, 6]),
      ),
    /labels\[1\]' expected 3 values \(the sequence's length\), received 2 values/,
  );
  assert.throws(
    () => userAnnotation('mine', [[1, 2, 3]], Int32Array.from([0, 3, 6])),
    /one array per sequence \(2\)/,
  );
  const ts = handMadeTraces(
    ref.x,
    new Float32Array(ref.rows * 4 * ref.cols),
    ref.rows,
    ref.cols,
    evenOffsets(9, 10),
  );
  assert.throws(
    () => rankUnits(ts, [{ name: 'short', values: new Float64Array(5) }]),
    /annotation 'short'.*90 values/,
  );
});

test('known answer: a trained bracket LSTM has a unit with |r| >= 0.9 against nesting depth, found unprompted', async () => {
  const { model, data } = await trainedBracketModel();
  const ts = collectTraces(model, data, {
    sequences: Int32Array.from({ length: 120 }, (_, i) => i),
  });
  const depth = builtinAnnotation('bracket-depth', stepTokens(data, ts.sequences));
  const tags = tagAnnotation(data, ts.sequences, ts.offsets, 'depth-tags');
  assert.deepEqual([...depth[0]!.values], [...tags.values]);
  const r = rankUnits(ts, depth, { top: 3, permutations: 49, seed: 2 });
  const best = r.byAnnotation['bracket-depth']![0]!;
  assert.ok(Math.abs(best.r) >= 0.9, `best |r| = ${Math.abs(best.r)}`);
  assert.equal(best.p, 0.02);
});

test('units of a model against an annotation independent of its input get large p-values', () => {
  const data = bracketDataset({ n: 40, seed: 5, length: 20 });
  const model = bracketModel(11, 6);
  const ts = collectTraces(model, data);
  // depths of unrelated sequences: independent of this dataset's inputs, hence of every unit.
  // Under that null the p-values of all 12 (unit, field) pairs are uniform, so over five such
  // annotations about 5 % fall at or below 0.05 and their median is near 1/2.
  const ps: number[] = [];
  for (let k = 0; k < 5; k++) {
    const other = bracketDataset({ n: 40, seed: 99 + k, length: 20 });
    const labels = other.items.map((it) => it.tags!);
    const r = rankUnits(ts, [userAnnotation('unrelated', labels, ts.offsets)], {
      top: 12,
      permutations: 99,
      seed: 3 + k,
    });
    const got = r.byAnnotation['unrelated']!.map((u) => u.p!);
    assert.equal(got.length, 12);
    ps.push(...got);
  }
  const small = ps.filter((p) => p <= 0.05).length;
  assert.ok(small <= 9, `${small} of 60 p-values <= 0.05: ${ps.join(', ')}`);
  const median = [...ps].sort((a, b) => a - b)[30]!;
  assert.ok(median > 0.25, `median p ${median}`);
});

test('an annotation shared by all sequences (position) is tested by cyclic shifts, not exchanges', () => {
  // 6 sequences x 8 steps; unit 0 = position + noise, unit 1 = noise
  const rng = [0.3, -0.2, 0.1, 0.05, -0.1, 0.25, -0.3, 0.15, 0.2, -0.05];
  const S = 6;
  const T = 8;
  const h: number[] = [];
  for (let s = 0; s < S; s++)
    for (let t = 0; t < T; t++) h.push(t + rng[(s + t) % 10]!, rng[(3 * s + t) % 10]!);
  const ts = handMadeTraces(h, new Float32Array(S * T * 8), S * T, 2, evenOffsets(S, T));
  const position = Float64Array.from({ length: S * T }, (_, i) => i % T);
  const r = rankUnits(ts, [{ name: 'position', values: position }], {
    top: 2,
    permutations: 99,
    seed: 4,
  });
  assert.equal(r.method, 'sequences');
  assert.equal(r.methods['position'], 'cyclic-shift');
  assert.equal(r.byAnnotation['position']![0]!.unit, 0);
  assert.ok(r.byAnnotation['position']![0]!.p! < 0.05);
});
