// The report's structure: a table of contents reaching every run and figure, unique SVG ids
// with every reference resolving, the overview's most telling metrics in a scrolling table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../src/runs/store.js';
import { buildReport } from '../../src/report/build-report.js';
import { prefixSvgIds } from '../../src/report/html.js';
import { keyMetrics } from '../../src/runs/metric-order.js';
import { makeFixtureRun } from './fixture-run.js';

test('prefixSvgIds renames ids and every reference to them', () => {
  const svg = '<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs><rect fill="url(#gradient_0)" clip-path="url(#clip1)"/><use href="#clip1"/><use xlink:href="#gradient_0"/><text>id="x"</text></svg>';
  assert.equal(
    prefixSvgIds(svg, 'f1-2-'),
    '<svg><defs><linearGradient id="f1-2-gradient_0"/><clipPath id="f1-2-clip1"/></defs><rect fill="url(#f1-2-gradient_0)" clip-path="url(#f1-2-clip1)"/><use href="#f1-2-clip1"/><use xlink:href="#f1-2-gradient_0"/><text>id="x"</text></svg>',
  );
  assert.equal(prefixSvgIds('<svg><rect/></svg>', 'p-'), '<svg><rect/></svg>');
});

test('keyMetrics: test accuracy and F1 before train losses; cv means before their spread', () => {
  const train = ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'val_f1', 'test_loss', 'test_accuracy', 'test_f1', 'test_rocAuc', 'test_balancedAccuracy'];
  assert.deepEqual(keyMetrics(train, 6), ['test_accuracy', 'test_f1', 'test_rocAuc', 'test_balancedAccuracy', 'val_accuracy', 'val_f1']);
  assert.deepEqual(keyMetrics(['accuracy_sd', 'f1_mean', 'accuracy_mean'], 2), ['accuracy_mean', 'f1_mean']);
  assert.deepEqual(keyMetrics(['zeta', 'alpha']), ['alpha', 'zeta']);
});

test('buildReport: table of contents, unique ids, resolving references, scrolling overview', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-report-toc-'));
  const store = RunStore.open(join(dir, 'runs'));
  try {
    const a = makeFixtureRun(store);
    const b = makeFixtureRun(store);
    const t = store.createRun({ kind: 'train' });
    t.finish('finished', { metrics: { train_loss: 0.1, train_accuracy: 0.9, test_accuracy: 0.8, test_f1: 0.7, val_accuracy: 0.85, a_unknown: 1, b_unknown: 2, c_unknown: 3, d_unknown: 4, e_unknown: 5 } });
    const html = await buildReport([a, b, t.id], store, { liveFigures: false });
    const toc = /<nav class="toc"[^>]*>([\s\S]*?)<\/nav>/.exec(html);
    assert.ok(toc, 'a table of contents');
    const targets = [...toc[1]!.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    const figures = html.split('<figure class="fig"').length - 1;
    assert.ok(figures > 2);
    // the runs table, each run and each figure
    assert.equal(targets.length, 1 + 3 + figures);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(ids.filter((x, i) => ids.indexOf(x) !== i), [], 'no id twice');
    for (const x of targets) assert.ok(ids.includes(x), `#${x} exists`);
    const refs = [...html.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(refs.length > 0);
    for (const x of refs) assert.ok(ids.includes(x), `url(#${x}) resolves`);
    // the overview: at most 8 metric columns, the telling ones first, in a scrolling box
    const overview = /<div class="table-scroll"><table class="overview"><thead><tr>(.*?)<\/tr>/.exec(html);
    assert.ok(overview, 'the overview scrolls sideways');
    const heads = [...overview[1]!.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]!);
    assert.deepEqual(heads.slice(0, 6), ['run', 'kind', 'status', 'created', 'accuracy', 'test_accuracy']);
    assert.equal(heads.length, 4 + 8);
    assert.ok(!heads.includes('e_unknown'));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
