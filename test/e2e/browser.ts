// The browser harness of the end-to-end tests: Debian's Chromium (never downloaded) launched
// headless with the project's flags, the dashboard built with Vite into a temporary folder, pages
// that collect console errors and uncaught exceptions, and waits for drawn vega figures.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

// RNNLENS_CHROMIUM points at another Chromium binary (never downloaded by the tests)
export const CHROMIUM = process.env.RNNLENS_CHROMIUM ?? '/usr/bin/chromium';

/** false, or why the browser tests are skipped. */
export function browserSkip(name: string): false | string {
  if (existsSync(CHROMIUM)) return false;
  const why = `SKIPPED: no browser at ${CHROMIUM} (install Debian's chromium: apt-get install chromium) - the ${name} browser tests did not run`;
  process.stderr.write(`\n*** e2e ${why} ***\n\n`);
  return why;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The dashboard built into `outDir`; returns the folder to serve. */
export async function buildDashboard(outDir: string): Promise<string> {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildWeb } = (await import('../../scripts/build-web.mjs')) as { buildWeb: (o: { outDir: string }) => Promise<string> };
  return buildWeb({ outDir });
}

/** A page at `url` that records console errors and uncaught exceptions. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number } = { width: 1280, height: 860 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits until at least `expected` figures are drawn, each an SVG with vega marks; with `exact`,
 * the page holds exactly `expected` figures and every one of them is drawn.
 */
export async function figuresRendered(page: Page, expected: number, exact = false): Promise<void> {
  await page.waitForFunction(
    `document.querySelectorAll('figure.figure[data-rendered="true"]').length >= ${expected}`,
    undefined,
    { timeout: 20000 },
  );
  const counts = await page.$$eval(exact ? 'figure.figure' : 'figure.figure[data-rendered="true"]', (figs) =>
    figs.map(
      (f) =>
        f.querySelectorAll('svg .mark-rect, svg .mark-symbol, svg .mark-line, svg .mark-text, svg .mark-rule')
          .length,
    ),
  );
  if (exact) assert.equal(counts.length, expected, `${counts.length} figures on the page, expected ${expected}`);
  else assert.ok(counts.length >= expected, `${counts.length} figures drawn, expected ${expected}`);
  assert.ok(
    counts.every((c) => c > 0),
    `every figure has vega marks: ${counts}`,
  );
}

export const param = (page: Page, key: string): string | null => new URL(page.url()).searchParams.get(key);

/** The value of a linked-selection signal in a mounted figure's vega view. */
export function signalOf(page: Page, figureKey: string, signal: string): Promise<unknown> {
  return page.evaluate(
    ([k, s]) => {
      const views = (globalThis as unknown as { __rnnlensViews?: Record<string, { signal(n: string): unknown }> })
        .__rnnlensViews;
      return views?.[k!]?.signal(s!) ?? null;
    },
    [figureKey, signal],
  );
}
