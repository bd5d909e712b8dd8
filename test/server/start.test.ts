// Listening for real: loopback by default, token rules for other hosts, static files of the web
// app, and the `serve` command's printed address.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '../../src/cli/serve.js';
import { RunStore } from '../../src/runs/store.js';
import { createServer } from '../../src/server/app.js';
import { isLoopback } from '../../src/server/auth.js';
import { startServer } from '../../src/server/start.js';

let dir: string;
let webDir: string;
let runsDir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlens-start-'));
  runsDir = join(dir, 'runs');
  const store = RunStore.open(runsDir);
  const w = store.createRun({ kind: 'train' });
  w.writeJson('history.json', []);
  w.finish();
  store.close();
  webDir = join(dir, 'web');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>rnnlens test app</title>');
  writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the web root');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('startServer', () => {
  it('binds 127.0.0.1 without a token and serves API and app over HTTP', async () => {
    const s = await startServer({ runsDir, port: 0, webDir });
    try {
      assert.equal(s.host, '127.0.0.1');
      assert.equal(s.token, null);
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const runs = (await (await fetch(`${s.url}api/runs`)).json()) as { total: number };
      assert.equal(runs.total, 1);
      const page = await fetch(s.url);
      assert.match(await page.text(), /rnnlens test app/);
      assert.equal((await fetch(`${s.url}assets/app.js`)).status, 200);
      const escape = await fetch(`${s.url}..%2Fsecret.txt`);
      assert.notEqual(escape.status, 200);
      assert.doesNotMatch(await escape.text(), /outside the web root/);
    } finally {
      await s.close();
    }
  });

  it('refuses any other host without a token, saying how to set one; with one, every /api path needs it', async () => {
    await assert.rejects(
      startServer({ runsDir, host: '0.0.0.0', port: 0, webDir }),
      /'--token' expected an access token when binding to 0\.0\.0\.0.*pass --token T/,
    );
    const given = 'a-long-enough-token-1234';
    const s = await startServer({ runsDir, host: '0.0.0.0', port: 0, webDir, token: given, allowedHosts: ['127.0.0.1'] });
    try {
      assert.equal(s.tokenGenerated, false);
      assert.equal(s.token, given);
      assert.ok(s.url.includes(`?token=${s.token}`));
      const base = `http://127.0.0.1:${s.port}`;
      const none = await fetch(`${base}/api/runs`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'unauthorized');
      assert.equal((await fetch(`${base}/api/runs?token=wrong-token`)).status, 401);
      assert.equal((await fetch(`${base}/api/runs?token=${s.token}`)).status, 200);
      assert.equal(
        (await fetch(`${base}/api/runs`, { headers: { authorization: `Bearer ${s.token}` } }))
          .status,
        200,
      );
      assert.equal(
        (await fetch(`${base}/api/runs`, { headers: { 'x-rnnlens-token': s.token! } })).status,
        200,
      );
      // unknown API paths need the token too (they answered 404 without it)
      assert.equal((await fetch(`${base}/api/no-such-route`)).status, 401);
      assert.equal((await fetch(`${base}/%61pi/no-such-route`)).status, 401);
      assert.equal((await fetch(`${base}/api/no-such-route?token=${s.token}`)).status, 404);
      // the app shell itself is public; it reads the token from its address
      assert.equal((await fetch(`${base}/`)).status, 200);
    } finally {
      await s.close();
    }
  });

  it('uses a given token and refuses short ones and bad ports', async () => {
    const s = await startServer({
      runsDir,
      host: '0.0.0.0',
      port: 0,
      token: 'a-chosen-token',
      webDir: null,
    });
    try {
      assert.equal(s.tokenGenerated, false);
      assert.equal(
        (
          await fetch(`http://127.0.0.1:${s.port}/api/health`, {
            headers: { authorization: 'Bearer a-chosen-token' },
          })
        ).status,
        200,
      );
      assert.equal((await fetch(`http://127.0.0.1:${s.port}/api/health`)).status, 401);
    } finally {
      await s.close();
    }
    await assert.rejects(startServer({ runsDir, token: 'short' }), /token/);
    await assert.rejects(startServer({ runsDir, port: 70000 }), /port/);
  });

  it('a token can also be required on loopback', async () => {
    const store = RunStore.open(runsDir);
    const app = await createServer({ store, token: 'loopback-token', webDir: null });
    try {
      assert.equal((await app.inject({ url: '/api/runs' })).statusCode, 401);
      assert.equal((await app.inject({ url: '/api/runs?token=loopback-token' })).statusCode, 200);
      // percent-encoded paths reach the same routes and must not get around the token
      for (const url of [
        '/%61pi/runs',
        '/%61%70%69/runs/x',
        '/api%2Fruns',
        '/api/runs/',
        '/./api/runs',
        '/%2e/api/health',
      ]) {
        const r = await app.inject({ url });
        assert.ok(r.statusCode === 401 || r.statusCode === 404, `${url} gave ${r.statusCode}`);
        assert.ok(!r.body.includes('"runs"'), `${url} leaked the run list`);
      }
    } finally {
      await app.close();
      store.close();
    }
  });

  it('tells loopback addresses apart', () => {
    assert.ok(
      isLoopback('127.0.0.1') &&
        isLoopback('::1') &&
        isLoopback('localhost') &&
        isLoopback('127.1.2.3'),
    );
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('192.168.1.5') && !isLoopback('::'));
  });
});

describe('rnnlens serve', () => {
  it('prints its address with the token given', async () => {
    let text = '';
    const s = await serve(
      { port: 0, host: '0.0.0.0', runsDir, webDir, token: 'printed-token-5678' },
      { write: (t) => void (text += t) },
    );
    try {
      assert.match(text, /rnnlens dashboard: http:\/\/0\.0\.0\.0:\d+\/\?token=printed-token-5678/);
      assert.match(text, /access token required: the one given with --token/);
    } finally {
      await s.close();
    }
  });
});
