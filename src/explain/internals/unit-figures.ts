/**
 * Karpathy-style pictures of the units that track an annotation: the text of one sequence with
 * every step coloured by the unit's activation (red positive, blue negative). The sequence shown
 * is the traced one over which the annotation varies most, so a quote unit is shown on a window
 * that opens and closes quotes, a depth unit on one that nests deeply.
 */
import type { FigureDataByKind } from '../../report/figures/index.js';
import type { Annotation } from './annotations.js';
import { matrixOf, type TraceSet } from './collect.js';
import type { UnitScore } from './units.js';

export interface UnitFigure {
  name: string;
  kind: 'token-attribution';
  data: FigureDataByKind['token-attribution'];
  /** position of the sequence shown among the traced sequences */
  sequence: number;
}

/** Index of the sequence (rows offsets[s] .. offsets[s+1]) with the largest annotation variance. */
export function mostVaried(values: Float64Array, offsets: Int32Array): number {
  let best = 0;
  let bestVar = -1;
  for (let s = 0; s + 1 < offsets.length; s++) {
    const lo = offsets[s]!;
    const hi = offsets[s + 1]!;
    if (hi <= lo) continue;
    let mean = 0;
    for (let i = lo; i < hi; i++) mean += values[i]!;
    mean /= hi - lo;
    let v = 0;
    for (let i = lo; i < hi; i++) v += (values[i]! - mean) ** 2;
    v /= hi - lo;
    if (v > bestVar) {
      bestVar = v;
      best = s;
    }
  }
  return best;
}

/** Shows whitespace so a coloured cell is visible: space as ·, newline as ⏎, tab as →. */
export function visibleToken(t: string): string {
  if (t === ' ') return '·';
  if (t === '\n') return '⏎';
  if (t === '\t') return '→';
  return t;
}

const CHAR_NAMES: Record<string, string> = {
  '.': 'dot', ',': 'comma', ':': 'colon', ';': 'semicolon', '/': 'slash', '\\': 'backslash', '>': 'gt', '<': 'lt',
  '=': 'eq', '!': 'bang', '?': 'question', '"': 'dquote', "'": 'quote', '(': 'lparen', ')': 'rparen', '[': 'lbracket',
  ']': 'rbracket', '{': 'lbrace', '}': 'rbrace', ' ': 'space', '\n': 'newline', '\t': 'tab',
};

/**
 * A file stem for an annotation name: letters, digits, '-' and '_' kept, every other character named
 * (`token=.` → `token-eq-dot`, `token=>` → `token-eq-gt`), so tokens made of punctuation do not
 * share a file name. `used` holds the stems taken so far; a clash that remains gets a counter.
 */
export function annotationStem(name: string, used: Set<string>): string {
  const parts: string[] = [];
  let word = '';
  for (const ch of name) {
    if (/[A-Za-z0-9_-]/.test(ch)) {
      word += ch;
      continue;
    }
    if (word) parts.push(word);
    word = '';
    parts.push(CHAR_NAMES[ch] ?? `u${ch.codePointAt(0)!.toString(16)}`);
  }
  if (word) parts.push(word);
  const base = parts.join('-').slice(0, 100) || 'annotation';
  let stem = base;
  for (let k = 2; used.has(stem); k++) stem = `${base}-${k}`;
  used.add(stem);
  return stem;
}

/** One figure per best unit whose annotation is among `annotations`. */
export function unitFigures(
  ts: TraceSet,
  annotations: readonly Annotation[],
  best: readonly UnitScore[],
  tokens: string[][],
): UnitFigure[] {
  const out: UnitFigure[] = [];
  const used = new Set<string>();
  for (const u of best) {
    const a = annotations.find((x) => x.name === u.annotation);
    if (!a) continue;
    const { m } = matrixOf(ts, u.layer, u.field);
    const s = mostVaried(a.values, ts.offsets);
    const lo = ts.offsets[s]!;
    const hi = ts.offsets[s + 1]!;
    const toks = tokens[s];
    if (!toks || toks.length !== hi - lo) continue;
    const scores: number[] = [];
    for (let i = lo; i < hi; i++) scores.push(m.data[i * m.cols + u.unit]!);
    const charLike = toks.every((t) => Array.from(t).length <= 1);
    out.push({
      name: `unit-${annotationStem(u.annotation, used)}`,
      kind: 'token-attribution',
      sequence: s,
      data: {
        tokens: toks.map(visibleToken),
        scores,
        charsPerLine: charLike ? 120 : 100,
        valueTitle: `${u.field}[${u.unit}] activation`,
        unit: u.unit,
        seq: String(ts.sequences[s]),
        title: `${u.layer} ${u.field}[${u.unit}], best unit for ${u.annotation} (r = ${u.r.toFixed(2)}), sequence ${ts.sequences[s]}`,
      },
    });
  }
  return out;
}
