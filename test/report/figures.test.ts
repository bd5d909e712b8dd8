import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURE_KINDS, buildFigure } from '../../src/report/figures/index.js';
import { compileSpec, renderPng, renderSvgWithWarnings } from '../../src/report/render.js';
import { reliabilityBins } from '../../src/report/figures/reliability-diagram.js';
import { histogramCells } from '../../src/report/figures/histogram-over-epochs.js';
import { layoutTokens } from '../../src/report/figures/token-attribution.js';
import { isCertified } from '../../src/report/figures/certified-intervals.js';
import { EXPECT, SAMPLE } from './sample-figures.js';

const fixture = JSON.parse(readFileSync('test/fixtures/report/binning.json', 'utf8'));
const OUT = 'test/output/report';

for (const kind of FIGURE_KINDS) {
  test(`figure ${kind}: compiles without warnings and renders the expected marks`, async () => {
    const spec = buildFigure(kind, SAMPLE[kind]);
    assert.equal(typeof spec, 'object');
    JSON.parse(JSON.stringify(spec)); // plain JSON, nothing else
    assert.deepEqual(compileSpec(spec).warnings, []);
    const { svg, warnings } = await renderSvgWithWarnings(spec);
    assert.deepEqual(warnings, []);
    assert.match(svg, /^<svg[^>]+width="\d+"/);
    for (const m of EXPECT[kind].marks)
      assert.ok(svg.includes(`class="${m} role-mark`), `${kind}: no ${m} in the SVG`);
    assert.ok(svg.includes(EXPECT[kind].text), `${kind}: text '${EXPECT[kind].text}' missing`);
  });
}

test('renderPng: PNG signature, plausible size; saved for inspection', async () => {
  mkdirSync(OUT, { recursive: true });
  for (const kind of ['training-curves', 'token-attribution'] as const) {
    const svg = (await renderSvgWithWarnings(buildFigure(kind, SAMPLE[kind]))).svg;
    const png = renderPng(svg);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR width and height: twice the SVG size at the default scale 2
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    assert.equal(png.readUInt32BE(16), 2 * w);
    assert.ok(png.length > 5000 && png.length < 2_000_000, `PNG of ${png.length} bytes`);
    writeFileSync(join(OUT, `${kind}.png`), png);
  }
  assert.throws(() => renderPng('<svg', {}), /./);
  assert.throws(
    () => renderPng('<svg xmlns="http://www.w3.org/2000/svg"/>', { scale: 0 }),
    /scale/,
  );
});

test('reliability bins and ECE match scikit-learn calibration_curve', () => {
  const r = fixture.reliability;
  const { bins, ece } = reliabilityBins({
    confidence: r.confidence,
    correct: r.correct,
    bins: r.bins,
  });
  assert.equal(bins.length, r.prob_true.length);
  bins.forEach((b, i) => {
    assert.ok(Math.abs(b.accuracy - r.prob_true[i]) < 1e-12);
    assert.ok(Math.abs(b.confidence - r.prob_pred[i]) < 1e-12);
    assert.equal(b.count, r.counts[i]);
  });
  assert.ok(Math.abs(ece - r.ece) < 1e-12);
});

test('histogram over epochs: counts match numpy.histogram on the shared range; medians match', () => {
  const h = fixture.histogram;
  const { cells, medians } = histogramCells({
    name: 'w',
    bins: h.bins,
    epochs: h.epochs.map((values: number[], epoch: number) => ({ epoch, values })),
  });
  h.counts.forEach((row: number[], e: number) => {
    assert.deepEqual(
      cells.filter((c) => c.epoch === e).map((c) => c.count),
      row,
    );
  });
  medians.forEach((m, e) => assert.ok(Math.abs(m.median - h.medians[e]) < 1e-12));
});

test('token layout wraps lines; certification verdict; bad figure input is refused clearly', () => {
  const placed = layoutTokens(['aaaa', 'bbbb', 'cccc'], [0, 0, 0], 10);
  assert.deepEqual(
    placed.map((p) => [p.line, p.x0]),
    [
      [0, 0],
      [0, 5],
      [1, 0],
    ],
  );
  assert.equal(isCertified(SAMPLE['certified-intervals']), true);
  assert.equal(isCertified({ ...SAMPLE['certified-intervals'], predicted: 'spam' }), false);
  assert.throws(() => buildFigure('pie', {}), /one of training-curves/);
  assert.throws(() => buildFigure('heatmap', { values: [[1, 2], [3]] }), /values\[1\]/);
  assert.throws(
    () => buildFigure('token-attribution', { tokens: ['a'], scores: [] }),
    /one per token/,
  );
  assert.throws(
    () => buildFigure('gradient-flow', { points: [{ lag: 0, norm: 0 }] }),
    /positive number \(log scale\)/,
  );
  assert.throws(
    () => buildFigure('confusion-matrix', { labels: ['a', 'b'], matrix: [[1, 2]] }),
    /2×2/,
  );
  assert.throws(
    () =>
      buildFigure('error-bars', {
        metric: 'acc',
        rows: [{ group: 'x', value: 1, lower: 2, upper: 3 }],
      }),
    /lower <= value <= upper/,
  );
  assert.throws(
    () =>
      buildFigure('certified-intervals', {
        classes: [{ label: 'a', lower: 0, upper: 1 }],
        predicted: 'b',
      }),
    /one of the class labels/,
  );
  assert.throws(
    () => buildFigure('reliability-diagram', { confidence: [1.5], correct: [1] }),
    /\[0, 1\]/,
  );
});
