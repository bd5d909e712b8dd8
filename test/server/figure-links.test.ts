// Which datum fields of the internals figures carry the linked unit / sequence: co-clustering rows
// (reordered units) through rowKey, unit strips through unit and seq, and the highlighting built on them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coClusterFigureData } from '../../src/explain/internals/coclustering.js';
import { buildFigure } from '../../src/report/figures/index.js';
import { linkFor } from '../../src/server/run-figures.js';
import { linkSpec, UNIT_SIGNAL } from '../../web/src/link-spec.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('figure links of the internals figures', () => {
  it('co-clustering: every cell carries the unit of its (reordered) row, linked as rowKey', () => {
    const data = coClusterFigureData(
      {
        tokens: ['(', ')'],
        response: [
          [0.1, -0.2],
          [0.3, 0.4],
          [-0.5, 0.6],
        ],
        unitCluster: [1, 0, 1],
        tokenCluster: [0, 1],
        unitOrder: [1, 0, 2],
        tokenOrder: [0, 1],
      },
      'lstm/forward',
    );
    assert.deepEqual(data.rowKeys, ['1', '0', '2']);
    const spec = buildFigure('heatmap', data) as Json;
    const cells = spec.data.values as { row: string; rowKey: string; value: number }[];
    assert.deepEqual(
      cells.map((c) => [c.row, c.rowKey, c.value]),
      [
        ['1 (c0)', '1', 0.3],
        ['1 (c0)', '1', 0.4],
        ['0 (c1)', '0', 0.1],
        ['0 (c1)', '0', -0.2],
        ['2 (c1)', '2', -0.5],
        ['2 (c1)', '2', 0.6],
      ],
    );
    const link = linkFor('heatmap', data, undefined);
    assert.deepEqual(link, { unit: 'rowKey', seq: 'seq' });
    const linked = linkSpec(spec, link);
    assert.equal(linked.linksUnit, true);
    assert.match(JSON.stringify(linked.spec.encoding), new RegExp(`${UNIT_SIGNAL}.*rowKey`));
    // a heatmap whose rows are units in order still links through the row label
    assert.equal(linkFor('heatmap', { rowTitle: 'unit', values: [[1]] }, undefined).unit, 'row');
    assert.throws(() => buildFigure('heatmap', { ...data, rowKeys: ['1'] }), /'rowKeys' expected 3 keys, received 1/);
  });

  it('unit strips: the unit and the sequence shown, on every token', () => {
    const spec = buildFigure('token-attribution', { tokens: ['(', 'a', ')'], scores: [0.5, -0.1, 0.2], unit: 4, seq: '17' }) as Json;
    const marks = JSON.stringify(spec);
    assert.ok(marks.includes('"unit":4') && marks.includes('"seq":"17"'));
    const linked = linkSpec(spec, linkFor('token-attribution', {}, undefined));
    assert.equal(linked.linksUnit, true);
    assert.equal(linked.linksSeq, true);
    // an attribution strip (no unit) is linked to nothing
    const plain = linkSpec(buildFigure('token-attribution', { tokens: ['a'], scores: [1] }) as Json, { unit: 'unit', seq: 'seq' });
    assert.equal(plain.linksUnit || plain.linksSeq, false);
  });
});
