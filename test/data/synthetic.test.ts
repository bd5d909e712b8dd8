import { test } from 'node:test';
import assert from 'node:assert/strict';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { addingDataset } from '../../src/data/synthetic/adding.js';
import { bracketDataset, bracketDepths } from '../../src/data/synthetic/brackets.js';
import {
  ISMAIL_GENERATORS,
  ISMAIL_LAYOUTS,
  ismailDataset,
} from '../../src/data/synthetic/ismail.js';
import { Tokenizer } from '../../src/data/tokenizer.js';

test('motif: the tokens under the ground-truth mask decide the label; nowhere else a motif token', () => {
  const ds = motifDataset({ n: 300, seed: 1, classes: 3, length: 25 });
  const motifs = (ds.settings.synthetic as { motifs: number[][] }).motifs;
  const motifTokens = new Set(motifs.flat());
  const seen = new Set<number>();
  for (const it of ds.items) {
    const marked = [...it.x].filter((_, t) => it.truth![t] === 1);
    // a classifier that reads only the marked region recovers the label exactly
    const k = motifs.findIndex((m) => m.join() === marked.join());
    assert.equal(k, it.label);
    [...it.x].forEach((tok, t) => assert.equal(motifTokens.has(tok), it.truth![t] === 1));
    seen.add(it.meta!.motifStart as number);
  }
  assert.ok(seen.size > 15, 'motif positions vary');
  assert.deepEqual(
    motifDataset({ n: 5, seed: 1, classes: 3, length: 25 }).items.map((it) => [...it.x]),
    ds.items.slice(0, 5).map((it) => [...it.x]),
  );
  assert.throws(() => motifDataset({ n: 5, seed: 1, classes: 7, motifLength: 3 }), /at most 6/);
});

test('two-class motifs are the same tokens in reverse order', () => {
  const m = (motifDataset({ n: 1, seed: 2 }).settings.synthetic as { motifs: number[][] }).motifs;
  assert.deepEqual(m[1], [...m[0]!].reverse());
});

test('adding problem: target = sum of the values at the two marked steps, one in each half', () => {
  const ds = addingDataset({ n: 100, seed: 3, length: 30 });
  for (const it of ds.items) {
    let sum = 0;
    let marks = 0;
    for (let t = 0; t < it.steps; t++) {
      if (it.x[t * 2 + 1] === 1) {
        marks++;
        sum += it.x[t * 2]!;
        assert.equal(it.truth![t * 2], 1);
      } else assert.equal(it.truth![t * 2], 0);
    }
    assert.equal(marks, 2);
    assert.ok(Math.abs(sum - it.values![0]!) < 1e-6);
    assert.ok((it.meta!.first as number) < 15 && (it.meta!.second as number) >= 15);
  }
});

test('brackets: per-step tags are the nesting depth; truth marks brackets; bounded by maxDepth', () => {
  const ds = bracketDataset({ n: 50, seed: 4, length: 30, maxDepth: 3 });
  const tok = Tokenizer.fromJSON(ds.settings.tokenizer);
  let maxSeen = 0;
  for (const it of ds.items) {
    const text = tok.decode(it.x);
    assert.equal(text, it.meta!.text);
    let depth = 0;
    for (let t = 0; t < text.length; t++) {
      depth += text[t] === '(' ? 1 : text[t] === ')' ? -1 : 0;
      assert.equal(it.tags![t], depth);
      assert.equal(it.truth![t], text[t] === '(' || text[t] === ')' ? 1 : 0);
    }
    maxSeen = Math.max(maxSeen, ...it.tags!);
    assert.ok(Math.min(...it.tags!) >= 0);
  }
  assert.equal(maxSeen, 3);
  assert.deepEqual(ds.classNames, ['0', '1', '2', '3']);
  assert.deepEqual([...bracketDepths('(a(b))c')], [1, 1, 2, 2, 1, 0, 0]);
  assert.throws(() => bracketDepths('a)'), /unmatched/);
});

test('Ismail layouts: the class signal lives exactly in the ground-truth box', () => {
  for (const layout of ISMAIL_LAYOUTS) {
    for (const generator of ISMAIL_GENERATORS) {
      const ds = ismailDataset({
        n: 40,
        layout,
        generator,
        steps: 20,
        features: 20,
        shift: 2,
        seed: 7,
      });
      assert.equal(ds.items.length, 40);
      // noise-free check: the mean inside the box separates the classes, outside it does not
      const inMean = [0, 0];
      const outMean = [0, 0];
      for (const it of ds.items) {
        let si = 0,
          ni = 0,
          so = 0,
          no = 0;
        it.x.forEach((v, j) => (it.truth![j] ? ((si += v), ni++) : ((so += v), no++)));
        assert.ok(ni > 0, `${layout}: empty box`);
        inMean[it.label!] += si / ni / 20;
        outMean[it.label!] += so / no / 20;
      }
      const sep =
        layout === 'PositionalTime' ? Math.min(inMean[0]!, inMean[1]!) : inMean[1]! - inMean[0]!;
      assert.ok(sep > 1.5, `${layout}/${generator}: box separation ${sep}`);
      assert.ok(
        Math.abs(outMean[1]! - outMean[0]!) < 0.5,
        `${layout}/${generator}: outside-box difference ${outMean[1]! - outMean[0]!}`,
      );
    }
  }
});

test('Ismail box geometry per layout', () => {
  const rows = (layout: (typeof ISMAIL_LAYOUTS)[number]) => {
    const ds = ismailDataset({ n: 20, layout, steps: 40, features: 40, seed: 1 });
    return ds.items.map((it) => {
      const steps = new Set<number>();
      const feats = new Set<number>();
      it.truth!.forEach((v, j) => v && (steps.add(Math.floor(j / 40)), feats.add(j % 40)));
      return { steps: [...steps], feats: [...feats], label: it.label! };
    });
  };
  assert.deepEqual(rows('Middle')[0]!.steps.length, 20);
  assert.deepEqual(rows('SmallMiddle')[0]!.feats, [16, 17, 18, 19, 20, 21, 22, 23]);
  assert.equal(rows('RareTime')[0]!.steps.length, 2);
  assert.equal(rows('RareFeature')[0]!.feats.length, 2);
  assert.ok(
    new Set(rows('MovingMiddle').map((r) => r.steps[0])).size > 5,
    'moving box start varies',
  );
  for (const r of rows('PositionalTime'))
    assert.ok(r.label === 0 ? Math.max(...r.steps) < 20 : Math.min(...r.steps) >= 20);
  assert.throws(() => ismailDataset({ n: 2, layout: 'Diagonal' as never, seed: 1 }), /layout/);
});
