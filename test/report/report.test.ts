import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { RunStore } from '../../src/runs/store.js';
import { buildReport } from '../../src/report/build-report.js';
import { FIGURE_KINDS } from '../../src/report/figures/index.js';
import { registerReport } from '../../src/cli/report.js';
import { makeFixtureRun } from './fixture-run.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-report-'));
  const store = RunStore.open(join(dir, 'runs'));
  return { dir, store, done: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('buildReport: self-contained HTML with every figure, summary and artifact sections', async (t) => {
  const { dir, store, done } = setup();
  try {
    const id = makeFixtureRun(store);
    const progress: number[] = [];
    const html = await buildReport([id], store, { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual(
      progress,
      Array.from({ length: FIGURE_KINDS.length }, (_, i) => i + 1),
    );
    assert.match(html, /^<!DOCTYPE html>/);
    // offline: nothing is loaded from elsewhere
    assert.deepEqual(html.match(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//gi), null);
    assert.ok(!/<link\b/i.test(html), 'no <link> elements');
    // each figure kind appears once, with a pre-rendered SVG and a parseable inline spec
    for (const kind of FIGURE_KINDS) {
      assert.equal(html.split(`data-figure="${kind}"`).length - 1, 1, kind);
    }
    const specIds = [...html.matchAll(/data-spec="(spec-[0-9-]+)"/g)].map((m) => m[1]!);
    assert.equal(specIds.length, FIGURE_KINDS.length);
    for (const sid of specIds) {
      const m = new RegExp(`<script type="application/json" id="${sid}">(.*?)</script>`).exec(html);
      assert.ok(m, sid);
      assert.ok(JSON.parse(m[1]!).$schema.includes('vega-lite'));
    }
    assert.equal(html.split('<div class="static"><svg').length - 1, FIGURE_KINDS.length);
    // summary, escaped config, metrics, artifact sections; the inline bundles
    assert.match(html, /&lt;b&gt;not markup&lt;\/b&gt;/);
    assert.match(html, /<td>accuracy<\/td><td>0\.8400<\/td>/);
    for (const h of ['Figure data', 'JSON artifacts', 'Text artifacts', 'Arrays (float32)'])
      assert.ok(html.includes(`<h3>${h}</h3>`), h);
    assert.match(html, /hidden\.f32: shape \[2, 2\], min -0\.2500, max 2, mean 0\.8125/);
    assert.ok(html.includes('vegaLite.compile'));
    assert.ok(html.length > 700_000, 'vega and vega-lite bundles are inline');

    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    if (!CHROMIUM) {
      t.skip(
        'chromium not found at /usr/bin/chromium: the live rendering in a browser was NOT checked',
      );
      return;
    }
    const res = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'chrome')}`,
        '--virtual-time-budget=5000',
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
    );
    assert.equal(res.status, 0, res.stderr);
    const dom = res.stdout;
    assert.match(
      dom,
      new RegExp(`data-live-figures="${FIGURE_KINDS.length}"`),
      'every figure rendered live in Chromium',
    );
    assert.equal(dom.split('data-rendered="live"').length - 1, FIGURE_KINDS.length);
    assert.ok(!dom.includes('data-error='), 'no figure failed in the browser');
    const live = [...dom.matchAll(/<div class="live"[^>]*>\s*<svg[^>]*class="marks"/g)].length;
    assert.equal(live, FIGURE_KINDS.length, 'a live vega SVG is mounted in every figure');
    // live and static SVGs together: no id twice (a shared gradient id loses colour ramps)
    const ids = [...dom.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    const twice = ids.filter((x, i) => ids.indexOf(x) !== i);
    assert.deepEqual(twice, [], 'ids used twice in the live page');
    assert.ok(ids.some((x) => /gradient/.test(x)), 'the colour ramps have gradients');
  } finally {
    done();
  }
});

test('buildReport: two runs; static-only mode is small and script-free', async () => {
  const { store, done } = setup();
  try {
    const a = makeFixtureRun(store);
    const b = store.createRun({ kind: 'certify', config: {} });
    b.finish('failed', { error: 'bound blew up' });
    const html = await buildReport([a, b.id], store, { liveFigures: false, title: 'Two runs' });
    assert.ok(!html.includes('<script>'), 'no executable scripts');
    assert.ok(html.length < 400_000);
    assert.match(html, /<title>Two runs<\/title>/);
    assert.ok(html.includes(`href="#run-${a}"`) && html.includes(`href="#run-${b.id}"`));
    assert.match(html, /bound blew up/);
    assert.match(html, /no figures/);
  } finally {
    done();
  }
});

test('buildReport: clear errors for unknown runs, runs being written, deleted artifacts, bad figure data', async () => {
  const { store, done } = setup();
  try {
    await assert.rejects(buildReport([], store), /at least one run id/);
    await assert.rejects(buildReport(['nope'], store), /no run with id 'nope'/);
    await assert.rejects(buildReport(['../x'], store), /run id/);
    const running = store.createRun({ kind: 'train' });
    await assert.rejects(buildReport([running.id], store), /is still being written/);
    running.writeFigure('bad.json', { figure: 'heatmap', data: { values: [] } });
    running.finish();
    await assert.rejects(
      buildReport([running.id], store),
      /figure artifact 'bad\.json' .* cannot be drawn: heatmap: argument 'values'/,
    );
    const id = makeFixtureRun(store);
    unlinkSync(join(store.runDir(id), 'heatmap.json'));
    await assert.rejects(buildReport([id], store), /artifact 'heatmap\.json' of run .* is missing/);
  } finally {
    done();
  }
});

test('rnnlens report RUN --out FILE --figures-dir DIR', async () => {
  const { dir, store, done } = setup();
  try {
    const id = makeFixtureRun(store);
    let printed = '';
    const program = new Command().exitOverride();
    registerReport(program, { write: (s) => (printed += s) });
    const out = join(dir, 'r.html');
    const figs = join(dir, 'figs');
    await program.parseAsync(
      [
        'report',
        id,
        '--out',
        out,
        '--runs-dir',
        join(dir, 'runs'),
        '--figures-dir',
        figs,
        '--quiet',
      ],
      { from: 'user' },
    );
    assert.match(printed, new RegExp(`^wrote .*r\\.html \\(\\d+ KiB, 1 run\\)\\nwrote ${FIGURE_KINDS.length} figures \\(SVG \\+ PNG\\)`));
    assert.ok(readFileSync(out, 'utf8').includes('data-figure="heatmap"'));
    const files = readdirSync(figs);
    assert.equal(files.filter((f) => f.endsWith('.png')).length, FIGURE_KINDS.length);
    assert.ok(files.includes(`${id}--metrics.svg`) && files.includes(`${id}--heatmap.png`));
    const png = readFileSync(join(figs, `${id}--heatmap.png`));
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
  } finally {
    done();
  }
});
