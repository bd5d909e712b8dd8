/**
 * Writes an internals analysis to a folder: `summary.json` (the `--json` summary),
 * `internals.json` (everything), `explorer.json` (the unit explorer's data), `structure.svg`, and every figure as `<name>.json` (its data),
 * `<name>.svg` and `<name>.png`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnlensError } from '../../core/errors.js';
import type { ProgressCallback } from '../../core/progress.js';
import { buildFigure } from '../../report/figures/index.js';
import { renderPng, renderSvg } from '../../report/render.js';
import { internalsSummary, type InternalsResult } from './analyse.js';

export async function writeInternals(
  r: InternalsResult,
  dir: string,
  opts: { png?: boolean; onProgress?: ProgressCallback } = {},
): Promise<string[]> {
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array): void => {
    const path = join(dir, name);
    try {
      writeFileSync(path, data);
    } catch (e) {
      throw new RnnlensError(`internals: cannot write ${path}: ${(e as Error).message}`);
    }
    files.push(path);
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RnnlensError(`internals: cannot create the folder ${dir}: ${(e as Error).message}`);
  }
  put('summary.json', JSON.stringify(internalsSummary(r), null, 1));
  const { structureSvg, figures, explorer, ...rest } = r;
  put(
    'internals.json',
    JSON.stringify({ ...rest, figures: figures.map((f) => ({ name: f.name, kind: f.kind })) }),
  );
  if (explorer) put('explorer.json', JSON.stringify(explorer));
  put('structure.svg', structureSvg);
  if (opts.png ?? true) put('structure.png', renderPng(structureSvg));
  for (let i = 0; i < figures.length; i++) {
    const f = figures[i]!;
    put(`${f.name}.json`, JSON.stringify({ figure: f.kind, data: f.data }));
    const svg = await renderSvg(buildFigure(f.kind, f.data));
    put(`${f.name}.svg`, svg);
    if (opts.png ?? true) put(`${f.name}.png`, renderPng(svg));
    opts.onProgress?.({ task: 'figures', done: i + 1, total: figures.length });
  }
  return files;
}
