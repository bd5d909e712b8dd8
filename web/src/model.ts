// Shapes through a model config (input → layers → output), computed the way src/nn builds them,
// for the structure view. Parameter counts follow src/nn/recurrent.ts: gates G = 1 (RNN), 3 (GRU),
// 4 (LSTM); a recurrent layer holds W [D, G·H], U [H, G·H] and two biases bx, bh [G·H] each
// (PyTorch's b_ih and b_hh; a Keras-initialised model keeps bh at zero).
import type { LayerConfig, ModelConfig } from './api';

export interface LayerRow {
  index: number;
  kind: string;
  name: string;
  detail: string;
  input: number | null;
  output: number | null;
  params: number | null;
  /** Recurrent layers: their hidden units (the unit picker's range). */
  units?: number;
}

const GATES: Record<string, number> = { simple_rnn: 1, gru: 3, lstm: 4 };

function recurrentParams(l: LayerConfig, d: number): number {
  const g = GATES[l.kind] ?? 1;
  const h = l.units ?? 0;
  return d * g * h + h * g * h + 2 * g * h;
}

/** Layer names as SequenceModel gives them: the config's name, else the kind, then kind_1, kind_2, ... */
export function layerNames(layers: LayerConfig[]): string[] {
  const used = new Set(layers.map((l) => l.name).filter((n): n is string => typeof n === 'string'));
  return layers.map((l) => {
    if (l.name !== undefined) return l.name;
    let name = l.kind;
    for (let k = 1; used.has(name); k++) name = `${l.kind}_${k}`;
    used.add(name);
    return name;
  });
}

export function layerRows(config: ModelConfig): LayerRow[] {
  const names = layerNames(config.layers ?? []);
  let width: number | null =
    config.input?.kind === 'numeric' ? (config.input.features ?? null) : null;
  return (config.layers ?? []).map((l, index) => {
    const input = width;
    let output = width;
    let params: number | null = null;
    let detail = '';
    let units: number | undefined;
    if (l.kind === 'embedding') {
      output = l.dim ?? null;
      params = (l.vocabSize ?? 0) * (l.dim ?? 0);
      detail = `vocabulary ${l.vocabSize}, dimension ${l.dim}`;
    } else if (l.kind in GATES) {
      output = l.units ?? null;
      units = l.units;
      params = input !== null ? recurrentParams(l, input) : null;
      detail = `${l.units} units${l.returnSequences ? ', every step' : ', last step'}`;
    } else if (l.kind === 'bidirectional' && l.layer) {
      const inner = l.layer;
      const h = inner.units ?? 0;
      output = l.merge === 'concat' || l.merge === undefined ? 2 * h : h;
      units = h;
      params = input !== null ? 2 * recurrentParams(inner, input) : null;
      detail = `${inner.kind} ×2, ${h} units each, merge ${l.merge ?? 'concat'}`;
    } else if (l.kind === 'dense') {
      output = l.units ?? null;
      params = input !== null && l.units ? input * l.units + l.units : null;
      detail = `${l.units} outputs, ${l.activation ?? 'linear'}`;
    } else if (l.kind === 'dropout') {
      detail = `rate ${l.rate}`;
      params = 0;
    } else if (l.kind === 'head') {
      detail = `pool ${l.pool}`;
      params = 0;
    } else if (l.kind === 'graph') {
      // an imported graph segment: its ops in order, its weights, its output features
      const g = l as LayerConfig & { output?: { features?: number }; nodes?: { op: string }[]; params?: { shape: number[] }[] };
      output = g.output?.features ?? null;
      params = (g.params ?? []).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
      const ops = (g.nodes ?? []).map((n) => n.op);
      detail = ops.length ? `${ops.length} ops: ${ops.join(' → ')}` : 'identity';
    }
    width = output;
    return { index, kind: l.kind, name: names[index]!, detail, input, output, params, units };
  });
}
