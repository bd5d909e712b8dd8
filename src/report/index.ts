/** Figures (Vega-Lite specs), SVG/PNG rendering and the static HTML report. */
export * from './figures/index.js';
export { compileSpec, renderSvg, renderSvgWithWarnings, renderPng } from './render.js';
export type { CompiledFigure, PngOptions, SvgResult } from './render.js';
export { buildReport } from './build-report.js';
export type { ReportOptions } from './build-report.js';
export { exportFigures } from './export-figures.js';
export { figuresForRun, curvePoints, splitMetricName } from './run-figures.js';
export type { RunFigure } from './run-figures.js';
