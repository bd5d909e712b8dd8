import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelGraph, structureSvg } from '../../src/explain/internals/structure.js';
import { matchSpans, selectUnits } from '../../src/explain/internals/select-match.js';
import {
  coCluster,
  coClusterFigureData,
  expectedResponse,
} from '../../src/explain/internals/coclustering.js';
import { project, projectionFigureData } from '../../src/explain/internals/projections.js';
import { SequenceModel } from '../../src/nn/model.js';
import { buildFigure } from '../../src/report/figures/index.js';
import { renderSvg } from '../../src/report/render.js';
import { evenOffsets, matrix, reference as ref } from './helpers.js';

test('structure: layers, shapes, parameter counts, directions, merge and head as a graph and SVG', () => {
  const model = new SequenceModel({
    input: { kind: 'tokens', vocabSize: 20 },
    layers: [
      { kind: 'embedding', vocabSize: 20, dim: 8 },
      {
        kind: 'bidirectional',
        merge: 'sum',
        layer: { kind: 'lstm', units: 6, returnSequences: true },
      },
      { kind: 'gru', units: 5, returnSequences: true },
      { kind: 'head', pool: 'mean' },
      { kind: 'dense', units: 3 },
    ],
  });
  const g = modelGraph(model);
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  assert.equal(byId.get('embedding')!.params, 20 * 8);
  // LSTM direction: W [8, 24] + U [6, 24] + bx [24] + bh [24]
  assert.equal(byId.get('bidirectional/forward')!.params, 8 * 24 + 6 * 24 + 48);
  assert.equal(byId.get('bidirectional/backward')!.details['direction'], 'backward');
  assert.equal(byId.get('bidirectional/merge')!.outputShape, '[B, T, 6]');
  assert.equal(byId.get('gru')!.params, 6 * 15 + 5 * 15 + 30);
  assert.equal(byId.get('head')!.outputShape, '[B, 5]');
  assert.equal(byId.get('dense')!.outputShape, '[B, 3]');
  assert.equal(
    g.totalParams,
    model.parameters().reduce((n, p) => n + p.value.length, 0),
  );
  assert.deepEqual(
    g.edges.filter((e) => e.to === 'bidirectional/merge').map((e) => e.from),
    ['bidirectional/forward', 'bidirectional/backward'],
  );
  const svg = structureSvg(g);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, g.nodes.length);
  assert.equal((svg.match(/<line /g) ?? []).length, g.edges.length);
  assert.match(svg, /\[B, T, 8\] → \[B, T, 6\]/);
});

test('select: units on across a span; match: spans with the same on/off pattern ranked first', () => {
  // 3 sequences x 6 steps, 4 units; units 0 and 2 are on over steps 1-2 of sequence 0,
  // the same pattern recurs at steps 3-4 of sequence 2; sequence 1 has it with an extra unit on
  const on = (rows: number[][]): number[] => rows.flat();
  const z = [0, 0, 0, 0];
  const p = [0.9, 0, 0.5, 0];
  const px = [0.9, 0.8, 0.5, 0];
  const data = on([z, p, p, z, z, z, z, px, px, z, z, z, z, z, z, p, p, [0.9, 0, 0.1, 0]]);
  const m = matrix(data, 18, 4, evenOffsets(3, 6));
  const sel = selectUnits(m, 0, 1, 3);
  assert.deepEqual(sel.units, [0, 2]);
  assert.equal(sel.threshold, 0.3);
  const matches = matchSpans(m, sel, { top: 3 });
  assert.deepEqual(matches[0], { sequence: 2, start: 3, end: 5, hits: 2, extra: 0, score: 2 });
  assert.deepEqual(matches[1], { sequence: 1, start: 1, end: 3, hits: 2, extra: 1, score: 1 });
  assert.ok(
    matches.every((x) => !(x.sequence === 0 && x.start < 3 && x.end > 1)),
    'the query span itself is not a match',
  );
  assert.deepEqual(selectUnits(m, 0, 1, 3, 0.6).units, [0]);
  assert.throws(() => selectUnits(m, 0, 4, 9), /span' expected 0 <= start < end <= 6/);
});

test('co-clustering: expected responses E[Δh | token] and k-means groups of units and tokens', () => {
  // unit 0 rises by 1 on 'a', unit 1 falls by 1 on 'b' (both reset to 0 on 'c')
  const tokens = [Array.from('abcabcabcaab'), Array.from('bbcacbacbcab')];
  const H = 4;
  const rows: number[] = [];
  for (const seq of tokens) {
    let h = [0, 0, 0, 0];
    for (const w of seq) {
      h =
        w === 'a'
          ? [h[0]! + 1, h[1]!, 0.5, h[3]!]
          : w === 'b'
            ? [h[0]!, h[1]! - 1, 0.5, h[3]!]
            : [0, 0, -0.5, h[3]!];
      rows.push(...h);
    }
  }
  const m = matrix(rows, 24, H, evenOffsets(2, 12));
  const { tokens: words, response } = expectedResponse(m, tokens, { minCount: 1 });
  assert.deepEqual([...words].sort(), ['a', 'b', 'c']);
  const a = words.indexOf('a');
  const b = words.indexOf('b');
  assert.equal(response[0]![a], 1);
  assert.equal(response[1]![b], -1);
  assert.equal(response[3]![a], 0);
  const cc = coCluster(m, tokens, { minCount: 1, unitClusters: 3, tokenClusters: 3, seed: 1 });
  assert.notEqual(cc.unitCluster[0], cc.unitCluster[1]);
  assert.equal(new Set(cc.tokenCluster).size, 3);
  assert.deepEqual([...cc.unitOrder].sort(), [0, 1, 2, 3]);
  assert.ok(buildFigure('heatmap', coClusterFigureData(cc, 'lstm/forward')));
  assert.throws(
    () => expectedResponse(m, [tokens[0]!, tokens[1]!.slice(1)]),
    /tokens\[1\]' expected 12 tokens/,
  );
});

test('projections: PCA equals scikit-learn up to sign; UMAP and t-SNE are seeded and reproducible', async () => {
  const { rows, cols } = ref;
  const m = matrix(ref.x, rows, cols, evenOffsets(9, 10));
  const pca = project(m, 'pca');
  for (let k = 0; k < 2; k++) {
    const sign = Math.sign(pca.points[0]![k]!) === Math.sign(ref.pca[k]!) ? 1 : -1;
    for (let i = 0; i < rows; i++)
      assert.ok(
        Math.abs(sign * pca.points[i]![k]! - ref.pca[i * 2 + k]!) < 1e-4,
        `PC${k + 1} row ${i}`,
      );
    assert.ok(Math.abs(pca.explained![k]! - ref.pcaExplained[k]!) < 1e-6);
  }
  for (const method of ['umap', 'tsne'] as const) {
    const a = project(m, method, { seed: 4, iterations: 60 });
    const b = project(m, method, { seed: 4, iterations: 60 });
    assert.equal(a.points.length, rows);
    assert.deepEqual(a.points, b.points, `${method} reproducible`);
    assert.ok(a.points.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])));
  }
  const limited = project(m, 'pca', { maxPoints: 35 });
  // three whole sequences fit, spread over the nine
  assert.deepEqual(limited.sequences, [0, 3, 6]);
  const fig = projectionFigureData(m, limited, { labels: 'xyxyxyxyx'.split(''), layer: 'lstm' });
  assert.deepEqual(
    fig.sequences.map((q) => q.label),
    ['x', 'y', 'x'],
  );
  assert.equal(fig.sequences.length, 3);
  assert.equal(fig.sequences[2]!.points.length, 10);
  const svg = await renderSvg(buildFigure('projection-trajectories', fig));
  assert.match(svg, /<svg/);
});
