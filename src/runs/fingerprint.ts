/**
 * Data fingerprints: sha256 over a canonical encoding, so the same data gives the same
 * fingerprint whatever the key order of its objects or the process that computed it.
 */
import { createHash, type Hash } from 'node:crypto';
import { ArgumentError } from '../core/errors.js';

/**
 * Canonical JSON: object keys sorted, no whitespace, -0 written as 0; rejects NaN/±Infinity,
 * functions and cycles (they have no canonical JSON form).
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const enc = (v: unknown, path: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'string':
        return JSON.stringify(v);
      case 'number':
        if (!Number.isFinite(v)) throw new ArgumentError('canonicalJson', path, 'finite numbers', String(v));
        return Object.is(v, -0) ? '0' : JSON.stringify(v);
      case 'object':
        break;
      default:
        throw new ArgumentError('canonicalJson', path, 'JSON values', typeof v);
    }
    const o = v as object;
    if (seen.has(o)) throw new ArgumentError('canonicalJson', path, 'an acyclic value', 'a cycle');
    seen.add(o);
    let out: string;
    if (ArrayBuffer.isView(o)) {
      out = enc(Array.from(o as unknown as ArrayLike<number>), path);
    } else if (Array.isArray(o)) {
      out = '[' + o.map((x, i) => enc(x, `${path}[${i}]`)).join(',') + ']';
    } else {
      const keys = Object.keys(o)
        .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
        .sort();
      out = '{' + keys.map((k) => JSON.stringify(k) + ':' + enc((o as Record<string, unknown>)[k], `${path}.${k}`)).join(',') + '}';
    }
    seen.delete(o);
    return out;
  };
  return enc(value, 'value');
}

/** One part of the data: a typed array (hashed as its raw bytes, with its type) or a JSON value. */
export type FingerprintPart = ArrayBufferView | unknown;

function update(h: Hash, part: FingerprintPart): void {
  if (ArrayBuffer.isView(part)) {
    // type name and length first, so Float32Array[1,2] and Float64Array of the same bytes differ
    h.update(`typed:${part.constructor.name}:${part.byteLength}:`);
    h.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  } else {
    const s = canonicalJson(part);
    h.update(`json:${Buffer.byteLength(s)}:`);
    h.update(s);
  }
}

/**
 * `sha256:<hex>` over the parts in order. Typed arrays are hashed as their bytes (little-endian
 * on every platform Node runs on), anything else as canonical JSON.
 */
export function dataFingerprint(...parts: FingerprintPart[]): string {
  const h = createHash('sha256');
  for (const p of parts) update(h, p);
  return 'sha256:' + h.digest('hex');
}
