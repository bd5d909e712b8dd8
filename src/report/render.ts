/**
 * Rendering figures without a browser: Vega-Lite → Vega (vega-lite's compiler), Vega → SVG
 * (vega's headless View with the 'none' renderer), SVG → PNG (@resvg/resvg-js, using the fonts
 * installed on the machine; DejaVu Sans is preferred and present on Debian).
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import { RnnlensError } from '../core/errors.js';
import type { VegaLiteSpec } from './figures/common.js';

export interface CompiledFigure {
  vega: vega.Spec;
  /** Every warning vega-lite emitted while compiling (a figure should have none). */
  warnings: string[];
}

/** A logger that collects warnings and errors instead of printing them. */
function collectingLogger(sink: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return logger as never;
    },
    error(...args: readonly unknown[]) {
      sink.push('error: ' + args.map(String).join(' '));
      return logger;
    },
    warn(...args: readonly unknown[]) {
      sink.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as vega.LoggerInterface;
  return logger;
}

export function compileSpec(spec: VegaLiteSpec): CompiledFigure {
  const warnings: string[] = [];
  try {
    const out = compile(spec, { logger: collectingLogger(warnings) as never });
    return { vega: out.spec as vega.Spec, warnings };
  } catch (err) {
    throw new RnnlensError(
      `compileSpec: vega-lite cannot compile the figure '${titleOf(spec)}': ${(err as Error).message}`,
    );
  }
}

function titleOf(spec: VegaLiteSpec): string {
  const t = (spec as { title?: unknown }).title;
  return typeof t === 'string' ? t : 'untitled';
}

export interface SvgResult {
  svg: string;
  /** Compile-time and runtime warnings. */
  warnings: string[];
}

/** Renders a Vega-Lite spec to an SVG document, reporting warnings. */
export async function renderSvgWithWarnings(spec: VegaLiteSpec): Promise<SvgResult> {
  const { vega: vg, warnings } = compileSpec(spec);
  const view = new vega.View(vega.parse(vg), {
    renderer: 'none',
    logger: collectingLogger(warnings),
  });
  try {
    const svg = await view.toSVG();
    return { svg, warnings };
  } catch (err) {
    throw new RnnlensError(
      `renderSvg: vega cannot render the figure '${titleOf(spec)}': ${(err as Error).message}`,
    );
  } finally {
    view.finalize();
  }
}

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  return (await renderSvgWithWarnings(spec)).svg;
}

// Loading named font files is much faster than scanning every system font for each image; the
// scan remains the fallback on machines without DejaVu.
const FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/dejavu',
  '/usr/share/fonts/TTF',
];
const FONT_NAMES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf'];
let fontFiles: string[] | null = null;

function dejaVuFiles(): string[] {
  if (fontFiles === null) {
    const dir = FONT_DIRS.find((d) => FONT_NAMES.every((f) => existsSync(`${d}/${f}`)));
    fontFiles = dir ? FONT_NAMES.map((f) => `${dir}/${f}`) : [];
  }
  return fontFiles;
}

export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp text). */
  scale?: number;
}

/** Rasterises an SVG document to PNG bytes. */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8))
    throw new RnnlensError(
      `renderPng: argument 'scale' expected a number in (0, 8], received ${scale}`,
    );
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontFiles: dejaVuFiles(),
      loadSystemFonts: dejaVuFiles().length === 0,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
      monospaceFamily: 'DejaVu Sans Mono',
    },
  });
  return resvg.render().asPng();
}
