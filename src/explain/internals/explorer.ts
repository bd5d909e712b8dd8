/**
 * The data of the dashboard's unit explorer (LSTMVis-style select and match), recorded by an
 * internals run as `explorer.json`: for each kept sequence its tokens (token strings for text
 * models; for numeric models the value of a single feature, else the step index), its label and,
 * per recurrent layer, the hidden state (and the cell state and gate activations of an LSTM,
 * gate activations of a GRU) at every kept step, quantised to one byte.
 *
 * Quantisation: per layer and field, `lo` and `hi` are the smallest and largest value over the
 * kept steps; a value v is stored as q = round(255 (v - lo) / (hi - lo)) and read back as
 * lo + q (hi - lo) / 255, so the error is at most (hi - lo) / 510 (0.004 for a tanh state).
 * Each sequence's [steps × width] matrix is row-major bytes, base64-encoded. When the layers before
 * the recurrent ones change the number of steps, the steps are recurrent steps, each with the
 * input range it reads (`ranges`) and labelled by it (align.ts).
 *
 * Caps (defaults): at most 100 sequences, chosen among the analysed ones stratified by class as
 * internals samples them; at most 200 steps per sequence (the first ones); at most 2 MiB of
 * quantised values, reached by dropping gates, then cell states, then sequences from the end.
 */
import type { Dataset } from '../../data/dataset.js';
import { matrixOf, type TraceSet } from './collect.js';
import type { ExplorerCaps, ExplorerData, ExplorerFieldName, ExplorerLayer, ExplorerSequence } from './explorer-format.js';
import { sampleSequences } from './sample.js';

export type { ExplorerCaps, ExplorerData, ExplorerField, ExplorerFieldName, ExplorerLayer, ExplorerSequence } from './explorer-format.js';

export const EXPLORER_FORMAT: ExplorerData['format'] = 'rnnlens-explorer';

export const EXPLORER_CAPS: ExplorerCaps = { sequences: 100, steps: 200, bytes: 2 * 1024 * 1024 };

const EXPLORED: readonly ExplorerFieldName[] = ['h', 'c', 'gates'];

function numericTokens(ds: Dataset, idx: number, steps: number): string[] {
  const x = ds.items[idx]!.x;
  if (ds.input !== 'tokens' && ds.features === 1 && x instanceof Float32Array)
    return Array.from({ length: steps }, (_, t) => Number(x[t]!.toPrecision(3)).toString());
  return Array.from({ length: steps }, (_, t) => `t${t}`);
}

/**
 * The explorer's data from the traces of an internals analysis. `tokens[s]` are the step tokens of
 * the s-th traced sequence (null when the dataset has no text).
 */
export function explorerData(
  ts: TraceSet,
  ds: Dataset,
  tokens: string[][] | null,
  caps: Partial<ExplorerCaps> = {},
): ExplorerData {
  const cap = { ...EXPLORER_CAPS, ...caps };
  const analysed = ts.sequences.length;
  // positions among the traced sequences, stratified by class like the analysed sample
  const sub: Dataset = { ...ds, items: Array.from(ts.sequences, (i) => ds.items[i]!) };
  let kept = Array.from(sampleSequences(sub, cap.sequences));
  const stepsOf = (s: number): number => Math.min(cap.steps, ts.offsets[s + 1]! - ts.offsets[s]!);
  const layerFields = ts.layers.map((l, k) =>
    EXPLORED.filter((f) => l.fields.includes(f) && ts.values[k]![f] !== undefined),
  );
  const bytesFor = (fields: ExplorerFieldName[][], seqs: number[]): number => {
    let perStep = 0;
    ts.layers.forEach((l, k) => {
      for (const f of fields[k]!) perStep += matrixOf(ts, l.key, f).m.cols;
    });
    return seqs.reduce((acc, s) => acc + stepsOf(s) * perStep, 0);
  };
  let fields = layerFields;
  for (const drop of ['gates', 'c'] as const)
    if (bytesFor(fields, kept) > cap.bytes) fields = fields.map((fs) => fs.filter((f) => f !== drop));
  while (kept.length > 1 && bytesFor(fields, kept) > cap.bytes) kept = kept.slice(0, -1);

  const layers: ExplorerLayer[] = ts.layers.map((l, k) => ({
    key: l.key,
    cell: l.cell,
    units: l.units,
    gateNames: l.gateNames,
    fields: fields[k]!.map((f) => {
      const { m } = matrixOf(ts, l.key, f);
      let lo = Infinity;
      let hi = -Infinity;
      for (const s of kept) {
        const a = ts.offsets[s]! * m.cols;
        const b = (ts.offsets[s]! + stepsOf(s)) * m.cols;
        for (let i = a; i < b; i++) {
          const v = m.data[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      if (!(lo <= hi)) [lo, hi] = [0, 1];
      if (hi === lo) hi = lo + 1;
      return { name: f, width: m.cols, lo, hi };
    }),
  }));

  const sequences = kept.map((s): ExplorerSequence => {
    const idx = ts.sequences[s]!;
    const it = ds.items[idx]!;
    const steps = stepsOf(s);
    const values: Record<string, string> = {};
    layers.forEach((l) => {
      for (const f of l.fields) {
        const { m } = matrixOf(ts, l.key, f.name);
        const q = new Uint8Array(steps * m.cols);
        const a = ts.offsets[s]! * m.cols;
        const scale = 255 / (f.hi - f.lo);
        for (let i = 0; i < q.length; i++) q[i] = Math.round((m.data[a + i]! - f.lo) * scale);
        values[`${l.key}:${f.name}`] = Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
      }
    });
    const label = it.label === undefined ? undefined : (ds.classNames?.[it.label] ?? String(it.label));
    const toks = tokens?.[s]?.slice(0, steps) ?? numericTokens(ds, idx, steps);
    const al = ts.alignment;
    const row0 = ts.offsets[s]!;
    return {
      id: String(idx),
      ...(label !== undefined ? { label } : {}),
      length: ts.offsets[s + 1]! - row0,
      tokens: toks,
      values,
      ...(al
        ? {
            inputLength: it.steps,
            ranges: Array.from({ length: steps }, (_, t): [number, number] => [al.start[row0 + t]!, al.end[row0 + t]!]),
          }
        : {}),
    };
  });
  return { format: EXPLORER_FORMAT, version: 1, caps: cap, analysed, layers, sequences };
}
