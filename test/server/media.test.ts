// Byte ranges and media types of raw artifacts (src/server/media.ts), by RFC 9110's rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteRange, mediaType } from '../../src/server/media.js';

test('byteRange: one range within the size, clamped at the end; malformed or several: the whole file', () => {
  assert.deepEqual(byteRange('bytes=0-0', 10), { start: 0, end: 0 });
  assert.deepEqual(byteRange('bytes=2-5', 10), { start: 2, end: 5 });
  assert.deepEqual(byteRange('bytes=4-', 10), { start: 4, end: 9 });
  assert.deepEqual(byteRange('bytes=4-400', 10), { start: 4, end: 9 });
  assert.deepEqual(byteRange('bytes=-3', 10), { start: 7, end: 9 });
  assert.deepEqual(byteRange('bytes=-30', 10), { start: 0, end: 9 });
  assert.equal(byteRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(byteRange('bytes=-0', 10), 'unsatisfiable');
  assert.equal(byteRange('bytes=0-', 0), 'unsatisfiable');
  for (const h of [undefined, '', 'bytes=', 'bytes=-', 'bytes=5-2', 'items=0-3', 'bytes=0-1,4-5', 'bytes=a-b']) assert.equal(byteRange(h, 10), null, String(h));
});

test('mediaType: WAV and PNG by extension, nothing for others', () => {
  assert.equal(mediaType('synth-1_bob_0.wav'), 'audio/wav');
  assert.equal(mediaType('X.WAV'), 'audio/wav');
  assert.equal(mediaType('figure.png'), 'image/png');
  assert.equal(mediaType('model.bin'), undefined);
  assert.equal(mediaType('wav'), undefined);
});
