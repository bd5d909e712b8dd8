// The Explain page in Chromium on a real spam training run: type a text, choose integrated
// gradients, run, and see the predicted class and the tokens coloured by their attribution (the
// same numbers attribute() gives); a bad parameter shows the server's message in the page; a
// dataset item can be picked; no console errors.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { textItem } from '../../src/data/preprocess.js';
import { attribute } from '../../src/explain/attribute.js';
import { predictOutputs } from '../../src/predict/predict.js';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { trainAddingRun, trainSpamRun } from '../server/explain-run.js';
import { browserSkip, buildDashboard, launchChromium, openPage, param } from './browser.js';

const skip = browserSkip('explain');

const TEXT = 'Click here to win free money now, limited offer';

let dir: string;
let store: RunStore;
let server: RunningServer;
let browser: Browser;
let run: string;
let modelDir: string;
let numericRun: string;
let SHOTS: string;

describe('Explain page in Chromium', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-e2e-explain-'));
    const webDir = await buildDashboard(join(dir, 'web'));
    store = RunStore.open(join(dir, 'runs'));
    numericRun = (await trainAddingRun(store)).id;
    ({ id: run, modelDir } = await trainSpamRun(store));
    server = await startServer({ store, port: 0, webDir });
    browser = await launchChromium();
    SHOTS = process.env.RNNLENS_SCREENSHOTS ?? join(dir, 'screenshots');
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (query: string): Promise<{ page: Page; errors: string[] }> =>
    openPage(browser, `${server.url}${query}`, { width: 1280, height: 900 });

  it('type a text, run integrated gradients: the predicted class and the coloured tokens', async () => {
    const { page, errors } = await open('');
    // from the runs list through the header link
    await page.click('header a[data-nav="explain"]');
    await page.waitForSelector('section[data-page="explain"] select[name="model"]');
    assert.equal(param(page, 'view'), 'explain');
    assert.equal(await page.locator('select[name="model"]').inputValue(), run);
    await page.fill('textarea[name="text"]', TEXT);
    await page.selectOption('select[name="method"]', 'integrated-gradients');
    // the form of the method's parameters, from api/methods
    assert.equal(await page.locator('input[name="param-steps"]').getAttribute('placeholder'), '50');
    assert.equal(await page.locator('input[name="param-steps"]').getAttribute('max'), '10000');
    await page.fill('input[name="param-steps"]', '16');
    await page.click('button[name="run"]');
    await page.waitForSelector('.explain-result .token-attribution .token');
    await page.waitForSelector('figure.figure[data-key="explain-steps"][data-rendered="true"] svg .mark-rect');

    const { model, file } = loadModel(modelDir);
    const ids = textItem(TEXT, file.preprocessing).x as Int32Array;
    const x = { ids, batch: 1, steps: ids.length, lengths: Int32Array.of(ids.length) };
    const probs = predictOutputs(model, { kind: 'tokens', ...x }, { task: 'classification' })[0] as number[];
    const k = probs[1]! > probs[0]! ? 1 : 0;
    const expected = Array.from(attribute(model, x, { method: 'integrated-gradients', target: [k], seed: 0, steps: 16 }).attributions.data);

    assert.equal(await page.locator('.predicted-class').innerText(), ['ham', 'spam'][k]);
    const tokens = await page.$$eval('.token-attribution .token', (els) =>
      els.map((e) => ({ text: e.textContent, score: Number(e.getAttribute('data-score')), background: (e as unknown as { style: { background: string } }).style.background })),
    );
    assert.equal(tokens.length, ids.length);
    assert.deepEqual(tokens.slice(0, 3).map((t) => t.text), ['click', 'here', 'to']);
    assert.deepEqual(tokens.map((t) => t.score), expected);
    // red towards the target, blue away from it, the strongest fully opaque
    tokens.forEach((t) => assert.match(t.background, t.score >= 0 ? /rgba?\(214, 39, 40/ : /rgba?\(31, 119, 180/));
    assert.ok(tokens.some((t) => /rgb\((214, 39, 40|31, 119, 180)\)|, 1\)$/.test(t.background)), tokens.map((t) => t.background).join(' '));
    await page.screenshot({ path: join(SHOTS, 'explain-text.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a bad parameter shows the server\'s message in the page; a dataset item can be explained', async () => {
    const { page, errors } = await open('?view=explain');
    await page.waitForSelector('textarea[name="text"]');
    await page.fill('textarea[name="text"]', TEXT);
    await page.selectOption('select[name="method"]', 'occlusion');
    await page.fill('input[name="param-window"]', '2x99');
    await page.click('button[name="run"]');
    await page.waitForSelector('[role="alert"][data-error-code="bad_request"]');
    assert.match(await page.locator('[role="alert"]').innerText(), /'params.window' expected STEPS \(or STEPSx4\) for a token model/);
    await page.fill('input[name="param-window"]', '2');
    await page.check('input[name="mode"][value="item"]');
    await page.waitForSelector('.item-row[data-item="2"]');
    await page.click('.item-row[data-item="2"]');
    assert.equal(await page.locator('input[name="item"]').inputValue(), '2');
    await page.click('button[name="run"]');
    await page.waitForSelector('.explain-result[data-method="occlusion"] .token-attribution .token');
    assert.equal(await page.locator('[role="alert"]').count(), 0);
    assert.match(await page.locator('.prediction').innerText(), /Predicted (ham|spam) \(p = 0\.\d{3}\) — label (ham|spam)/);
    await page.screenshot({ path: join(SHOTS, 'explain-item.png'), fullPage: true });
    // the browser logs the one refused request itself; nothing else went wrong
    assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.close();
  });

  it('a numeric model: pick a dataset item, see the steps × features heatmap', async () => {
    const { page, errors } = await open('?view=explain');
    await page.waitForSelector('select[name="model"]');
    await page.selectOption('select[name="model"]', numericRun);
    await page.waitForSelector('textarea[name="rows"]');
    await page.check('input[name="mode"][value="item"]');
    await page.waitForSelector('.item-row[data-item="0"]');
    await page.selectOption('select[name="method"]', 'saliency');
    await page.click('button[name="run"]');
    await page.waitForSelector('figure.figure[data-key="explain-heatmap"][data-rendered="true"] svg .mark-rect');
    await page.waitForSelector('figure.figure[data-key="explain-steps"][data-rendered="true"] svg .mark-rect');
    // 40 steps × 2 features
    const cells = await page.evaluate("window.__rnnlensViews['explain-heatmap'].data('source_0').length");
    assert.equal(cells, 80);
    assert.equal(await page.locator('.token-attribution').count(), 0);
    assert.match(await page.locator('.prediction').innerText(), /Outputs: \[/);
    await page.screenshot({ path: join(SHOTS, 'explain-numeric.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
