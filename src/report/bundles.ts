/**
 * The browser bundles of vega and vega-lite, read from node_modules so the static report can
 * inline them and render its figures live offline. (vega-embed is not a dependency; the report
 * drives vega's own View, which is all vega-embed adds besides its action menu.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RnnlensError } from '../core/errors.js';

const FILES = {
  vega: join('vega', 'build', 'vega.min.js'),
  'vega-lite': join('vega-lite', 'build', 'vega-lite.min.js'),
} as const;

export type BundleName = keyof typeof FILES;

const cache = new Map<BundleName, string>();

/** Walks up from this file to the nearest node_modules holding the bundle (works from src/ and dist/). */
function locate(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'node_modules', rel);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir)
      throw new RnnlensError(
        `report: cannot find node_modules/${rel}; is the package installed (npm install)?`,
      );
    dir = up;
  }
}

/** The minified UMD bundle, safe to place inside a <script> element. */
export function readBundle(name: BundleName): string {
  let text = cache.get(name);
  if (text === undefined) {
    // '</script' inside the code would end the inline element early; '<\/script' means the same in JS strings
    text = readFileSync(locate(FILES[name]), 'utf8').replace(/<\/script/gi, '<\\/script');
    cache.set(name, text);
  }
  return text;
}
