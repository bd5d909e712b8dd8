// The dashboard screenshots of the README and docs/dashboard.md, from real runs: makes the runs
// with the CLI into a temporary store (scripts/demo-runs.mjs, plus a second training to compare
// with), builds the dashboard, serves it, opens each page in Debian's Chromium through the browser
// tests' harness (test/e2e/browser.ts: same launch flags, viewport and console-error capture) and
// saves the PNGs, each checked to be drawn, free of page errors and under 200 KB.
//   npm run build:ts && node scripts/screenshots.mjs [--out docs/screenshots]
// RNNLENS_CHROMIUM points at another Chromium binary (none is downloaded).
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { register } from 'tsx/esm/api';
import { makeDemoRuns, rnnlens } from './demo-runs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--out');
const out = resolve(i > 0 ? process.argv[i + 1] : join(root, 'docs/screenshots'));
const LIMIT = 200 * 1024;

// the harness and the server are TypeScript sources, loaded through tsx as the tests load them
register();
const { buildDashboard, figuresRendered, launchChromium, openPage } =
  await import('../test/e2e/browser.ts');
const { RunStore } = await import('../src/runs/store.ts');
const { startServer } = await import('../src/server/start.ts');

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-screenshots-'));
const runsDir = join(dir, 'runs');
let browser;
let server;
let store;
let failed = false;
try {
  const t0 = Date.now();
  const [webDir, runs, other] = await Promise.all([
    buildDashboard(join(dir, 'web')),
    makeDemoRuns(runsDir, { big: true }),
    // a second motif model with more units, for the compare page
    rnnlens([
      'train',
      '--recipe',
      'motif',
      '--epochs',
      '4',
      '--hidden',
      '12',
      '--batch-size',
      '64',
      '--runs-dir',
      runsDir,
    ]),
  ]);
  console.log(
    `screenshots: runs made and dashboard built in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  store = RunStore.open(runsDir);
  server = await startServer({ store, port: 0, webDir });
  browser = await launchChromium();
  mkdirSync(out, { recursive: true });

  /**
   * One page: open `query`, wait for `ready` and for at least `figures` figures drawn with vega
   * marks (and none still drawing), do `act`, save the viewport (or `element`, its first
   * `maxHeight` pixels, or the whole page) as `name`. Console errors fail the shot unless they
   * match `expect`.
   */
  async function shot(
    name,
    query,
    { ready, figures = 0, element, maxHeight, fullPage = false, act, expect } = {},
  ) {
    const { page, errors } = await openPage(browser, `${server.url}${query}`);
    try {
      if (ready) await page.waitForSelector(ready, { timeout: 60000 });
      if (figures > 0) {
        await figuresRendered(page, figures);
        await page.waitForFunction(
          `document.querySelectorAll('figure.figure[data-rendered="false"]').length === 0`,
          undefined,
          { timeout: 60000 },
        );
      }
      if (act) await act(page);
      // fonts and the last vega redraw settle
      await page.waitForTimeout(300);
      const path = join(out, name);
      if (element && maxHeight) {
        const box = await page.locator(element).first().boundingBox();
        const clip = { ...box, height: Math.min(box.height, maxHeight) };
        await page.screenshot({ path, clip, fullPage: true });
      } else if (element) await page.locator(element).first().screenshot({ path });
      else await page.screenshot({ path, fullPage });
      const unexpected = errors.filter((e) => !expect?.test(e));
      if (unexpected.length > 0)
        throw new Error(`${name}: the page logged errors: ${unexpected.join('; ')}`);
      const kb = statSync(path).size / 1024;
      console.log(`screenshots: ${name} ${kb.toFixed(0)} KB`);
      if (kb * 1024 > LIMIT)
        throw new Error(`${name} is ${kb.toFixed(0)} KB, more than ${LIMIT / 1024} KB`);
    } finally {
      await page.close();
    }
  }
  /** Clicks a table row and waits until it is selected and figure `key` shows it. */
  const pick = (row, key) => async (page) => {
    await page.click(row);
    await page.waitForSelector(`${row}.selected`);
    if (key)
      await page.waitForSelector(`figure[data-key="${key}"][data-sel-seq]:not([data-sel-seq=""])`);
  };

  // the README's
  await shot('runs.png', '', { ready: 'table.runs tbody tr' });
  await shot('run-training.png', `?run=${runs.train}&view=training`, { figures: 2 });
  await shot('run-distributions.png', `?run=${runs.train}&view=distributions`, {
    ready: 'figure.figure',
    figures: 7,
  });
  // the other pages of a training and the comparison of two
  await shot('run-overview.png', `?run=${runs.train}`, { ready: 'table.summary', figures: 2 });
  await shot('run-model.png', `?run=${runs.train}&view=model&unit=3`, { ready: '.layer-box' });
  await shot('compare.png', `?compare=${runs.train},${other.run}`, {
    ready: 'table.hyperparams tbody tr',
    figures: 2,
  });
  await shot('error-unknown-run.png', '?run=20990101-000000-000-deadbeef', {
    ready: '[data-error-code="unknown_run"]',
    expect: /status of 404/,
  });
  // the result of every analysis kind (docs/dashboard.md), a row picked in its table
  await shot('run-certify.png', `?run=${runs.certify}`, {
    ready: 'table.certificates',
    figures: 7,
    element: '.result',
    maxHeight: 1100,
    act: pick('table.certificates tr[data-item="1"]', 'result:radius'),
  });
  await shot('run-evaluate.png', `?run=${runs.evaluate}`, {
    ready: 'table.metric-intervals',
    figures: 3,
    element: '.result',
    act: pick('table.metric-intervals tr[data-metric="accuracy"]', 'result:intervals'),
  });
  await shot('run-cv.png', `?run=${runs.cv}`, {
    ready: 'table.folds',
    figures: 5,
    element: '.result',
    act: pick('table.folds tr[data-fold="2"]', 'result:per-fold'),
  });
  await shot('run-compare.png', `?run=${runs.compare}`, {
    ready: 'table.test-statistics',
    figures: 5,
    element: '.result',
  });
  await shot('run-verify.png', `?run=${runs.verifyGradients}`, {
    ready: 'table.checks',
    figures: 1,
    element: '.result',
    act: pick('table.checks tbody tr:nth-child(2)', 'result:checks'),
  });
  await shot('run-explain-bench.png', `?run=${runs.bench}`, {
    ready: 'table.scorecard',
    figures: 3,
    element: '.result',
    act: pick('table.scorecard tr[data-method="integrated-gradients"]', 'result:scorecard'),
  });
  console.log(`screenshots: saved into ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
} catch (err) {
  failed = true;
  console.error(`screenshots: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await browser?.close();
  await server?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
