// The result-first pages of certify, evaluate, cv, compare, verify and explain-bench runs, in
// Chromium, on real runs the CLI makes into a temporary store (scripts/demo-runs.mjs, tiny
// settings). Each page opens on its result (the kind's table within the first screen, before the
// record of the run), draws its vega figures, shows only the tabs with data, logs no console
// errors, and a row picked in its table is highlighted in its figures (and back). The numbers in
// the tables are those of the run's own artifact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { fmt } from '../../web/src/format.js';
import {
  browserSkip,
  buildDashboard,
  figuresRendered,
  launchChromium,
  openPage,
  signalOf,
} from './browser.js';

const skip = browserSkip('run kinds');

/** The box of an SVG mark (getBBox in the page). */
interface DOMRectLike {
  width: number;
  height: number;
}

/** The runs scripts/demo-runs.mjs makes. */
interface DemoRuns {
  train: string;
  certify: string;
  evaluate: string;
  verifyGradients: string;
  verifyDataset: string;
  cv: string;
  compare: string;
  bench: string;
  extract: string;
  dynamics: string;
  intervene: string;
}

let dir: string;
let store: RunStore;
let server: RunningServer;
let browser: Browser;
let runs: DemoRuns;

const cells = (page: Page, row: string): Promise<string[]> =>
  page.$$eval(`${row} td`, (tds) => tds.map((t) => (t.textContent ?? '').trim()));
/** The interval text of an estimate as the pages print it. */
const interval = (v: number, ci: [number, number]): string =>
  `${fmt(v)} [${fmt(ci[0])}, ${fmt(ci[1])}]`;

/** Opens a run and checks what every result page has; returns the page to go on with. */
async function openResult(
  id: string,
  kind: string,
  tabs: string[],
): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, `${server.url}?run=${id}`);
  const { page } = opened;
  const result = page.locator(`.kind-result[data-result="${kind}"] table.result-table`).first();
  await result.waitFor();
  // opens on its result: the table within the first screen, the record of the run below it
  const box = (await result.boundingBox())!;
  assert.ok(
    box.y < 860 && box.y + 20 < 860,
    `${kind}: the result table starts at y = ${box.y}, below the first screen`,
  );
  const order = await page.$$eval('.kind-result, table.summary', (els) =>
    els.map((e) => e.className.split(' ')[0]),
  );
  assert.deepEqual(order, ['kind-result', 'summary'], `${kind}: result before the record`);
  assert.deepEqual(
    await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-tab'))),
    tabs,
    `${kind}: only tabs with data`,
  );
  return opened;
}

/** Clicks a table row and waits until figure `key` highlights `value` (the vega signal and attribute). */
async function rowSelects(page: Page, row: string, key: string, value: string): Promise<void> {
  await page.click(row);
  await page.waitForFunction(
    `document.querySelector('figure.figure[data-key="${key}"]')?.getAttribute('data-sel-seq') === ${JSON.stringify(value)}`,
  );
  assert.equal(await signalOf(page, key, 'rnnlens_seq'), value);
  assert.match((await page.locator(row).getAttribute('class')) ?? '', /selected/);
  // marks of the other rows fade
  const faded = await page.$$eval(
    `figure.figure[data-key="${key}"] svg path[opacity="0.15"]`,
    (ps) => ps.length,
  );
  assert.ok(faded > 0, `${key}: marks of other rows fade`);
}

describe('result pages of real runs of every analysis kind', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-e2e-kinds-'));
    // @ts-expect-error: a plain .mjs script without type declarations
    const { makeDemoRuns } = (await import('../../scripts/demo-runs.mjs')) as {
      makeDemoRuns: (d: string) => Promise<DemoRuns>;
    };
    const [webDir, made] = await Promise.all([
      buildDashboard(join(dir, 'web')),
      makeDemoRuns(join(dir, 'runs')),
    ]);
    runs = made;
    store = RunStore.open(join(dir, 'runs'));
    server = await startServer({ store, port: 0, webDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('train: key metrics and the curves of every recorded metric first, the tabs of its data', async () => {
    const { page, errors } = await openPage(browser, `${server.url}?run=${runs.train}`);
    await page.waitForSelector('.result[data-kind="train"] .curves');
    const run = store.get(runs.train);
    assert.equal(
      await page.locator('dl.key-metrics [data-metric="test_accuracy"] dd').innerText(),
      fmt(run.metrics.test_accuracy),
    );
    assert.deepEqual(
      await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-tab'))),
      ['overview', 'training', 'distributions', 'model', 'artifacts'],
    );
    // one chart per metric of the run's series (step_loss, train_loss, val_loss: one 'loss' chart)
    const series = store.series(runs.train);
    const metrics = [...new Set(series.map((p) => p.name.replace(/^(step|train|val)_/, '')))];
    await figuresRendered(page, metrics.length, true);
    const keys = await page.$$eval('.curves figure.figure', (fs) =>
      fs.map((f) => f.getAttribute('data-key')),
    );
    assert.deepEqual(keys.sort(), metrics.map((m) => `curves:${m}`).sort());
    // the loss chart holds every recorded optimiser step
    const perStep = (await page.evaluate(
      `window.__rnnlensViews['curves:loss'].data('source_0').filter((d) => d.series === 'train (per step)').length`,
    )) as number;
    assert.equal(perStep, series.filter((p) => p.name === 'step_loss').length);
    assert.ok(perStep > 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('certify: per input certified or not, radius, attack radius and every class interval; a row and its bar select each other', async () => {
    const { page, errors } = await openResult(runs.certify, 'certify', [
      'overview',
      'figures',
      'artifacts',
    ]);
    const c = store.readJson(runs.certify, 'certificates.json') as {
      results: {
        prediction: number;
        lower: number[];
        upper: number[];
        certified: boolean;
        radius: number;
        attackRadius: number | null;
      }[];
      classNames: string[];
    };
    assert.equal(await page.locator('table.certificates tbody tr').count(), c.results.length);
    const head = await page.$$eval('table.certificates th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(
      head.slice(-2),
      c.classNames.map((n) => `${n} [lower, upper]`),
    );
    for (const [i, r] of c.results.entries()) {
      const row = await cells(page, `table.certificates tr[data-item="${i}"]`);
      assert.equal(row[3], r.certified ? 'certified' : 'not certified');
      assert.equal(row[4], fmt(r.radius));
      assert.equal(row[5], r.attackRadius === null ? 'none found' : fmt(r.attackRadius));
      // the attack's radius bounds the certified one from above
      if (r.attackRadius !== null)
        assert.ok(
          r.attackRadius >= r.radius,
          `input ${i}: attack ${r.attackRadius} < certified ${r.radius}`,
        );
      assert.deepEqual(
        row.slice(6),
        r.lower.map((lo, k) => `[${fmt(lo)}, ${fmt(r.upper[k])}]`),
      );
      r.lower.forEach((lo, k) => assert.ok(lo <= r.upper[k]!));
    }
    await figuresRendered(page, 1 + c.results.length); // the radii and one interval figure per input
    // a bar per input, as tall as its radius is large
    const heights = await page.$$eval(
      'figure[data-key="result:radius"] .mark-rect.role-mark path[aria-roledescription="bar"]',
      (ps) => ps.map((p) => (p as unknown as { getBBox(): DOMRectLike }).getBBox().height),
    );
    assert.equal(heights.length, c.results.length);
    c.results.forEach((r, i) =>
      assert.ok(r.radius === 0 || heights[i]! > 0, `input ${i}: bar of height ${heights[i]}`),
    );
    await rowSelects(page, 'table.certificates tr[data-item="2"]', 'result:radius', '2');
    // a bar selects its input's row
    await page
      .locator('figure[data-key="result:radius"] .mark-rect path')
      .nth(1)
      .click({ force: true });
    await page.waitForSelector('table.certificates tr[data-item="1"].selected');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('evaluate: metrics with intervals beside the baseline, the paired comparison, calibration and confusion matrix', async () => {
    const { page, errors } = await openResult(runs.evaluate, 'evaluate', ['overview', 'artifacts']);
    const e = store.readJson(runs.evaluate, 'evaluate.json') as {
      scores: {
        n: number;
        metrics: Record<string, { value: number; ci: [number, number] }>;
        calibration: { ece: number; mce: number; table: { count: number }[] };
      };
      baselines: {
        name: string;
        scores: { metrics: Record<string, { value: number; ci: [number, number] }> };
        comparison: {
          difference: { value: number; ci: [number, number] };
          mcnemar: { b: number; c: number; pvalue: number };
        };
      }[];
    };
    const majority = e.baselines[0]!;
    assert.equal(majority.name, 'majority');
    for (const [m, v] of Object.entries(e.scores.metrics)) {
      const row = await cells(page, `table.metric-intervals tr[data-metric="${m}"]`);
      assert.deepEqual(row, [
        m,
        interval(v.value, v.ci),
        interval(majority.scores.metrics[m]!.value, majority.scores.metrics[m]!.ci),
      ]);
    }
    const cmp = await cells(page, 'table.baseline-comparison tr[data-baseline="majority"]');
    assert.equal(
      cmp[2],
      interval(majority.comparison.difference.value, majority.comparison.difference.ci),
    );
    assert.equal(cmp[3], `${majority.comparison.mcnemar.b} / ${majority.comparison.mcnemar.c}`);
    assert.equal(cmp[5], fmt(majority.comparison.mcnemar.pvalue));
    assert.match(
      await page.locator('.calibration-summary').innerText(),
      new RegExp(`ECE ${fmt(e.scores.calibration.ece)}, MCE ${fmt(e.scores.calibration.mce)}`),
    );
    await figuresRendered(page, 3, true); // intervals, calibration, confusion matrix
    // the reliability diagram: a point per bin holding items
    assert.equal(
      await page
        .locator('figure[data-key="result:calibration"] .mark-symbol.role-mark path')
        .count(),
      e.scores.calibration.table.filter((b) => b.count > 0).length,
    );
    const counts = (await page.evaluate(
      `window.__rnnlensViews['result:confusion'].data('source_0').map((d) => d.count)`,
    )) as number[];
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      e.scores.n,
      'the confusion matrix counts every item',
    );
    await rowSelects(
      page,
      'table.metric-intervals tr[data-metric="accuracy"]',
      'result:intervals',
      'accuracy',
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  /** cv and compare: fold table, intervals, curves; a fold row highlights its curves and narrows the confusion matrix. */
  async function foldsPage(
    page: Page,
    id: string,
    artifact: string,
    foldMetrics: (f: Record<string, unknown>) => Record<string, number>,
  ): Promise<void> {
    const j = store.readJson(id, artifact) as {
      folds: ({ test: number[] } & Record<string, unknown>)[];
    };
    assert.equal(await page.locator('table.folds tbody tr').count(), 3);
    for (const [i, f] of j.folds.entries()) {
      const row = await cells(page, `table.folds tr[data-fold="${i + 1}"]`);
      assert.equal(row[1], String(f.test.length));
      assert.equal(row[2], fmt(foldMetrics(f).accuracy));
    }
    await figuresRendered(page, 5, true); // per fold, intervals, confusion matrix, ROC, PR
    // the ROC legend's areas per fold are the folds' own rocAuc
    const roc = await page.locator('figure[data-key="result:roc"] svg').innerHTML();
    for (const [i, f] of j.folds.entries())
      assert.ok(
        roc.includes(`fold ${i + 1} (AUC ${foldMetrics(f).rocAuc!.toFixed(3)})`),
        `fold ${i + 1} AUC in ${roc.slice(0, 200)}`,
      );
    const total = async (): Promise<number> =>
      (
        (await page.evaluate(
          `window.__rnnlensViews['result:confusion'].data('source_0').map((d) => d.count)`,
        )) as number[]
      ).reduce((a, b) => a + b, 0);
    assert.equal(
      await total(),
      j.folds.reduce((a, f) => a + f.test.length, 0),
    );
    await rowSelects(page, 'table.folds tr[data-fold="2"]', 'result:per-fold', '2');
    for (const key of ['result:roc', 'result:pr'])
      assert.equal(
        await page.locator(`figure[data-key="${key}"]`).getAttribute('data-sel-seq'),
        '2',
      );
    await page.waitForFunction(
      `document.querySelector('figure[data-key="result:confusion"] svg')?.innerHTML.includes('fold 2')`,
    );
    await figuresRendered(page, 5, true);
    assert.equal(await total(), j.folds[1]!.test.length, "the confusion matrix of fold 2's items");
  }

  it('cv: per-fold table, means with intervals, confusion matrix, ROC and PR; a fold row highlights that fold', async () => {
    const { page, errors } = await openResult(runs.cv, 'cv', [
      'overview',
      'training',
      'model',
      'artifacts',
    ]);
    const j = store.readJson(runs.cv, 'cv.json') as {
      summary: Record<string, { mean: number; sd: number; ci: [number, number] }>;
    };
    const acc = j.summary.accuracy!;
    assert.deepEqual(await cells(page, 'table.summary-intervals tr[data-metric="accuracy"]'), [
      'accuracy',
      `${fmt(acc.mean)} ± ${fmt(acc.sd)}  [${fmt(acc.ci[0])}, ${fmt(acc.ci[1])}]`,
    ]);
    await foldsPage(page, runs.cv, 'cv.json', (f) => f.metrics as Record<string, number>);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('compare: per-fold table of the RNN and its contenders, the paired tests, intervals and curves', async () => {
    const { page, errors } = await openResult(runs.compare, 'compare', [
      'overview',
      'model',
      'artifacts',
    ]);
    const j = store.readJson(runs.compare, 'compare.json') as {
      comparisons: {
        against: string;
        meanDifference: number;
        ci: [number, number];
        statistic: number;
        df: number;
        pvalue: number;
        significant: boolean;
      }[];
    };
    assert.deepEqual(
      j.comparisons.map((c) => c.against),
      ['random-forest', 'majority'],
    );
    for (const c of j.comparisons) {
      const row = await cells(page, `table.test-statistics tr[data-against="${c.against}"]`);
      assert.deepEqual(row.slice(1, 6), [
        interval(c.meanDifference, c.ci),
        'nadeau-bengio-t',
        fmt(c.statistic),
        fmt(c.df),
        fmt(c.pvalue),
      ]);
      assert.match(row[7]!, c.significant ? /significantly/ : /no significant difference/);
    }
    assert.ok(
      (await page.$$eval('table.folds th', (t) => t.map((x) => x.textContent))).includes(
        'random-forest accuracy',
      ),
    );
    await foldsPage(page, runs.compare, 'compare.json', (f) => f.rnn as Record<string, number>);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('verify gradients: every tensor checked against the threshold; a tensor row highlights its bar', async () => {
    const { page, errors } = await openResult(runs.verifyGradients, 'verify', [
      'overview',
      'artifacts',
    ]);
    const v = store.readJson(runs.verifyGradients, 'verify.json') as {
      passed: boolean;
      tensors: { name: string; worstError: number; passed: boolean }[];
    };
    assert.match(await page.locator('.verify-verdict').innerText(), v.passed ? /passed/ : /failed/);
    assert.equal(await page.locator('table.checks tbody tr').count(), v.tensors.length);
    for (const t of v.tensors) {
      const row = await cells(page, `table.checks tr[data-check="${t.name}"]`);
      assert.equal(row[3], fmt(t.worstError));
      assert.equal(row[6], t.passed ? 'passed' : 'failed');
    }
    await figuresRendered(page, 1, true);
    // every tensor's bar is drawn on the log axis, and the threshold's rule
    const widths = await page.$$eval(
      'figure[data-key="result:checks"] .mark-rect.role-mark path[aria-roledescription="bar"]',
      (ps) => ps.map((p) => (p as unknown as { getBBox(): DOMRectLike }).getBBox().width),
    );
    assert.equal(widths.length, v.tensors.length);
    assert.ok(
      widths.every((w) => w > 1),
      `bar widths ${widths}`,
    );
    assert.equal(
      await page.locator('figure[data-key="result:checks"] .mark-rule.role-mark line').count(),
      1,
    );
    await rowSelects(
      page,
      `table.checks tr[data-check="${v.tensors[1]!.name}"]`,
      'result:checks',
      v.tensors[1]!.name,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('verify dataset: each metric with its bootstrap interval', async () => {
    const { page, errors } = await openResult(runs.verifyDataset, 'verify', [
      'overview',
      'artifacts',
    ]);
    const v = store.readJson(runs.verifyDataset, 'verify.json') as {
      dataset: string;
      intervals: Record<string, { estimate: number; low: number; high: number }>;
    };
    const row = await cells(page, `table.metric-intervals tr[data-row="${v.dataset}"]`);
    assert.deepEqual(row, [
      v.dataset,
      ...Object.values(v.intervals).map((i) => interval(i.estimate, [i.low, i.high])),
    ]);
    await figuresRendered(page, 1, true);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('explain-bench: the scorecard with the best AUPR marked; a method row highlights its point', async () => {
    const { page, errors } = await openResult(runs.bench, 'explain-bench', [
      'overview',
      'figures',
      'artifacts',
    ]);
    const b = store.readJson(runs.bench, 'results.json') as {
      results: { method: string; aupr: number; deletionAuc: number }[];
    };
    assert.deepEqual(
      await page.$$eval('table.scorecard tbody tr', (rs) =>
        rs.map((r) => r.getAttribute('data-method')),
      ),
      b.results.map((r) => r.method),
    );
    const best = b.results.reduce((a, r) => (r.aupr > a.aupr ? r : a));
    assert.equal(await page.locator('table.scorecard td.best').count(), 1);
    assert.equal(
      await page.locator(`table.scorecard tr[data-method="${best.method}"] td.best`).innerText(),
      fmt(best.aupr),
    );
    await figuresRendered(page, 3, true); // the scorecard, and the run's AUPR and deletion figures
    await rowSelects(
      page,
      'table.scorecard tr[data-method="saliency"]',
      'result:scorecard',
      'saliency',
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  for (const [kind, figure] of [
    ['extract', 'fig-dfa.json'],
    ['dynamics', 'fig-fixed-points.json'],
    ['intervene', 'fig-intervention.json'],
  ] as const)
    it(`${kind}: the run's metrics and its figure first`, async () => {
      const id = runs[kind];
      const { page, errors } = await openPage(browser, `${server.url}?run=${id}`);
      await page.waitForSelector(`.result[data-kind="${kind}"] figure[data-key="${figure}"]`);
      assert.deepEqual(
        await page.$$eval('nav.tabs a', (as) => as.map((a) => a.getAttribute('data-tab'))),
        ['overview', 'figures', 'artifacts'],
      );
      // the key metrics are the run's own
      const run = store.get(id);
      const shown = await page.$$eval('dl.key-metrics > div', (ds) =>
        ds.map((d) => [d.getAttribute('data-metric'), d.querySelector('dd')?.textContent ?? '']),
      );
      assert.ok(shown.length > 0, `${kind}: key metrics`);
      for (const [k, v] of shown) assert.equal(v, fmt(run.metrics[k!]), `${kind}: ${k}`);
      await figuresRendered(page, 1, true);
      const order = await page.$$eval('.result, table.summary', (els) =>
        els.map((e) => e.className.split(' ')[0]),
      );
      assert.deepEqual(order, ['result', 'summary'], `${kind}: result before the record`);
      assert.deepEqual(errors, []);
      await page.close();
    });
});
