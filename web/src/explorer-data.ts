// The unit explorer's artifact (explorer.json, written by internals runs; see
// src/explain/internals/explorer.ts) and its decoded states, plus the colours of its heatmap.
import type { ExplorerData, ExplorerField, ExplorerLayer } from '../../src/explain/internals/explorer-format';
import { decodeState, type StateMatrix } from './explorer-match';

export const EXPLORER_ARTIFACT = 'explorer.json';

// one declaration of the format, shared with the writer (types only: nothing of src is bundled)
export type { ExplorerField, ExplorerLayer, ExplorerSequence } from '../../src/explain/internals/explorer-format';
export type ExplorerArtifact = ExplorerData;

export const FIELD_NAMES: Record<ExplorerField['name'], string> = {
  h: 'hidden state',
  c: 'cell state',
  gates: 'gates',
};

/** Every sequence's matrix of one layer and field (decoded once per layer and field). */
export function decodeAll(a: ExplorerArtifact, layer: ExplorerLayer, field: ExplorerField): StateMatrix[] {
  return a.sequences.map((s) => {
    const data = decodeState(s.values[`${layer.key}:${field.name}`] ?? '', field.lo, field.hi);
    return { data, steps: Math.floor(data.length / field.width), width: field.width };
  });
}

/** Name of column c: the unit for h and c, `gate[unit]` for gates. */
export function columnName(layer: ExplorerLayer, field: ExplorerField, c: number): string {
  if (field.name !== 'gates') return String(c);
  return `${layer.gateNames[Math.floor(c / layer.units)] ?? 'gate'}[${c % layer.units}]`;
}

/** The unit a column belongs to (the linked selection's unit index). */
export const unitOf = (layer: ExplorerLayer, c: number): number => c % layer.units;

/** Shows whitespace tokens: space as ·, newline as ⏎, tab as →. */
export function visible(t: string): string {
  if (t === ' ') return '·';
  if (t === '\n') return '⏎';
  if (t === '\t') return '→';
  return t;
}

/** Blue (low) - white - red (high) around the middle of [lo, hi], or around 0 when it is inside. */
export function colour(v: number, lo: number, hi: number): string {
  const mid = lo < 0 && hi > 0 ? 0 : (lo + hi) / 2;
  const span = Math.max(hi - mid, mid - lo) || 1;
  const x = Math.max(-1, Math.min(1, (v - mid) / span));
  const k = Math.round(255 * (1 - Math.abs(x)));
  return x >= 0 ? `rgb(255,${k},${k})` : `rgb(${k},${k},255)`;
}
