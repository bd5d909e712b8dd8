import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, dataFingerprint } from '../../src/runs/fingerprint.js';
import { checkRunId, newRunId } from '../../src/runs/ids.js';

test('canonicalJson: sorted keys, no whitespace, -0 as 0; rejects NaN and cycles', () => {
  assert.equal(canonicalJson({ b: [1, { d: 2, c: -0 }], a: 'x' }), '{"a":"x","b":[1,{"c":0,"d":2}]}');
  assert.throws(() => canonicalJson({ x: NaN }), /value\.x/);
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  assert.throws(() => canonicalJson(cyc), /cycle/);
});

test('dataFingerprint: independent of key order, sensitive to values and array types', () => {
  const a = dataFingerprint({ x: 1, y: [1, 2] }, new Float32Array([1, 2]));
  assert.equal(a, dataFingerprint({ y: [1, 2], x: 1 }, new Float32Array([1, 2])));
  assert.notEqual(a, dataFingerprint({ x: 1, y: [1, 2] }, new Float32Array([1, 2.0001])));
  assert.notEqual(dataFingerprint(new Float32Array([1])), dataFingerprint(new Int32Array(new Float32Array([1]).buffer)));
  // an independent computation of the same digest for one typed array
  const f = new Float32Array([0.5, -1]);
  const h = createHash('sha256').update('typed:Float32Array:8:').update(Buffer.from(f.buffer)).digest('hex');
  assert.equal(dataFingerprint(f), 'sha256:' + h);
});

test('run ids: sortable by creation time, unique, validated', () => {
  const t0 = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
  const id = newRunId(t0);
  assert.match(id, /^20260102-030405-006-[0-9a-f]{8}$/);
  assert.ok(newRunId(new Date(t0.getTime() + 1)) > id);
  const many = new Set(Array.from({ length: 1000 }, () => newRunId(t0)));
  assert.equal(many.size, 1000);
  assert.equal(checkRunId('t', id), id);
  assert.throws(() => checkRunId('t', '../../x'), /\[A-Za-z0-9_-\]/);
});
