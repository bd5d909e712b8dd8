// The browser harness of the end-to-end tests: Debian's Chromium (never downloaded) launched
// headless with the project's flags, the dashboard built with Vite into a temporary folder, and
// pages that collect console errors and uncaught exceptions.
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
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, errors };
}
