/** Builds small ONNX models in tests (encoded with the same schema the importer decodes). */
import { AttributeType, modelProtoType } from '../../src/io/onnx/schema.js';

type Dim = number | string;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, number | number[] | string | string[]>;
}

export interface GraphSpec {
  nodes: NodeSpec[];
  inits: Array<{ name: string; dims: number[]; data: number[]; int?: boolean }>;
  inputs: Array<{ name: string; dims: Dim[]; elem?: number }>;
  outputs: Array<{ name: string; dims: Dim[]; elem?: number }>;
  opset?: number;
}

function attr(name: string, v: number | number[] | string | string[]): Record<string, unknown> {
  const enc = (s: string) => new TextEncoder().encode(s);
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: enc(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: AttributeType.INT, i: v } : { name, type: AttributeType.FLOAT, f: v };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: AttributeType.STRINGS, strings: (v as string[]).map(enc) };
  return { name, type: AttributeType.INTS, ints: v };
}

function valueInfo(name: string, dims: Dim[], elem = 1): Record<string, unknown> {
  return { name, type: { tensor_type: { elem_type: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

export function buildOnnx(g: GraphSpec): Uint8Array {
  const type = modelProtoType();
  const obj = {
    ir_version: 8,
    producer_name: 'rnnlens-test',
    opset_import: [{ domain: '', version: g.opset ?? 14 }],
    graph: {
      name: 'g',
      node: g.nodes.map((n, i) => ({ op_type: n.op, name: n.name ?? `${n.op}_${i}`, input: n.inputs, output: n.outputs, attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)) })),
      initializer: g.inits.map((t) => (t.int ? { name: t.name, dims: t.dims, data_type: 7, int64_data: t.data } : { name: t.name, dims: t.dims, data_type: 1, float_data: t.data })),
      input: g.inputs.map((i) => valueInfo(i.name, i.dims, i.elem)),
      output: g.outputs.map((o) => valueInfo(o.name, o.dims, o.elem)),
    },
  };
  return type.encode(type.fromObject(obj)).finish();
}

/** Deterministic pseudo-random values in [-0.5, 0.5) (a small LCG; tests only). */
export function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s / 2 ** 32 - 0.5);
  }
  return out;
}
