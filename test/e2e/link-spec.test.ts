// The dashboard's linked highlighting as a pure spec transformation (no browser needed): which
// marks get the fade-unless-selected condition, with which fields, and what stays untouched.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkSpec, SEQ_SIGNAL, UNIT_SIGNAL } from '../../web/src/link-spec.js';
import { buildFigure } from '../../src/report/figures/index.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('linkSpec', () => {
  it('adds the selection params and an opacity condition on marks whose data has the linked field', () => {
    const input = buildFigure('saturation-scatter', {
      units: [0, 1, 2].map((u) => ({ unit: u, left: 0.1 * u, right: 0.2, gate: 'input' })),
    }) as Json;
    const { spec, linksUnit, linksSeq } = linkSpec(input, { unit: 'unit', seq: 'seq' });
    const out = spec as Json;
    assert.equal(linksUnit, true);
    assert.equal(linksSeq, false);
    assert.deepEqual(
      out.params.map((p: Json) => p.name),
      [UNIT_SIGNAL, SEQ_SIGNAL],
    );
    const conditioned =
      JSON.stringify(out).match(/toString\(datum\[\\"unit\\"\]\) === rnnlens_unit/g) ?? [];
    assert.ok(conditioned.length >= 1);
    assert.ok(!JSON.stringify(out).includes('datum[\\"seq\\"]'));
    assert.equal(input.params, undefined, 'the input spec is not modified');
  });

  it('follows the figure link to other fields (heatmap rows are units) and into layers and facets', () => {
    const heat = buildFigure('heatmap', {
      values: [
        [1, 2],
        [3, 4],
      ],
      rowTitle: 'unit',
    }) as Json;
    const h = linkSpec(heat, { unit: 'row' }) as { spec: Json; linksUnit: boolean };
    assert.equal(h.linksUnit, true);
    assert.equal(
      h.spec.encoding.opacity.condition.test,
      `(${UNIT_SIGNAL} === '' || toString(datum["row"]) === ${UNIT_SIGNAL})`,
    );
    assert.equal(h.spec.encoding.opacity.value, 0.15);
    const facet = {
      data: { values: [{ seq: 's1', step: 0, value: 1 }] },
      facet: { field: 'seq' },
      spec: { mark: 'line', encoding: { x: { field: 'step' } } },
    };
    const f = linkSpec(facet, { seq: 'seq' }) as { spec: Json; linksSeq: boolean };
    assert.equal(f.linksSeq, true);
    assert.match(f.spec.spec.encoding.opacity.condition.test, /datum\["seq"\]/);
  });

  it('leaves specs without linked fields as they were (no params added)', () => {
    const cm = buildFigure('confusion-matrix', {
      labels: ['a', 'b'],
      matrix: [
        [1, 0],
        [0, 1],
      ],
    }) as Json;
    const l = linkSpec(cm, { unit: 'unit', seq: 'seq' });
    assert.equal(l.linksUnit || l.linksSeq, false);
    assert.deepEqual(l.spec, cm);
  });

  it('keeps an opacity the figure already sets', () => {
    const spec = {
      data: { values: [{ unit: 1 }] },
      mark: 'point',
      encoding: { opacity: { value: 0.5 } },
    };
    assert.deepEqual((linkSpec(spec, { unit: 'unit' }).spec as Json).encoding.opacity, {
      value: 0.5,
    });
  });
});
