// Linked highlighting for any Vega-Lite spec: where a view's inline data carries the field that a
// figure's `link` names for units or sequences, marks not matching the shared selection fade.
// The selection enters as two top-level params (signals) so changing it needs no re-render.
// Self-contained (no imports) so Node tests can load it without a browser.

/** Datum fields holding a unit index / a sequence id (as sent by the server with each figure). */
export interface FigureLink {
  unit?: string;
  seq?: string;
}

export const UNIT_SIGNAL = 'rnnlens_unit';
export const SEQ_SIGNAL = 'rnnlens_seq';

type Json = Record<string, unknown>;

export interface LinkedSpec {
  spec: Json;
  /** Which selections this figure can show. */
  linksUnit: boolean;
  linksSeq: boolean;
}

function fieldsOf(data: unknown): Set<string> | null {
  const values = (data as { values?: unknown } | undefined)?.values;
  if (!Array.isArray(values) || values.length === 0) return null;
  const first = values[0];
  return first && typeof first === 'object' ? new Set(Object.keys(first as Json)) : null;
}

// Vega expression strings: field names come from figure data, so quote them safely
const q = (s: string): string => JSON.stringify(s);

function test(signal: string, field: string): string {
  return `(${signal} === '' || toString(datum[${q(field)}]) === ${signal})`;
}

/** A copy of `spec` whose marks fade unless they match the selection; see LinkedSpec. */
export function linkSpec(spec: Json, link: FigureLink): LinkedSpec {
  let linksUnit = false;
  let linksSeq = false;
  const visit = (node: Json, inherited: Set<string> | null): Json => {
    const out: Json = { ...node };
    const fields = fieldsOf(node.data) ?? inherited;
    if (node.mark !== undefined && node.encoding && fields) {
      const tests: string[] = [];
      if (link.unit && fields.has(link.unit)) {
        tests.push(test(UNIT_SIGNAL, link.unit));
        linksUnit = true;
      }
      if (link.seq && fields.has(link.seq)) {
        tests.push(test(SEQ_SIGNAL, link.seq));
        linksSeq = true;
      }
      const enc = node.encoding as Json;
      if (tests.length > 0 && enc.opacity === undefined) {
        out.encoding = {
          ...enc,
          opacity: { condition: { test: tests.join(' && '), value: 1 }, value: 0.15 },
        };
      }
    }
    for (const key of ['layer', 'hconcat', 'vconcat', 'concat'] as const) {
      if (Array.isArray(node[key])) out[key] = (node[key] as Json[]).map((n) => visit(n, fields));
    }
    if (node.spec && typeof node.spec === 'object') out.spec = visit(node.spec as Json, fields);
    return out;
  };
  const linked = visit(spec, null);
  if (linksUnit || linksSeq) {
    const params = Array.isArray(spec.params) ? [...(spec.params as Json[])] : [];
    params.push({ name: UNIT_SIGNAL, value: '' }, { name: SEQ_SIGNAL, value: '' });
    linked.params = params;
  }
  return { spec: linked, linksUnit, linksSeq };
}
