// The unit explorer's select-and-match rule (LSTMVis, Strobelt et al.), as pure functions over
// [steps × columns] state matrices, so Node tests can load it without a browser.
//
// Select: given a step range [start, end) of one sequence and a threshold, a column (unit) is
// selected when its value is above the threshold at every step of the range and below it at the
// step just before and the step just after the range (where those steps exist).
// Match: every sequence of the corpus gets the steps where all selected units are above the
// threshold; sequences are ranked by how many such steps they have, then by their longest run of
// consecutive ones, then in corpus order. Sequences with no such step are left out.

/** A sequence's states: `data[t * width + u]`. */
export interface StateMatrix {
  data: ArrayLike<number>;
  steps: number;
  width: number;
}

/** The explorer artifact's quantised bytes (base64) read back: lo + q (hi - lo) / 255. */
export function decodeState(base64: string, lo: number, hi: number): Float32Array {
  const bin = atob(base64);
  const out = new Float32Array(bin.length);
  const step = (hi - lo) / 255;
  for (let i = 0; i < bin.length; i++) out[i] = lo + bin.charCodeAt(i) * step;
  return out;
}

const at = (m: StateMatrix, t: number, u: number): number => m.data[t * m.width + u]!;

/** Units on (> threshold) over all of [start, end) and off (< threshold) just before and after. */
export function selectUnits(m: StateMatrix, start: number, end: number, threshold: number): number[] {
  const a = Math.max(0, Math.min(start, end));
  const b = Math.min(m.steps, Math.max(start, end));
  if (b <= a) return [];
  const out: number[] = [];
  for (let u = 0; u < m.width; u++) {
    let on = true;
    for (let t = a; t < b && on; t++) if (!(at(m, t, u) > threshold)) on = false;
    if (!on) continue;
    if (a > 0 && !(at(m, a - 1, u) < threshold)) continue;
    if (b < m.steps && !(at(m, b, u) < threshold)) continue;
    out.push(u);
  }
  return out;
}

/** 1 at the steps where every one of `units` is above the threshold (none selected: all 0). */
export function onSteps(m: StateMatrix, units: readonly number[], threshold: number): Uint8Array {
  const out = new Uint8Array(m.steps);
  if (units.length === 0) return out;
  for (let t = 0; t < m.steps; t++) out[t] = units.every((u) => at(m, t, u) > threshold) ? 1 : 0;
  return out;
}

export interface SequenceMatch {
  /** position of the sequence in the corpus */
  index: number;
  /** steps where all selected units are on */
  count: number;
  /** longest run of such consecutive steps */
  longest: number;
  /** the mask itself */
  on: Uint8Array;
}

/** Corpus sequences ranked by how well the selected units light up together (see the top). */
export function rankMatches(
  corpus: readonly StateMatrix[],
  units: readonly number[],
  threshold: number,
): SequenceMatch[] {
  if (units.length === 0) return [];
  const out: SequenceMatch[] = [];
  corpus.forEach((m, index) => {
    const on = onSteps(m, units, threshold);
    let count = 0;
    let longest = 0;
    let run = 0;
    for (const v of on) {
      run = v ? run + 1 : 0;
      count += v;
      if (run > longest) longest = run;
    }
    if (count > 0) out.push({ index, count, longest, on });
  });
  out.sort((p, q) => q.count - p.count || q.longest - p.longest || p.index - q.index);
  return out;
}

/** The values of one step (the state vector), or of one column over the steps. */
export function stepVector(m: StateMatrix, t: number): number[] {
  return Array.from({ length: m.width }, (_, u) => at(m, t, u));
}
