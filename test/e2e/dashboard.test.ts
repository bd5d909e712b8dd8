// End to end: build the dashboard with Vite, serve it over a fixture run store and drive Debian's
// Chromium with playwright-core. Every page renders its figures (vega SVG), logs no console
// errors, linked selection works across views and lands in the URL, error states are clear, and
// each page is saved as a screenshot: into a temporary folder, or into RNNLENS_SCREENSHOTS when set
// (the README's, of real runs, come from `node scripts/screenshots.mjs`).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { makeFixtureStore, SEQUENCES, type FixtureRuns } from '../server/fixture-store.js';
import { EXPECT, SAMPLE } from '../report/sample-figures.js';
import { browserSkip, buildDashboard, figuresRendered as drawn, launchChromium, openPage, param } from './browser.js';

let SHOTS: string;
const skip = browserSkip('dashboard');

let dir: string;
let store: RunStore;
let runs: FixtureRuns;
let server: RunningServer;
let browser: Browser;
let builtWeb: string;
const webDirOf = (): string => builtWeb;

describe('dashboard in Chromium', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-e2e-'));
    const webDir = (builtWeb = await buildDashboard(join(dir, 'web')));
    store = RunStore.open(join(dir, 'runs'));
    runs = makeFixtureStore(store);
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

  const open = (query: string): Promise<{ page: Page; errors: string[] }> => openPage(browser, `${server.url}${query}`);
  /** Waits until every figure on the page is drawn and holds an SVG with marks. */
  const figuresRendered = (page: Page, expected: number): Promise<void> => drawn(page, expected, true);

  it('runs list: paged table, filters, no console errors', async () => {
    const { page, errors } = await open('');
    await page.waitForSelector('table.runs tbody tr');
    assert.equal(await page.locator('table.runs tbody tr').count(), 5);
    assert.match(await page.locator('.pager').innerText(), /page 1 of 1 · 5 runs/);
    await page.screenshot({ path: join(SHOTS, 'runs.png') });
    await page.selectOption('select[name="kind"]', 'train');
    await page.waitForFunction(`document.querySelectorAll('table.runs tbody tr').length === 3`);
    assert.equal(param(page, 'kind'), 'train');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('comparison of two selected runs: metrics table and overlaid curves', async () => {
    const { page, errors } = await open('?kind=train');
    await page.waitForSelector(`tr[data-run="${runs.train}"]`);
    await page.check(`tr[data-run="${runs.train}"] input[type=checkbox]`);
    await page.check(`tr[data-run="${runs.other}"] input[type=checkbox]`);
    await page.click('button[data-action="compare"]');
    await page.waitForSelector('[data-page="compare"]');
    assert.deepEqual(param(page, 'compare')!.split(',').sort(), [runs.train, runs.other].sort());
    // the curves view over both runs: one chart per metric (loss, accuracy)
    await figuresRendered(page, 2);
    assert.ok((await page.locator('table.compare tbody tr').count()) >= 3);
    assert.equal((await page.locator('td.best').count()) > 0, true);
    await page.screenshot({ path: join(SHOTS, 'compare.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('run pages: overview, training curves, distributions, model structure, artifacts', async () => {
    const { page, errors } = await open(`?run=${runs.train}`);
    await page.waitForSelector('table.summary');
    assert.match(await page.locator('table.summary').innerText(), /finished/);
    await page.screenshot({ path: join(SHOTS, 'run-overview.png') });

    await page.click('a[data-tab="training"]');
    assert.equal(param(page, 'view'), 'training');
    // the curves view: one chart per metric (loss, accuracy)
    await figuresRendered(page, 2);
    assert.match(await page.locator('figure.figure svg').first().innerHTML(), /validation/);
    await page.screenshot({ path: join(SHOTS, 'run-training.png') });

    await page.click('a[data-tab="distributions"]');
    await figuresRendered(page, 7); // 3 layers × (weights, gradients) + update ratio
    await page.screenshot({ path: join(SHOTS, 'run-distributions.png'), fullPage: true });

    await page.click('a[data-tab="model"]');
    await page.waitForSelector('.layer-box.kind-lstm');
    // LSTM: 4 gates × H (D + H + 2 biases) = 4 · 8 · (16 + 8 + 2)
    assert.match(await page.locator('.layer-box.kind-lstm').innerText(), /16 → 8 · 832 parameters/);
    await page.click('.layer-box.kind-lstm button.unit[data-unit="3"]');
    assert.equal(param(page, 'unit'), '3');
    await page.screenshot({ path: join(SHOTS, 'run-model.png') });

    await page.click('a[data-tab="artifacts"]');
    await page.waitForSelector('table.artifacts');
    assert.ok((await page.locator('table.artifacts tbody tr').count()) >= 10);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('linked views: a sequence or unit chosen anywhere is highlighted everywhere and kept in the URL', async () => {
    const { page, errors } = await open(`?run=${runs.train}&view=figures&seq=12&unit=3`);
    await figuresRendered(page, 5);
    const signal = (key: string, name: string): Promise<string> =>
      page.evaluate(
        `String(window.__rnnlensViews?.[${JSON.stringify(key)}]?.signal(${JSON.stringify(name)}))`,
      );
    const attribute = (key: string, name: string, value: string): string =>
      `document.querySelector('[data-key="${key}"]')?.getAttribute('${name}') === ${JSON.stringify(value)}`;
    // the selection in the opening URL reaches every linked view
    await page.waitForFunction(attribute('figures-projection.json', 'data-sel-seq', '12'));
    assert.equal(await signal('figures-projection.json', 'rnnlens_seq'), '12');
    assert.equal(await signal('figures-hidden.json', 'rnnlens_unit'), '3');
    assert.equal(await signal('figures-saturation.json', 'rnnlens_unit'), '3');
    assert.equal(await page.locator('.sequence-row.selected').getAttribute('data-seq'), '12');

    // choose a sequence in the list: URL, projection and list follow
    await page.click('.sequence-row[data-seq="5"]');
    assert.equal(param(page, 'seq'), '5');
    await page.waitForFunction(attribute('figures-projection.json', 'data-sel-seq', '5'));
    assert.equal(await signal('figures-projection.json', 'rnnlens_seq'), '5');

    // click a unit's point in the saturation scatter: heatmap rows and URL follow
    const point = page.locator('[data-key="figures-saturation.json"] .mark-symbol path').nth(6);
    await point.click({ force: true });
    await page.waitForFunction(`new URL(location.href).searchParams.get('unit') !== '3'`);
    const unit = param(page, 'unit')!;
    assert.match(unit, /^[0-7]$/);
    await page.waitForFunction(attribute('figures-hidden.json', 'data-sel-unit', unit));
    assert.equal(await signal('figures-hidden.json', 'rnnlens_unit'), unit);
    assert.equal(await page.locator('input[aria-label="selected unit"]').inputValue(), unit);
    // rows of other units fade in the heatmap: 1 of 8 rows stays opaque
    const opacities = await page.$$eval(
      '[data-key="figures-hidden.json"] .mark-rect.role-mark path',
      (ps) => ps.map((p) => p.getAttribute('opacity') ?? '1'),
    );
    const opaque = opacities.filter((o) => o === '1').length;
    assert.equal(
      opaque,
      opacities.length / 8,
      `opaque heatmap cells ${opaque} of ${opacities.length}`,
    );

    // a selection made in a figure scrolls the virtualised list to it
    await page.click('[data-key="figures-projection.json"] .mark-symbol path >> nth=40', {
      force: true,
    });
    const seq = param(page, 'seq')!;
    await page.waitForSelector(`.sequence-row.selected[data-seq="${seq}"]`);
    await page.screenshot({ path: join(SHOTS, 'run-figures.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('virtualised sequence list: thousands of items, few DOM rows', async () => {
    const { page, errors } = await open(`?run=${runs.train}&view=model`);
    await page.waitForSelector('.sequence-row[data-seq="0"]');
    assert.equal(
      await page.locator('.sequence-scroll').getAttribute('data-total'),
      String(SEQUENCES),
    );
    assert.ok((await page.locator('.sequence-row').count()) < 40);
    await page.locator('.sequence-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForSelector(`.sequence-row[data-seq="${SEQUENCES - 1}"]`);
    assert.ok((await page.locator('.sequence-row').count()) < 40);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a server bound beyond loopback: the app works with the token from its address, and says so without it', async () => {
    const guarded = await startServer({
      store,
      host: '0.0.0.0',
      port: 0,
      token: 'e2e-token-0123',
      webDir: webDirOf(),
    });
    try {
      const base = `http://127.0.0.1:${guarded.port}/`;
      const { page, errors } = await openPage(browser, `${base}?token=e2e-token-0123&run=${runs.train}&view=training`);
      await figuresRendered(page, 2);
      assert.equal(param(page, 'token'), 'e2e-token-0123', 'navigation keeps the token');
      await page.goto(`${base}`);
      await page.waitForSelector('[data-error-code="unauthorized"]');
      assert.match(await page.locator('.error').innerText(), /token/);
      assert.ok(
        errors.every((e) => /status of 401/.test(e)),
        errors.join('\n'),
      );
      await page.close();
    } finally {
      await guarded.close();
    }
  });

  it('clear error states: unknown run, run still being written, figure that cannot be drawn', async () => {
    const unknown = await open('?run=20990101-000000-000-deadbeef');
    await unknown.page.waitForSelector('[data-error-code="unknown_run"]');
    assert.match(await unknown.page.locator('.error').innerText(), /no run with id/);
    await unknown.page.screenshot({ path: join(SHOTS, 'error-unknown-run.png') });
    // the only console message is the browser's own note about the 404 response
    assert.ok(
      unknown.errors.every((e) => /status of 404/.test(e)),
      unknown.errors.join('\n'),
    );
    await unknown.page.close();

    // a run still being written: its live curves so far, then the full view once it finishes
    const live = await open(`?run=${runs.running}&view=training`);
    await live.page.waitForSelector('[data-error-code="run_in_progress"]');
    assert.match(
      await live.page.locator('[data-error-code="run_in_progress"]').innerText(),
      /still being written/,
    );
    await figuresRendered(live.page, 1);
    await live.page.screenshot({ path: join(SHOTS, 'run-live.png') });
    runs.runningWriter.logMetric('val_loss', 0.8, 1);
    runs.runningWriter.finish();
    await live.page.waitForSelector('[data-page="run-training"] .status-finished', {
      timeout: 10000,
    });
    await live.page.waitForSelector('[data-error-code="run_in_progress"]', { state: 'detached' });
    await figuresRendered(live.page, 1);
    assert.match(await live.page.locator('figure.figure svg').innerHTML(), /validation/);
    assert.deepEqual(live.errors, []);
    await live.page.close();

    const broken = await open(`?run=${runs.broken}&view=figures`);
    await broken.page.waitForSelector('figure[data-rendered="error"]');
    assert.match(
      await broken.page.locator('figure[data-rendered="error"] .error').innerText(),
      /no-such-figure/,
    );
    await broken.page.waitForSelector(
      'figure[data-rendered="true"][data-key="figures-good.json"] svg .mark-line',
    );
    assert.equal(await broken.page.locator('figure.figure').count(), 2);
    assert.deepEqual(broken.errors, []);
    await broken.page.close();
  });
  it('result-first pages of real explain and certify runs: key metrics, settings and result figures first, only the tabs with data', async () => {
    const { runCli } = await import('../../src/cli/main.js');
    const { SequenceModel } = await import('../../src/nn/model.js');
    const { saveModel } = await import('../../src/train/checkpoint.js');
    const { writeFileSync } = await import('node:fs');
    const model = join(dir, 'e2e-model');
    saveModel(model, new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 3 }, { kind: 'dense', units: 2 }] }, { seed: 4 }), { task: 'classification', classNames: ['ham', 'spam'] });
    const input = join(dir, 'e2e-input.json');
    writeFileSync(input, JSON.stringify({ inputs: [[[0.1, 0.2], [0.3, -0.4], [0.5, 0.1]], [[0.2, 0.1], [-0.3, 0.4]]] }));
    let out = '';
    const w = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w(t, ...rest))) as typeof process.stdout.write;
    try {
      assert.equal(await runCli(['explain', '--model', model, '--input', input, '--method', 'occlusion', '--window', '2', '--json', '--quiet', '--runs-dir', join(dir, 'runs')]), 0);
      assert.equal(await runCli(['certify', '--model', model, '--input', input, '--eps', '0.01', '--json', '--runs-dir', join(dir, 'runs')]), 0);
    } finally {
      process.stdout.write = w;
      process.exitCode = 0;
    }
    const [explainId, certifyId] = out.trim().split('\n').map((l) => (JSON.parse(l) as { run: string }).run);
    for (const [id, kind, metric, setting] of [
      [explainId!, 'explain', 'sequences', 'method'],
      [certifyId!, 'certify', 'certified', 'eps'],
    ] as const) {
      const { page, errors } = await open(`?run=${id}`);
      await page.waitForSelector(`.result[data-kind="${kind}"] dl.key-metrics [data-metric="${metric}"]`);
      assert.match(await page.locator('.result p.settings').innerText(), new RegExp(setting));
      await figuresRendered(page, 2); // one attribution or interval figure per input sequence
      const tabs = await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-tab')));
      assert.deepEqual(tabs, ['overview', 'figures', 'artifacts'], kind);
      // the result comes before the record of the run
      const order = await page.$$eval('.result, table.summary', (els) => els.map((e) => e.className));
      assert.deepEqual(order, ['result', 'summary']);
      await page.screenshot({ path: join(SHOTS, `run-${kind}-overview.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  it('a real internals run: its sequence list and projection select the same sequence, a saturation point selects a unit', async () => {
    const { runCli } = await import('../../src/cli/main.js');
    const { SequenceModel } = await import('../../src/nn/model.js');
    const { saveModel } = await import('../../src/train/checkpoint.js');
    // a token tagger for the brackets recipe's data (vocabulary 9, 6 depth tags)
    const model = join(dir, 'e2e-brackets');
    saveModel(model, new SequenceModel({ input: { kind: 'tokens', vocabSize: 9 }, layers: [{ kind: 'embedding', vocabSize: 9, dim: 4 }, { kind: 'lstm', units: 6, returnSequences: true }, { kind: 'dense', units: 6 }] }, { seed: 6 }), { task: 'tagging', meta: { recipe: 'brackets', seed: 0 } });
    let out = '';
    const w = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w(t, ...rest))) as typeof process.stdout.write;
    try {
      const args = ['internals', '--model', model, '--out', join(dir, 'e2e-internals'), '--sequences', '12', '--permutations', '0', '--projections', 'pca', '--no-png', '--quiet', '--json', '--runs-dir', join(dir, 'runs')];
      assert.equal(await runCli(args), 0);
    } finally {
      process.stdout.write = w;
      process.exitCode = 0;
    }
    const id = (JSON.parse(out) as { run: string }).run;
    const { page, errors } = await open(`?run=${id}&view=figures`);
    await page.waitForSelector('.sequence-row[data-seq="5"]');
    const projection = await page.$eval('figure.figure[data-key*="projection"]', (f) => f.getAttribute('data-key'));
    assert.ok(projection, 'a projection figure');
    await page.click('.sequence-row[data-seq="5"]');
    assert.equal(param(page, 'seq'), '5');
    await page.waitForFunction(`document.querySelector('[data-key="${projection}"]')?.getAttribute('data-sel-seq') === '5'`);
    const saturation = await page.$eval('figure.figure[data-key*="saturation"]', (f) => f.getAttribute('data-key'));
    await page.waitForSelector(`[data-key="${saturation}"] .mark-symbol path`);
    await page.locator(`[data-key="${saturation}"] .mark-symbol path`).nth(2).click({ force: true });
    await page.waitForFunction(`/^[0-5]$/.test(new URL(location.href).searchParams.get('unit') ?? '')`);
    const unit = param(page, 'unit')!;
    assert.equal(await page.locator('input[aria-label="selected unit"]').inputValue(), unit);
    await page.waitForFunction(`document.querySelector('[data-key="${saturation}"]')?.getAttribute('data-sel-unit') === '${unit}'`);
    await page.screenshot({ path: join(SHOTS, 'run-internals-linked.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('dynamics, automaton and intervention runs show their figures: fixed points over trajectories, the DFA, the effect against random units', async () => {
    const made: [string, string, string, 'fixed-points' | 'dfa-diagram' | 'intervention'][] = [];
    for (const [kind, file, figure] of [
      ['dynamics', 'fig-fixed-points.json', 'fixed-points'],
      ['extract', 'fig-dfa.json', 'dfa-diagram'],
      ['intervene', 'fig-intervention.json', 'intervention'],
    ] as const) {
      const w = store.createRun({ kind, config: {}, seed: 0 });
      w.writeFigure(file, { figure, data: SAMPLE[figure] });
      w.finish('finished', { metrics: {} });
      made.push([w.id, kind, file, figure]);
    }
    for (const [id, kind, , figure] of made) {
      const { page, errors } = await open(`?run=${id}&view=figures`);
      await figuresRendered(page, 1);
      const svg = await page.locator('figure.figure svg').innerHTML();
      for (const m of EXPECT[figure].marks) assert.match(svg, new RegExp(m), `${kind}: ${m}`);
      assert.ok(svg.includes(EXPECT[figure].text), `${kind}: ${EXPECT[figure].text}`);
      await page.screenshot({ path: join(SHOTS, `run-${kind}.png`) });
      assert.deepEqual(errors, []);
      await page.close();
    }
  });
});
