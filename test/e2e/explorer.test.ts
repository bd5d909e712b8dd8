// The unit explorer end to end on a real internals run: a bracket LSTM trained for one epoch and
// analysed by `rnnlens internals` into a temporary run store, served, and driven in Chromium.
// Tokens and heatmap are drawn, a hovered step shows its state vector (the values of the run's
// explorer.json), a dragged range and a threshold list the units of the LSTMVis rule and the
// ranked match view, and a unit picked there is highlighted in the explorer and other figures.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { runCli } from '../../src/cli/main.js';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { decodeState, rankMatches, selectUnits, type StateMatrix } from '../../web/src/explorer-match.js';
import { browserSkip, figuresRendered, launchChromium, openPage, param, signalOf } from './browser.js';

const skip = browserSkip('explorer');

/** The part of explorer.json this test reads. */
interface ExplorerArtifact {
  layers: { key: string; units: number; fields: { name: string; width: number; lo: number; hi: number }[] }[];
  sequences: { id: string; tokens: string[]; values: Record<string, string> }[];
}

/** Runs the CLI in this process and returns what it printed (the --json line). */
async function cli(args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const write = process.stdout.write;
  const werr = process.stderr.write;
  // the CLI writes strings; the test runner's own (binary) messages pass through
  const capture = (stream: NodeJS.WriteStream, orig: typeof write, keep: boolean) =>
    ((c: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof c !== 'string') return (orig as (...a: unknown[]) => boolean).call(stream, c, ...rest);
      if (keep) out.push(c);
      return true;
    }) as typeof write;
  process.stdout.write = capture(process.stdout, write, true);
  process.stderr.write = capture(process.stderr, werr, false);
  let code: number;
  try {
    code = await runCli(args);
  } finally {
    process.stdout.write = write;
    process.stderr.write = werr;
  }
  assert.equal(code, 0, `rnnlens ${args.join(' ')} failed: ${out.join('')}`);
  return JSON.parse(out.join('').trim().split('\n').pop()!) as Record<string, unknown>;
}

let dir: string;
let store: RunStore;
let server: RunningServer;
let browser: Browser;
let internalsRun: string;
let artifact: ExplorerArtifact;

describe('unit explorer in Chromium', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-explorer-'));
    const runs = join(dir, 'runs');
    const trained = await cli(['train', '--recipe', 'brackets', '--epochs', '1', '--runs-dir', runs, '--json']);
    const analysed = await cli([
      'internals',
      '--model',
      String(trained.model),
      '--runs-dir',
      runs,
      '--out',
      join(dir, 'internals'),
      '--sequences',
      '30',
      '--permutations',
      '9',
      '--projections',
      'pca',
      '--no-png',
      '--json',
      '--quiet',
    ]);
    internalsRun = String(analysed.run);
    // @ts-expect-error: a plain .mjs build script without type declarations
    const { buildWeb } = (await import('../../scripts/build-web.mjs')) as {
      buildWeb: (o: { outDir: string }) => Promise<string>;
    };
    const webDir = await buildWeb({ outDir: join(dir, 'web') });
    store = RunStore.open(runs);
    artifact = JSON.parse(readFileSync(join(store.runDir(internalsRun), 'explorer.json'), 'utf8')) as ExplorerArtifact;
    server = await startServer({ store, port: 0, webDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tokens, heatmap, state vector, LSTMVis selection, match view and linked unit and sequence', async () => {
    const layer = artifact.layers[0]!;
    const field = layer.fields.find((f) => f.name === 'h')!;
    const corpus: StateMatrix[] = artifact.sequences.map((s) => {
      const data = decodeState(s.values[`${layer.key}:h`]!, field.lo, field.hi);
      return { data, steps: data.length / field.width, width: field.width };
    });
    const first = artifact.sequences[0]!;
    assert.equal(artifact.sequences.length, 30);
    assert.deepEqual(layer.fields.map((f) => f.name), ['h', 'c', 'gates']);

    const { page, errors } = await openPage(browser, `${server.url}?run=${internalsRun}`);
    await page.waitForSelector('.unit-explorer svg.explorer-heatmap');
    // the first sequence's tokens as text over a units × steps heatmap
    assert.equal(await page.getAttribute('.unit-explorer', 'data-seq'), first.id);
    const shown = await page.$$eval('.explorer-tokens span[data-step]', (s) => s.map((x) => x.textContent));
    assert.deepEqual(shown, first.tokens.map((t) => (t === ' ' ? '·' : t)));
    assert.equal(await page.locator('svg.explorer-heatmap g.explorer-row').count(), layer.units);
    assert.equal(await page.locator('svg.explorer-heatmap g.explorer-row rect.explorer-cell').count(), layer.units * first.tokens.length);

    // hovering a token shows that step's state vector: the artifact's values
    await page.hover('.explorer-tokens span[data-step="5"]');
    await page.waitForSelector('.explorer-vector[data-step="5"]');
    const bars = await page.$$eval('.explorer-vector rect[data-col]', (r) => r.map((x) => x.getAttribute('data-value')));
    const m0 = corpus[0]!;
    assert.deepEqual(
      bars,
      Array.from({ length: layer.units }, (_, u) => m0.data[5 * m0.width + u]!.toFixed(3)),
    );

    // a threshold from the slider (one step up from 0.3), then a range where some units follow the rule
    await page.focus('input[aria-label="explorer threshold"]');
    await page.keyboard.press('ArrowRight');
    const threshold = Number(await page.inputValue('input[aria-label="explorer threshold"]'));
    assert.ok(threshold > 0.3 && threshold < 0.35, `threshold ${threshold}`);
    let range: { start: number; end: number; units: number[] } | null = null;
    for (let len = 1; len <= 4 && !range; len++)
      for (let s = 0; s + len <= m0.steps && !range; s++) {
        const units = selectUnits(m0, s, s + len, threshold);
        if (units.length > 0) range = { start: s, end: s + len, units };
      }
    assert.ok(range, 'the first sequence has a step range with units on inside and off around it');
    // brush: drag over the range's columns of the heatmap
    const box = (await page.locator('svg.explorer-heatmap').boundingBox())!;
    const cw = (box.width - 44) / m0.steps;
    const x = (t: number): number => box.x + 44 + (t + 0.5) * cw;
    await page.mouse.move(x(range.start), box.y + 4);
    await page.mouse.down();
    await page.mouse.move(x(range.end - 1), box.y + 6, { steps: 3 });
    await page.mouse.up();
    const selection = page.locator('.explorer-selection');
    await selection.waitFor();
    assert.equal(await selection.getAttribute('data-start'), String(range.start));
    assert.equal(await selection.getAttribute('data-end'), String(range.end));
    assert.equal(await selection.getAttribute('data-units'), range.units.join(','));
    assert.equal(param(page, 'unit'), null, 'brushing selects no unit');
    assert.deepEqual(
      await page.$$eval('.explorer-units button', (b) => b.map((x) => Number(x.getAttribute('data-col')))),
      range.units,
    );

    // the match view: the corpus ranked by steps where all those units are on, matching steps marked
    const expected = rankMatches(corpus, range.units, threshold);
    assert.ok(expected.length > 0);
    const items = page.locator('.explorer-matches li');
    assert.equal(await items.count(), Math.min(15, expected.length));
    const ids = await page.$$eval('.explorer-matches li', (l) => l.map((x) => x.getAttribute('data-seq')));
    assert.deepEqual(ids, expected.slice(0, 15).map((e) => artifact.sequences[e.index]!.id));
    assert.equal(await items.first().locator('span.match').count(), expected[0]!.count);

    // RNNLENS_SCREENSHOTS=docs/screenshots refreshes the picture in docs/dashboard.md
    if (process.env.RNNLENS_SCREENSHOTS)
      await page.locator('.unit-explorer').screenshot({ path: join(process.env.RNNLENS_SCREENSHOTS, 'explorer.png') });

    // a unit picked in the explorer is the linked selection: highlighted in the explorer's heatmap
    // and in the co-clustering figure on the page
    const unit = String(range.units[0]! % layer.units);
    await page.click(`.explorer-units button[data-col="${range.units[0]}"]`);
    assert.equal(param(page, 'unit'), unit);
    assert.equal(await page.getAttribute('svg.explorer-heatmap', 'data-sel-unit'), unit);
    assert.deepEqual(
      await page.$$eval('svg.explorer-heatmap g.explorer-row[data-highlight="true"]', (g) => g.map((x) => x.getAttribute('data-unit'))),
      [unit],
    );
    // a row label of the heatmap selects its unit too
    await page.click('svg.explorer-heatmap g.explorer-row[data-col="1"] rect.explorer-row-label');
    assert.equal(param(page, 'unit'), '1');
    await page.click(`.explorer-units button[data-col="${range.units[0]}"]`);
    assert.equal(param(page, 'unit'), unit);
    const cocluster = 'fig-coclustering-lstm-forward.json';
    await figuresRendered(page, 1);
    await page.waitForSelector(`figure[data-key="${cocluster}"][data-sel-unit="${unit}"]`);
    await page.waitForFunction(
      ([k, u]) => (globalThis as unknown as { __rnnlensViews?: Record<string, { signal(n: string): unknown }> }).__rnnlensViews?.[k!]?.signal('rnnlens_unit') === u,
      [cocluster, unit],
    );

    // picking a matching sequence shows it in the explorer and selects it everywhere
    const other = expected.find((e) => e.index !== 0);
    if (other) {
      const id = artifact.sequences[other.index]!.id;
      await page.click(`.explorer-matches li[data-seq="${id}"]`);
      assert.equal(param(page, 'seq'), id);
      await page.waitForSelector(`.unit-explorer[data-seq="${id}"]`);
    }

    // the gates of the LSTM: one row per gate and unit, the selected unit outlined in each gate
    await page.selectOption('select[aria-label="explorer state"]', 'gates');
    await page.waitForSelector('.unit-explorer[data-field="gates"]');
    assert.equal(await page.locator('svg.explorer-heatmap g.explorer-row').count(), 4 * layer.units);
    assert.equal(await page.locator('svg.explorer-heatmap g.explorer-row[data-highlight="true"]').count(), 4);

    // the figures tab: the same unit highlighted in the saturation scatter and the unit strips
    await page.click('a[data-tab="figures"]');
    await figuresRendered(page, 10);
    const saturation = 'fig-saturation-lstm-forward.json';
    await page.waitForSelector(`figure[data-key="${saturation}"][data-sel-unit="${unit}"]`);
    assert.equal(await signalOf(page, saturation, 'rnnlens_unit'), unit);
    const strips = await page.$$eval('figure[data-key^="fig-unit-"]', (f) => f.map((x) => x.getAttribute('data-sel-unit')));
    assert.ok(strips.length > 0 && strips.every((u) => u === unit), `unit strips: ${strips}`);
    if (other) {
      const projection = 'fig-projection-pca-lstm-forward.json';
      assert.equal(await signalOf(page, projection, 'rnnlens_seq'), artifact.sequences[other.index]!.id);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
