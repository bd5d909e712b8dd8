import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RunStore } from '../../src/runs/store.js';
import { createServer } from '../../src/server/app.js';

let store: RunStore;
let app: FastifyInstance;
let runId = '';

before(async () => {
  store = RunStore.open(mkdtempSync(join(tmpdir(), 'rnnlens-harden-')));
  const w = store.createRun({ kind: 'train', config: {} });
  w.writeJson('a.json', { hello: 'world' });
  w.writeJson('b.json', { other: 1 });
  const secret = join(mkdtempSync(join(tmpdir(), 'rnnlens-secret-')), 'secret.txt');
  writeFileSync(secret, 'top secret');
  w.finish('finished');
  runId = w.id;
  // b.json replaced by a symbolic link out of the run folder
  rmSync(join(store.root, runId, 'b.json'));
  symlinkSync(secret, join(store.root, runId, 'b.json'));
  app = await createServer({ store, webDir: null, reportPerMinute: 2, allowedHosts: ['rnnlens.internal'] });
});
after(async () => {
  await app.close();
  store.close();
});

describe('server hardening', () => {
  it('answers only to loopback names and the allowed hosts (DNS rebinding)', async () => {
    for (const host of ['localhost:5178', '127.0.0.1:5178', '[::1]:5178', 'rnnlens.internal']) {
      const r = await app.inject({ url: '/api/runs', headers: { host } });
      assert.equal(r.statusCode, 200, host);
    }
    const evil = await app.inject({ url: '/api/runs', headers: { host: 'attacker.example:5178' } });
    assert.equal(evil.statusCode, 403);
    assert.match(evil.body, /host_not_allowed.*--allowed-host/);
  });

  it('sends security headers on every response', async () => {
    for (const url of ['/api/runs', '/', '/api/nope']) {
      const r = await app.inject({ url, headers: { host: 'localhost' } });
      assert.match(String(r.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('raw downloads: no symlinks out of the run folder, and the recorded hash is checked', async () => {
    const link = await app.inject({ url: `/api/runs/${runId}/artifacts/b.json?raw=true`, headers: { host: 'localhost' } });
    assert.equal(link.statusCode, 403);
    assert.doesNotMatch(link.body, /top secret/);
    const ok = await app.inject({ url: `/api/runs/${runId}/artifacts/a.json?raw=true`, headers: { host: 'localhost' } });
    assert.equal(ok.statusCode, 200);
    // same size, other content
    const file = join(store.root, runId, 'a.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('world', 'WORLD'));
    const changed = await app.inject({ url: `/api/runs/${runId}/artifacts/a.json?raw=true`, headers: { host: 'localhost' } });
    assert.equal(changed.statusCode, 409);
    assert.match(changed.body, /changed after it was written/);
    writeFileSync(file, text);
  });

  it('numeric query bounds: offset=1e309 is a 400, not null', async () => {
    const r = await app.inject({ url: '/api/runs?offset=1e309', headers: { host: 'localhost' } });
    assert.equal(r.statusCode, 400);
  });

  it('rate-limits the report endpoint', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ url: `/api/report?runs=${runId}`, headers: { host: 'localhost' } });
      codes.push(r.statusCode);
    }
    assert.notEqual(codes[0], 429);
    assert.equal(codes[2], 429);
  });
});
