// End to end: a tts-verify run recorded by the CLI (tiny untrained synthesiser, tone
// "recordings"), served with a token and opened in Chromium: the audio panel shows every item
// with two audio players whose WAVs load (metadata decoded, duration > 0), two drawn spectrograms
// per item, the recogniser's and speaker classifier's labels, digit and speaker filters, and no
// console errors. The panel, filtered to digit 2, is saved as run-tts.png (into RNNLENS_SCREENSHOTS when set).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { RunStore } from '../../src/runs/store.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { makeTinyTts, recordTtsVerifyRun, TINY_TTS } from '../speech/tiny-tts.js';
import { browserSkip, buildDashboard, launchChromium, openPage } from './browser.js';

const skip = browserSkip('tts');
/** The fields of an audio element read here (the tests compile without the DOM library). */
type Media = { currentSrc: string; duration: number; error: { code: number } | null };
const TOKEN = 'tts-e2e-token-4567';
let dir: string;
let run: string;
let store: RunStore;
let server: RunningServer;
let browser: Browser;

describe('speech synthesis run in Chromium', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlens-e2e-tts-'));
    const webDir = await buildDashboard(join(dir, 'web'));
    ({ run } = recordTtsVerifyRun(dir, makeTinyTts(dir), join(dir, 'runs')));
    store = RunStore.open(join(dir, 'runs'));
    server = await startServer({ store, port: 0, webDir, token: TOKEN });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plays the synthesised and real WAVs and shows both spectrograms of every item', async () => {
    const url = new URL(server.url);
    url.searchParams.set('run', run);
    const { page, errors } = await openPage(browser, url.toString());
    const n = TINY_TTS.digits.length * TINY_TTS.speakers.length;
    await page.waitForFunction(`document.querySelectorAll('.audio-panel canvas[data-drawn="true"]').length === ${2 * n}`, undefined, { timeout: 20000 });
    assert.equal(await page.locator('.tts-item').count(), n);
    for (const item of await page.locator('.tts-item').all()) {
      assert.equal(await item.locator('canvas[data-drawn="true"]').count(), 2, 'a synthesised and a real spectrogram');
      assert.equal(await item.locator('audio').count(), 2);
      assert.match(await item.locator('[data-label="recognised"]').innerText(), /^recognised as [012]$/);
      assert.match(await item.locator('[data-label="speaker"]').innerText(), /^voice named (ann|bob)$/);
      assert.match(await item.locator('[data-label="xcorr"]').innerText(), /^max cross-correlation 0\.\d{3}$/);
    }
    // every audio element decodes its WAV's header: metadata loaded and a positive duration
    await page.waitForFunction(`[...document.querySelectorAll('.audio-panel audio')].every((a) => a.readyState >= 1 && a.duration > 0)`, undefined, { timeout: 20000 });
    const audio = await page.$$eval('.audio-panel audio', (as) => as.map((el) => {
      const a = el as unknown as Media;
      return { src: a.currentSrc, duration: a.duration, error: a.error?.code ?? null };
    }));
    assert.equal(audio.length, 2 * n);
    for (const a of audio) {
      assert.equal(a.error, null);
      assert.ok(a.duration > 0.05 && a.duration < 2, String(a.duration));
      assert.match(a.src, new RegExp(`token=${TOKEN}`), 'the audio source carries the page token');
    }
    const fetched = await page.evaluate(async (src) => {
      const r = await fetch(src);
      const b = new Uint8Array(await r.arrayBuffer());
      return { ok: r.ok, type: r.headers.get('content-type'), magic: String.fromCharCode(...b.subarray(0, 4)) };
    }, audio[0]!.src);
    assert.deepEqual(fetched, { ok: true, type: 'audio/wav', magic: 'RIFF' });
    // the real recording of a digit lasts as long as its file: 2400 samples at 8 kHz
    const real = audio.filter((a) => a.src.includes('real-'));
    assert.equal(real.length, n);
    for (const a of real) assert.ok(Math.abs(a.duration - 0.3) < 0.01, String(a.duration));

    await page.selectOption('.audio-panel select[name="digit"]', '2');
    await page.waitForFunction(`document.querySelectorAll('.tts-item').length === ${TINY_TTS.speakers.length}`);
    assert.deepEqual(await page.$$eval('.tts-item', (els) => [...new Set(els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.digit))]), ['2']);
    await page.waitForFunction(`document.querySelectorAll('.audio-panel canvas[data-drawn="true"]').length === ${2 * TINY_TTS.speakers.length}`);
    const shots = process.env.RNNLENS_SCREENSHOTS ?? join(dir, 'shots');
    mkdirSync(shots, { recursive: true });
    await page.locator('.audio-panel').screenshot({ path: join(shots, 'run-tts.png') });
    await page.selectOption('.audio-panel select[name="speaker"]', 'bob');
    await page.waitForFunction(`document.querySelectorAll('.tts-item').length === 1`);
    assert.equal(await page.locator('.tts-item').getAttribute('data-item'), '2_bob_0');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
