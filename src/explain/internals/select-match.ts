/**
 * LSTMVis-style select and match (Strobelt et al.). Select: choose a span of one sequence and a
 * threshold (default 0.3); the selected units are those whose activation is ≥ threshold at every
 * step of the span. Match: every other window of the same length in the corpus gets its own
 * on/off pattern (on = ≥ threshold across the whole window); windows are ranked by how many
 * selected units are on there minus how many other units are on (the pattern's Hamming
 * agreement on the selection), best first; windows overlapping the query span are skipped.
 */
import { ArgumentError } from '../../core/errors.js';
import type { StepMatrix } from './collect.js';

export interface Selection {
  sequence: number;
  start: number;
  end: number;
  threshold: number;
  units: number[];
}

export interface Match {
  sequence: number;
  start: number;
  end: number;
  /** selected units on across the window */
  hits: number;
  /** other units on across the window */
  extra: number;
  score: number;
}

function checkSpan(
  where: string,
  m: StepMatrix,
  sequence: number,
  start: number,
  end: number,
): void {
  const S = m.offsets.length - 1;
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= S)
    throw new ArgumentError(where, 'sequence', `an integer in [0, ${S})`, String(sequence));
  const len = m.offsets[sequence + 1]! - m.offsets[sequence]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > len || start >= end)
    throw new ArgumentError(
      where,
      'span',
      `0 <= start < end <= ${len} (the sequence's length)`,
      `[${start}, ${end})`,
    );
}

/** Units ≥ threshold at every step of rows [a, b). */
function onAcross(m: StepMatrix, a: number, b: number, threshold: number): Uint8Array {
  const on = new Uint8Array(m.cols).fill(1);
  for (let i = a; i < b; i++)
    for (let u = 0; u < m.cols; u++) if (!(m.data[i * m.cols + u]! >= threshold)) on[u] = 0;
  return on;
}

export function selectUnits(
  m: StepMatrix,
  sequence: number,
  start: number,
  end: number,
  threshold = 0.3,
): Selection {
  checkSpan('selectUnits', m, sequence, start, end);
  const a = m.offsets[sequence]!;
  const on = onAcross(m, a + start, a + end, threshold);
  const units: number[] = [];
  on.forEach((v, u) => v && units.push(u));
  return { sequence, start, end, threshold, units };
}

export function matchSpans(m: StepMatrix, sel: Selection, opts: { top?: number } = {}): Match[] {
  const top = opts.top ?? 10;
  const width = sel.end - sel.start;
  const chosen = new Uint8Array(m.cols);
  for (const u of sel.units) chosen[u] = 1;
  const out: Match[] = [];
  for (let s = 0; s + 1 < m.offsets.length; s++) {
    const a = m.offsets[s]!;
    const len = m.offsets[s + 1]! - a;
    for (let t = 0; t + width <= len; t++) {
      if (s === sel.sequence && t < sel.end && t + width > sel.start) continue;
      const on = onAcross(m, a + t, a + t + width, sel.threshold);
      let hits = 0;
      let extra = 0;
      for (let u = 0; u < m.cols; u++) {
        if (!on[u]) continue;
        if (chosen[u]) hits++;
        else extra++;
      }
      if (hits === 0) continue;
      out.push({ sequence: s, start: t, end: t + width, hits, extra, score: hits - extra });
    }
  }
  out.sort(
    (p, q) => q.score - p.score || q.hits - p.hits || p.sequence - q.sequence || p.start - q.start,
  );
  return out.slice(0, top);
}
