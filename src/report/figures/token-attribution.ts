/**
 * Tokens coloured by attribution: the text laid out as wrapped lines, each token on a cell whose
 * colour is its score (red for evidence for the target, blue against, scale symmetric about 0).
 */
import { ArgumentError } from '../../core/errors.js';
import { finite, frame, maxAbs, nonEmpty, type VegaLiteSpec } from './common.js';

export interface TokenAttributionData {
  tokens: string[];
  scores: number[];
  /** Wrap lines at about this many characters. */
  charsPerLine?: number;
  title?: string;
  /** What the scores are, for the colour bar and tooltip (default 'attribution'). */
  valueTitle?: string;
  /** The unit / sequence the strip shows, carried by every token for the linked selection. */
  unit?: number;
  seq?: string;
}

export interface PlacedToken {
  token: string;
  score: number;
  index: number;
  line: number;
  x0: number;
  x1: number;
  xm: number;
}

/** Places tokens left to right in character units, wrapping before a token that would overflow. */
export function layoutTokens(
  tokens: string[],
  scores: number[],
  charsPerLine: number,
): PlacedToken[] {
  const out: PlacedToken[] = [];
  let line = 0;
  let x = 0;
  tokens.forEach((token, index) => {
    const w = Math.max(1, token.length) + 1; // one character of padding between tokens
    if (x > 0 && x + w > charsPerLine) {
      line++;
      x = 0;
    }
    out.push({
      token,
      score: scores[index]!,
      index,
      line,
      x0: x,
      x1: x + w - 0.15,
      xm: x + (w - 0.15) / 2,
    });
    x += w;
  });
  return out;
}

export function tokenAttribution(data: TokenAttributionData): VegaLiteSpec {
  const where = 'tokenAttribution';
  const tokens = nonEmpty(where, 'tokens', data.tokens);
  if (!Array.isArray(data.scores) || data.scores.length !== tokens.length) {
    throw new ArgumentError(
      where,
      'scores',
      `${tokens.length} scores (one per token)`,
      `${data.scores?.length ?? 0}`,
    );
  }
  data.scores.forEach((s, i) => finite(where, `scores[${i}]`, s));
  const cpl = data.charsPerLine ?? 80;
  const link = { ...(data.unit !== undefined ? { unit: data.unit } : {}), ...(data.seq !== undefined ? { seq: data.seq } : {}) };
  const placed = layoutTokens(tokens, data.scores, cpl).map((p) => ({ ...p, ...link }));
  const lines = placed[placed.length - 1]!.line + 1;
  const m = maxAbs(data.scores);
  const pxPerChar = 7.5;
  return {
    ...frame(data.title ?? 'Attribution per token', Math.ceil(cpl * pxPerChar), 22 * lines),
    data: { values: placed },
    encoding: {
      y: { field: 'line', type: 'ordinal', axis: null },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 2 },
        encoding: {
          x: { field: 'x0', type: 'quantitative', scale: { domain: [0, cpl] }, axis: null },
          x2: { field: 'x1' },
          color: {
            field: 'score',
            type: 'quantitative',
            scale: { scheme: 'redblue', reverse: true, domain: [-m, m] },
            title: data.valueTitle ?? 'attribution',
          },
          tooltip: [
            { field: 'index', type: 'quantitative', title: 'position' },
            { field: 'token', type: 'nominal' },
            { field: 'score', type: 'quantitative', format: '.4g', title: data.valueTitle ?? 'attribution' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11, font: 'DejaVu Sans Mono, monospace' },
        encoding: {
          x: { field: 'xm', type: 'quantitative' },
          text: { field: 'token', type: 'nominal' },
          // dark cells (|score| above 60% of the largest) get white text
          color: {
            condition: { test: `abs(datum.score) > ${0.6 * m}`, value: 'white' },
            value: 'black',
          },
        },
      },
    ],
  };
}
