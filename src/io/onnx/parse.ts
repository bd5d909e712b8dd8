/**
 * Decodes an ONNX file (protobuf ModelProto) into plain, validated structures: nodes with decoded
 * attributes, initializers as numeric tensors, graph inputs/outputs with their declared shapes.
 * Every problem (not protobuf, truncated, tensors whose bytes disagree with their dims, absurd
 * declared sizes, external data) is an RnnlensError naming the tensor or node; nothing is
 * allocated for a tensor before its declared size has been checked against the bytes present.
 */
import { RnnlensError } from '../../core/errors.js';
import { AttributeType, DataType, modelProtoType } from './schema.js';

/** A constant tensor: float data as Float64Array, integer data as plain numbers. */
export interface OnnxTensor {
  name: string;
  shape: number[];
  float: boolean;
  data: Float64Array | number[];
}

export type OnnxAttribute = number | number[] | string | string[] | OnnxTensor | null;

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** ONNX element type code (1 float, 7 int64, ...); 0 when not declared. */
  elemType: number;
  /** Declared dims: a number, a symbolic name, or null when absent. */
  dims: Array<number | string | null>;
}

export interface OnnxGraph {
  producer: string;
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Largest tensor accepted (elements); weights of the recurrent models rnnlens handles are far smaller. */
const MAX_ELEMENTS = 1 << 28;

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new RnnlensError(`ONNX import: ${where}: ${what}`);
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (v && typeof v === 'object' && 'low' in v) return Number((v as { toString(): string }).toString());
  return 0;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function bytesOf(v: unknown): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(0);
}

const ELEMENT_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1 };

/** Decodes one TensorProto; `where` names it in errors. */
export function decodeTensor(t: Obj, where: string): OnnxTensor {
  const name = String(t.name ?? '');
  const dims = arr(t.dims).map(num);
  for (const d of dims) if (!Number.isInteger(d) || d < 0) fail(where, `tensor '${name}' declares an invalid dimension ${d} in [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS) fail(where, `tensor '${name}' declares ${count} elements [${dims.join(', ')}], more than the ${MAX_ELEMENTS} accepted`);
  if (num(t.data_location) === 1) fail(where, `tensor '${name}' keeps its data in an external file, which is not supported (save the model with all weights inside the .onnx file)`);
  const type = num(t.data_type);
  const bytesPer = ELEMENT_BYTES[type];
  if (bytesPer === undefined) fail(where, `tensor '${name}' has element type ${type}; supported: float, double, int64, int32, int8, uint8, bool`);
  const isFloat = type === DataType.FLOAT || type === DataType.DOUBLE;
  const raw = bytesOf(t.raw_data);
  let values: ArrayLike<number>;
  if (raw.length > 0) {
    // The declared size is checked against the bytes present BEFORE anything is allocated.
    if (raw.length !== count * bytesPer) fail(where, `tensor '${name}' [${dims.join(', ')}] needs ${count * bytesPer} bytes of raw data, found ${raw.length}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const o = i * bytesPer;
      out[i] =
        type === DataType.FLOAT ? view.getFloat32(o, true)
        : type === DataType.DOUBLE ? view.getFloat64(o, true)
        : type === DataType.INT64 ? Number(view.getBigInt64(o, true))
        : type === DataType.INT32 ? view.getInt32(o, true)
        : type === DataType.INT8 ? view.getInt8(o)
        : view.getUint8(o);
    }
    values = out;
  } else {
    const field = type === DataType.FLOAT ? t.float_data : type === DataType.DOUBLE ? t.double_data : type === DataType.INT64 ? t.int64_data : t.int32_data;
    const list = arr(field);
    if (list.length !== count) fail(where, `tensor '${name}' [${dims.join(', ')}] needs ${count} values, found ${list.length}`);
    values = Float64Array.from(list, num);
  }
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) fail(where, `tensor '${name}' holds NaN at flat index ${i}`);
  return { name, shape: dims, float: isFloat, data: isFloat ? Float64Array.from(values) : Array.from(values) };
}

function decodeAttribute(a: Obj, where: string): OnnxAttribute {
  const type = num(a.type);
  const text = (b: unknown) => new TextDecoder().decode(bytesOf(b));
  switch (type) {
    case AttributeType.FLOAT:
      return num(a.f);
    case AttributeType.INT:
      return num(a.i);
    case AttributeType.STRING:
      return text(a.s);
    case AttributeType.TENSOR:
      return decodeTensor((a.t ?? {}) as Obj, where);
    case AttributeType.FLOATS:
      return arr(a.floats).map(num);
    case AttributeType.INTS:
      return arr(a.ints).map(num);
    case AttributeType.STRINGS:
      return arr(a.strings).map(text);
    default:
      return null; // graphs and other kinds: no supported op reads them
  }
}

function valueInfo(v: Obj): OnnxValueInfo {
  const tt = ((v.type as Obj | undefined)?.tensor_type ?? {}) as Obj;
  const dims = arr((tt.shape as Obj | undefined)?.dim).map((d) => {
    const o = d as Obj;
    if (typeof o.dim_param === 'string' && o.dim_param.length > 0) return o.dim_param;
    return o.dim_value !== undefined && o.dim_value !== null ? num(o.dim_value) : null;
  });
  return { name: String(v.name ?? ''), elemType: num(tt.elem_type), dims };
}

/** Parses ONNX bytes; throws RnnlensError on anything that is not a well-formed ONNX model. */
export function parseOnnx(bytes: Uint8Array): OnnxGraph {
  let decoded: Obj;
  try {
    const type = modelProtoType();
    decoded = type.toObject(type.decode(bytes), { longs: String, bytes: Uint8Array, defaults: false, arrays: true }) as Obj;
  } catch (e) {
    throw new RnnlensError(`ONNX import: the file is not a readable ONNX model (protobuf decoding failed: ${(e as Error).message}); is it truncated or not an .onnx file?`);
  }
  const graph = decoded.graph as Obj | undefined;
  if (!graph) fail('model', 'the file holds no graph (not an ONNX model, or truncated)');
  const opsets = arr(decoded.opset_import) as Obj[];
  const main = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  const nodes: OnnxNode[] = arr(graph.node).map((n, i) => {
    const o = n as Obj;
    const name = String(o.name || `#${i}`);
    const opType = String(o.op_type ?? '');
    if (!opType) fail(`node ${name}`, 'has no op_type (corrupt file?)');
    const attributes = new Map<string, OnnxAttribute>();
    for (const a of arr(o.attribute) as Obj[]) attributes.set(String(a.name ?? ''), decodeAttribute(a, `attribute '${String(a.name)}' of node ${name}`));
    return { name, opType, domain: String(o.domain ?? ''), inputs: arr(o.input).map(String), outputs: arr(o.output).map(String), attributes };
  });
  const initializers = new Map<string, OnnxTensor>();
  for (const t of arr(graph.initializer) as Obj[]) {
    const tensor = decodeTensor(t, 'initializer');
    initializers.set(tensor.name, tensor);
  }
  const inputs = (arr(graph.input) as Obj[]).map(valueInfo).filter((v) => !initializers.has(v.name));
  const outputs = (arr(graph.output) as Obj[]).map(valueInfo);
  if (inputs.length === 0) fail('graph', 'declares no input (besides its initializers)');
  if (outputs.length === 0) fail('graph', 'declares no output');
  if (nodes.length === 0) fail('graph', 'has no nodes');
  return { producer: String(decoded.producer_name ?? ''), opset: main ? num(main.version) : 0, nodes, initializers, inputs, outputs };
}
