// The curves view in Chromium on runs the test trains itself (motif recipe, tiny): the per-step
// and per-epoch curves render, the smoothing slider changes the drawn smoothed path, the log
// toggle switches the y scale, the x axis choice changes the axis, and the compare page shows
// the settings table with the differing row marked beside both runs' curves. No console errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { runRecipe } from '../../src/train/run-recipe.js';
import { browserSkip, buildDashboard, launchChromium, openPage } from './browser.js';

const skip = browserSkip('curves');

let dir: string;
let store: RunStore;
let server: RunningServer;
let browser: Browser;
let runA: string;
let runB: string;

describe('curves view in Chromium', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-curves-e2e-'));
    const webDir = await buildDashboard(join(dir, 'web'));
    store = RunStore.open(join(dir, 'runs'));
    const train = { distributions: false };
    runA = (await runRecipe('motif', { epochs: 2, hidden: 8, batchSize: 64, config: { train } }, { store })).runId!;
    runB = (await runRecipe('motif', { epochs: 2, hidden: 12, batchSize: 64, config: { train } }, { store })).runId!;
    server = await startServer({ store, port: 0, webDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (query: string): Promise<{ page: Page; errors: string[] }> => openPage(browser, `${server.url}${query}`);

  const LOSS = 'figure.figure[data-key="curves:loss"]';
  const rendered = (page: Page) =>
    page.waitForFunction(
      `document.querySelector('${LOSS}')?.dataset.rendered === 'true' && document.querySelectorAll('${LOSS} svg .mark-line path').length > 0`,
      undefined,
      { timeout: 15000 },
    );
  /** The `d` of the smoothed lines of the loss chart. */
  const smoothedPaths = (page: Page): Promise<string[]> =>
    page.$$eval(`${LOSS} svg g.mark-line.smoothed_marks path`, (ps) => ps.map((p) => p.getAttribute('d') ?? ''));

  it('training tab: curves of every series, smoothing, log scale and x axis', async () => {
    const { page, errors } = await open(`?run=${runA}&view=training`);
    await rendered(page);
    await page.waitForSelector('figure.figure[data-key="curves:accuracy"][data-rendered="true"]');
    const legend = await page.locator(LOSS).innerText();
    for (const s of ['train (per step)', 'train', 'validation']) assert.ok(legend.includes(s), `legend has '${s}': ${legend}`);
    const before = await smoothedPaths(page);
    assert.equal(before.length, 3, 'one smoothed line per loss series');

    await page.locator('input[name="smoothing"]').fill('0.95');
    await page.waitForFunction(`document.querySelector('.curves')?.dataset.smoothing === '0.95'`);
    await rendered(page);
    const after95 = await smoothedPaths(page);
    assert.notDeepEqual(after95, before, 'the smoothed paths change with the slider');

    assert.equal(await page.evaluate(`window.__rnnlensViews['curves:loss'].scale('y').type`), 'linear');
    await page.check('input[name="log"]');
    await page.waitForFunction(`window.__rnnlensViews?.['curves:loss']?.scale('y').type === 'log'`);

    assert.match(await page.locator(LOSS).innerText(), /step \(minibatch\)/);
    // zoom: the wheel over the chart narrows the x scale, a double-click restores it
    const xDomain = (): Promise<number[]> => page.evaluate(`window.__rnnlensViews['curves:loss'].scale('x').domain()`) as Promise<number[]>;
    const full = await xDomain();
    const box = (await page.locator(`${LOSS} svg`).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(`(() => { const d = window.__rnnlensViews['curves:loss'].scale('x').domain(); return d[1] - d[0] < ${full[1]! - full[0]!} * 0.9; })()`);
    await page.mouse.dblclick(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.waitForFunction(`(() => { const d = window.__rnnlensViews['curves:loss'].scale('x').domain(); return Math.abs(d[0] - ${full[0]}) < 1e-9 && Math.abs(d[1] - ${full[1]}) < 1e-9; })()`);
    await page.selectOption('select[name="axis"]', 'epoch');
    await page.waitForFunction(`document.querySelector('.curves')?.dataset.axis === 'epoch'`);
    await rendered(page);
    const epochDomain = (await page.evaluate(`window.__rnnlensViews['curves:loss'].scale('x').domain()`)) as number[];
    assert.ok(epochDomain[1]! <= 2.5 && epochDomain[1]! >= 2, `epochs on x: ${epochDomain}`);
    await page.selectOption('select[name="axis"]', 'wall');
    await page.waitForFunction(`document.querySelector('.curves')?.dataset.axis === 'wall'`);
    await rendered(page);
    assert.match(await page.locator(LOSS).innerText(), /wall time/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('overview of the train run leads with the curves', async () => {
    const { page, errors } = await open(`?run=${runA}`);
    await rendered(page);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('compare page: settings table with the differing row marked, beside the curves', async () => {
    const { page, errors } = await open(`?compare=${runA},${runB}`);
    await page.waitForSelector('table.hyperparams tbody tr');
    const hidden = page.locator('tr[data-setting="model.hidden"]');
    assert.equal(await hidden.getAttribute('data-differs'), 'true');
    assert.match(await hidden.innerText(), /8\s+12/);
    assert.equal(await page.locator('tr[data-setting="recipe"]').getAttribute('data-differs'), 'false');
    const all = await page.locator('table.hyperparams tbody tr').count();
    await page.check('input[name="only-differing"]');
    await page.waitForFunction(`document.querySelectorAll('table.hyperparams tbody tr').length < ${all}`);
    const keys = await page.$$eval('table.hyperparams tbody tr', (rs) => rs.map((r) => r.getAttribute('data-setting')));
    assert.deepEqual(keys, ['model.hidden']);
    // beside it, the curves of both runs overlaid: a per-step, train and validation loss of each
    await rendered(page);
    const legend = await page.locator(LOSS).innerText();
    for (const id of [runA, runB]) assert.ok(legend.includes(`${id.slice(-8)} train (per step)`), `legend names ${id}: ${legend}`);
    assert.equal((await smoothedPaths(page)).length, 6);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
