/**
 * Plain outputs of the explanation checks: the benchmark's markdown tables, its method × dataset
 * figure, one figure per explained sequence (a steps × features heatmap for numeric series,
 * tokens coloured by attribution for text), and writing figures as SVG and PNG.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnlensError } from '../../core/errors.js';
import type { AttributionMap } from '../../explain/types.js';
import { buildFigure } from '../../report/figures/index.js';
import type { HeatmapData, TokenAttributionData } from '../../report/figures/index.js';
import { renderPng, renderSvg } from '../../report/render.js';
import type { BenchmarkResult, BenchmarkRow } from './benchmark.js';

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const short = (d: string): string => d.replace(/^ismail-/, '').replace(/-gaussian$/, '');

function methodsAndDatasets(r: BenchmarkResult): { methods: string[]; datasets: string[] } {
  const datasets = [...new Set(r.results.map((x) => x.dataset))];
  const methods = [...new Set(r.results.map((x) => x.method))];
  return { methods, datasets };
}

/** Markdown: one row per method, one column per dataset, cells = `metric`. */
export function benchmarkMatrix(r: BenchmarkResult, metric: keyof BenchmarkRow = 'aupr'): string {
  const { methods, datasets } = methodsAndDatasets(r);
  const cell = (m: string, d: string): string => {
    const row = r.results.find((x) => x.method === m && x.dataset === d);
    return row ? fmt(row[metric] as number) : '';
  };
  const lines = [
    `| method | ${datasets.map(short).join(' | ')} |`,
    `|---|${datasets.map(() => '---:').join('|')}|`,
    ...methods.map((m) => `| ${m} | ${datasets.map((d) => cell(m, d)).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Markdown: every row with every metric. */
export function benchmarkTable(r: BenchmarkResult): string {
  const head = [
    'dataset',
    'method',
    'AUP',
    'AUR',
    'AUPR',
    'AUPR (steps)',
    'deletion AUC',
    'random deletion AUC',
    'acc. drop @20%',
    'sanity ρ',
    'data sanity ρ',
    'seconds',
  ];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
  ];
  for (const x of r.results)
    lines.push(
      `| ${short(x.dataset)} | ${x.method} | ${[x.aup, x.aur, x.aupr, x.steps.aupr, x.deletionAuc, x.deletionRandomAuc, x.accuracyDrop20, x.sanityRho, x.dataSanityRho].map(fmt).join(' | ')} | ${x.seconds.toFixed(1)} |`,
    );
  return lines.join('\n');
}

const TITLES: Record<string, string> = {
  aupr: 'AUPR against the ground truth',
  aup: 'AUP against the ground truth',
  aur: 'AUR against the ground truth',
  deletionAuc: 'deletion AUC (lower = more faithful)',
  sanityRho: 'Spearman of |maps| after weight randomisation',
  dataSanityRho: 'Spearman of |maps| vs a model trained on permuted labels',
};

/**
 * Heatmap data: methods × datasets coloured by `metric` (AUPR by default). A heatmap has no
 * empty cells, so methods not run on every dataset (kernel-shap: tokens only) are left out of
 * the figure; the tables keep them.
 */
export function benchmarkFigure(
  r: BenchmarkResult,
  metric: 'aupr' | 'aup' | 'aur' | 'deletionAuc' | 'sanityRho' | 'dataSanityRho' = 'aupr',
): HeatmapData {
  const { methods, datasets } = methodsAndDatasets(r);
  const value = (m: string, d: string): number | undefined => {
    const v = r.results.find((x) => x.method === m && x.dataset === d)?.[metric];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const complete = methods.filter((m) => datasets.every((d) => value(m, d) !== undefined));
  return {
    values: complete.map((m) => datasets.map((d) => value(m, d)!)),
    rowLabels: complete,
    colLabels: datasets.map(short),
    rowTitle: 'method',
    colTitle: 'dataset',
    valueTitle: metric,
    diverging: metric === 'sanityRho' || metric === 'dataSanityRho',
    title: `Explanation benchmark: ${TITLES[metric]} (random = reference row)`,
  };
}

export { tokenLabel } from '../../data/token-label.js';

/** The figure of sequence b: a steps × features heatmap, or coloured tokens. */
export function sequenceFigure(
  map: AttributionMap,
  b: number,
  title: string,
  tokens?: string[],
):
  | { figure: 'heatmap'; data: HeatmapData }
  | { figure: 'token-attribution'; data: TokenAttributionData } {
  const L = map.lengths[b]!;
  const F = map.features;
  const o = b * map.steps * F;
  if (tokens) {
    const scores = Array.from({ length: L }, (_, t) => map.data[o + t * F]!);
    return { figure: 'token-attribution', data: { tokens: tokens.slice(0, L), scores, title } };
  }
  // Rows = features, columns = steps: time runs left to right.
  const values = Array.from({ length: F }, (_, f) =>
    Array.from({ length: L }, (_, t) => map.data[o + t * F + f]!),
  );
  return {
    figure: 'heatmap',
    data: { values, rowTitle: 'feature', colTitle: 'step', valueTitle: 'attribution', title },
  };
}

/** Writes `<name>.svg` and `<name>.png` of a figure into `dir`; returns the paths. */
export async function writeFigure(
  dir: string,
  name: string,
  figure: string,
  data: unknown,
): Promise<string[]> {
  try {
    mkdirSync(dir, { recursive: true });
    const svg = await renderSvg(buildFigure(figure, data));
    const svgPath = join(dir, `${name}.svg`);
    const pngPath = join(dir, `${name}.png`);
    writeFileSync(svgPath, svg);
    writeFileSync(pngPath, renderPng(svg));
    return [svgPath, pngPath];
  } catch (e) {
    throw new RnnlensError(`cannot write figure ${name} into ${dir}: ${(e as Error).message}`);
  }
}
