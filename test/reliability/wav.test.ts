import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWavHeader, decodeWav, encodeWav16 } from '../../src/data/wav.js';

const tone = new Float32Array(800).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 8000));

describe('WAV headers are checked before decoding', () => {
  it('a whole file passes and decodes', () => {
    const bytes = encodeWav16([tone], 8000);
    assert.equal(checkWavHeader(bytes, 'tone.wav'), 1600);
    assert.equal(decodeWav(bytes, 'tone.wav').samples.length, 800);
  });

  it('a truncated file is refused, naming the file and both sample counts', () => {
    const bytes = encodeWav16([tone], 8000);
    const cut = bytes.subarray(0, bytes.byteLength - 600);
    assert.throws(() => decodeWav(cut, 'cut.wav'), /WAV file cut\.wav is truncated.*declares 1,600 bytes of samples but the file holds 1,000/);
  });

  it('a header declaring 2 GB of samples is refused before anything is allocated', () => {
    const bytes = new Uint8Array(encodeWav16([tone], 8000));
    const view = new DataView(bytes.buffer);
    let at = 12;
    while (String.fromCharCode(...bytes.subarray(at, at + 4)) !== 'data') at += 8 + view.getUint32(at + 4, true);
    view.setUint32(at + 4, 2 ** 31, true);
    assert.throws(() => decodeWav(bytes, 'liar.wav'), /liar\.wav is truncated or its header is wrong: the data chunk declares 2,147,483,648 bytes/);
  });

  it('no data chunk, or not RIFF at all, is a clear error', () => {
    const bytes = encodeWav16([tone], 8000);
    assert.throws(() => decodeWav(bytes.subarray(0, 36), 'head.wav'), /head\.wav: no 'data' chunk/);
    assert.throws(() => decodeWav(new TextEncoder().encode('hello, this is not audio'), 'text.wav'), /text\.wav: expected a RIFF\/WAVE header/);
  });

  it('every FSDD recording passes the check (when the data is present)', (t) => {
    const dir = new URL('../../../shared/data/fsdd/recordings', import.meta.url).pathname;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.wav')).slice(0, 300);
    } catch {
      t.skip(`FSDD recordings not found at ${dir}`);
      return;
    }
    for (const n of names) assert.ok(checkWavHeader(readFileSync(join(dir, n)), n) > 0, n);
  });
});
