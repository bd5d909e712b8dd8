/**
 * JSON-safe encoding of job items and results. BullMQ stores job data and return values as JSON,
 * which turns a typed array into an object of its elements; here a typed array becomes
 * `{ "$typed": "Float64Array", "b64": "..." }` (its bytes, little-endian, base64), so every float
 * survives bit for bit and the payload stays compact. Plain values, arrays and objects pass
 * through; `undefined` members are dropped as JSON drops them.
 */
import { RnnlensError } from '../core/errors.js';

const TYPED = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

function typedName(v: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(v) || v instanceof DataView) return undefined;
  const name = v.constructor.name as TypedName;
  return name in TYPED ? name : undefined;
}

/** A JSON-safe copy of `value` (typed arrays as base64). */
export function encode(value: unknown): unknown {
  const name = typedName(value);
  if (name) {
    const t = value as Typed;
    return { $typed: name, b64: Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64') };
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encode(v);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

/** The inverse of encode. */
export function decode<T = unknown>(value: unknown): T {
  return decodeAny(value) as T;
}

function decodeAny(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeAny);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.$typed === 'string' && typeof o.b64 === 'string') {
      const Ctor = TYPED[o.$typed as TypedName];
      if (!Ctor) throw new RnnlensError(`job codec: unknown typed array '${o.$typed}'`);
      const bytes = Buffer.from(o.b64, 'base64');
      // copy into a fresh, aligned buffer
      const buf = new ArrayBuffer(bytes.length);
      new Uint8Array(buf).set(bytes);
      return new Ctor(buf);
    }
    if (typeof o.$number === 'string' && Object.keys(o).length === 1) return Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decodeAny(v);
    return out;
  }
  return value;
}
