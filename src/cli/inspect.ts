/**
 * `rnnlens inspect MODEL`: what a model is — its format, the input it expects, every layer with
 * its output shape, parameter count and cell conventions — for native folders, TF.js model.json
 * files, ONNX and Keras files alike. `--json` prints the same as JSON.
 */
import type { Command } from 'commander';
import { BidirectionalLayer } from '../nn/bidirectional.js';
import type { Layer } from '../nn/layer.js';
import { GraphLayer } from '../nn/graph/layer.js';
import { RecurrentLayer } from '../nn/recurrent.js';
import { loadModelAsync, type LoadedAnyModel } from '../io/load.js';
import '../io/register.js'; // lets every --model option accept TF.js and ONNX files

export interface LayerSummary {
  name: string;
  kind: string;
  output: string;
  parameters: number;
  conventions: string;
}

export interface ModelSummary {
  format: string;
  path: string;
  input: string;
  output: string;
  task: string | null;
  parameters: number;
  layers: LayerSummary[];
  notes: string[];
}

function cellText(r: RecurrentLayer): string {
  const c = r.cell;
  const gates = c.kind === 'lstm' ? 'gates i,f,g,o' : c.kind === 'gru' ? `gates r,z,n, ${c.resetAfter === false ? 'reset-before' : 'reset-after'}` : `activation ${c.activation ?? 'tanh'}`;
  return `${c.kind} H=${c.hiddenSize} ${gates}${r.direction === 'backward' ? ', go_backwards' : ''}`;
}

function conventions(l: Layer): string {
  if (l instanceof RecurrentLayer) return `${cellText(l)}${l.sequenceOutput ? ', returns sequences' : ', returns final state'}`;
  if (l instanceof BidirectionalLayer) return `bidirectional ${cellText(l.forwardLayer)}, merge ${l.merge}${l.sequenceOutput ? ', returns sequences' : ', returns final states'}`;
  const cfg = l.config() as unknown as Record<string, unknown>;
  if (l.kind === 'dense') return `activation ${String(cfg.activation ?? 'linear')}`;
  if (l.kind === 'head') return `pool ${String(cfg.pool)}`;
  if (l.kind === 'dropout') return `rate ${String(cfg.rate)} (training only)`;
  if (l.kind === 'embedding') return `vocabulary ${l.inputFeatures}`;
  if (l instanceof GraphLayer) {
    const ops = l.nodes.map((n) => n.op);
    const cell = l.config().inputs.some((b) => b.source === 'cell') ? ' (reads the previous LSTM layer\'s final cell state)' : '';
    return `${ops.length} op${ops.length === 1 ? '' : 's'}: ${ops.length <= 16 ? ops.join(' → ') : `${ops.slice(0, 16).join(' → ')} → …`}${cell}`;
  }
  return '';
}

export function summarize(m: LoadedAnyModel): ModelSummary {
  const spec = m.model.inputSpec;
  let input = spec.kind === 'numeric' ? `numeric sequences [batch, steps, ${spec.features}]` : `token ids [batch, steps], vocabulary ${spec.vocabSize}`;
  if (m.onnx) input += ` (ONNX input '${m.onnx.input.name}' ${m.onnx.input.layout}, declared [${m.onnx.input.dims.map((d) => d ?? '?').join(', ')}])`;
  let seq = true;
  const layers = m.model.layers.map((l) => {
    if (l.kind !== 'dense' && l.kind !== 'dropout' && l.kind !== 'embedding') seq = l.sequenceOutput;
    const n = l.parameters().reduce((s, p) => s + p.value.length, 0);
    // a graph layer folded from several Keras layers (attention with its residual branch, …) names them
    const from = l instanceof GraphLayer ? (m.keras ?? m.tfjs)?.sources[l.name] : undefined;
    const text = `${from?.includes(', ') ? `Keras layers ${from}; ` : ''}${conventions(l)}`;
    return { name: l.name, kind: l.kind, output: seq ? `[B, T, ${l.outputFeatures}]` : `[B, ${l.outputFeatures}]`, parameters: n, conventions: text };
  });
  const last = layers[layers.length - 1]!;
  return {
    format: m.format,
    path: m.path,
    input,
    output: `${last.output}${m.softmax ? ' then softmax' : ''}`,
    task: m.task,
    parameters: layers.reduce((s, l) => s + l.parameters, 0),
    layers,
    notes: m.notes,
  };
}

function text(s: ModelSummary): string {
  const rows = s.layers.map((l) => [l.name, l.kind, l.output, String(l.parameters), l.conventions]);
  const header = ['layer', 'kind', 'output', 'params', 'conventions'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [
    `model       ${s.path} (${s.format})`,
    `input       ${s.input}`,
    `output      ${s.output}`,
    `task        ${s.task ?? 'not recorded'}`,
    `parameters  ${s.parameters}`,
    '',
    line(header),
    ...rows.map(line),
  ];
  if (s.notes.length) out.push('', 'notes:', ...s.notes.map((n) => `  - ${n}`));
  out.push('', 'rnnlens layouts: recurrent W [in, G·H], U [H, G·H], biases bx, bh; gate order PyTorch (LSTM i,f,g,o; GRU r,z,n)');
  return out.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('show a model: format, expected input, layers, shapes, parameter counts, cell conventions')
    .argument('<model>', 'native model folder, TF.js model.json (or its folder), .onnx file, or Keras .keras / .h5 file')
    .option('--json', 'print JSON')
    .action(async (path: string, opts: { json?: boolean }) => {
      const s = summarize(await loadModelAsync(path, { backend: 'ts' }));
      process.stdout.write(opts.json ? JSON.stringify(s, null, 2) + '\n' : text(s));
    });
}
