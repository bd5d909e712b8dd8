/** Writes every figure of some runs as SVG and PNG files into a folder (`rnnlens report --figures-dir`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressCallback } from '../core/progress.js';
import type { RunStore } from '../runs/store.js';
import { renderPng, renderSvg } from './render.js';
import { figuresForRun } from './run-figures.js';

/** Returns the paths written: `<dir>/<run>--<figure key>.svg` and `.png` for each figure. */
export async function exportFigures(
  runIds: string[],
  store: RunStore,
  dir: string,
  onProgress?: ProgressCallback,
): Promise<string[]> {
  const all = runIds.flatMap((id) => figuresForRun(store, id).map((f) => ({ id, f })));
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  let done = 0;
  for (const { id, f } of all) {
    // keys are artifact names ([A-Za-z0-9_.-]) or 'metrics', so they are safe in a file name
    const base = join(dir, `${id}--${f.key.replace(/\.json$/, '')}`);
    const svg = await renderSvg(f.spec);
    writeFileSync(base + '.svg', svg);
    writeFileSync(base + '.png', renderPng(svg));
    written.push(base + '.svg', base + '.png');
    onProgress?.({ task: 'figures', done: ++done, total: all.length, message: f.title });
  }
  return written;
}
