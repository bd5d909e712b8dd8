// The dashboard's JSON API through fastify's inject: every endpoint, bad ids, traversal attempts,
// oversize requests and artifacts, a run still being written, a deleted and a changed artifact.
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are loose JSON here */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { RunStore } from '../../src/runs/store.js';
import { createServer } from '../../src/server/app.js';
import { makeFixtureStore, SEQUENCES, STEPS, UNITS, type FixtureRuns } from './fixture-store.js';

let dir: string;
let store: RunStore;
let runs: FixtureRuns;
let app: FastifyInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlens-api-'));
  store = RunStore.open(join(dir, 'runs'));
  runs = makeFixtureStore(store);
  app = await createServer({ store, webDir: null });
});
after(async () => {
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(
  url: string,
): Promise<{ status: number; json: any; body: string; headers: Record<string, unknown> }> {
  const r = await app.inject({ method: 'GET', url });
  let json: unknown;
  try {
    json = r.json();
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, json, body: r.body, headers: r.headers };
}

function assertError(r: { status: number; json: any }, status: number, code?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.error.status, status);
  if (code) assert.equal(r.json.error.code, code);
  assert.ok(typeof r.json.error.message === 'string' && r.json.error.message.length > 10);
}

describe('runs list', () => {
  it('lists every run newest first with totals', async () => {
    const r = await get('/api/runs');
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 5);
    assert.equal(r.json.runs[0].id, runs.running);
    assert.equal(r.json.runs[0].config, undefined, 'configs are left out of the list');
    assert.equal(r.headers['cache-control'], 'no-store');
  });
  it('filters by kind, status, tag and text, and pages', async () => {
    assert.equal((await get('/api/runs?kind=train')).json.total, 3);
    assert.equal((await get('/api/runs?status=running')).json.runs[0].id, runs.running);
    assert.equal((await get('/api/runs?tag=fixture')).json.runs[0].id, runs.train);
    assert.equal((await get('/api/runs?q=INTERNALS')).json.runs[0].id, runs.broken);
    const p1 = await get('/api/runs?limit=2&offset=0');
    const p2 = await get('/api/runs?limit=2&offset=2');
    assert.equal(p1.json.runs.length, 2);
    assert.equal(p2.json.runs.length, 2);
    assert.notEqual(p1.json.runs[0].id, p2.json.runs[0].id);
    assert.equal((await get('/api/runs?offset=10')).json.runs.length, 0);
  });
  it('rejects malformed filters with 400', async () => {
    assertError(await get('/api/runs?status=done'), 400, 'bad_request');
    assertError(await get('/api/runs?limit=0'), 400);
    assertError(await get('/api/runs?limit=100000'), 400);
    assertError(await get('/api/runs?offset=-1'), 400);
    assertError(await get('/api/runs?kind=../etc'), 400);
  });
});

describe('run details, metrics, artifacts, model, sequences', () => {
  it('returns a run with artifacts, metric series and model config', async () => {
    const r = await get(`/api/runs/${runs.train}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.run.id, runs.train);
    assert.equal(r.json.run.status, 'finished');
    assert.deepEqual(r.json.series.sort(), [
      'train_accuracy',
      'train_loss',
      'val_accuracy',
      'val_loss',
    ]);
    assert.ok(r.json.artifacts.some((a: { name: string }) => a.name === 'distributions.json'));
    assert.equal(r.json.modelConfig.layers[1].kind, 'lstm');
    assert.equal(r.json.hasSequences, true);
    assert.equal(r.json.stale, false);
  });
  it('shows a running run (live metrics) but marks it running', async () => {
    const r = await get(`/api/runs/${runs.running}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.run.status, 'running');
    assert.equal(r.json.hasSequences, false);
    const m = await get(`/api/runs/${runs.running}/metrics`);
    assert.deepEqual(m.json.metrics, [{ name: 'train_loss', step: 1, value: 0.9 }]);
  });
  it('returns metric series, optionally one', async () => {
    const all = await get(`/api/runs/${runs.train}/metrics`);
    assert.equal(all.json.metrics.length, 20);
    const one = await get(`/api/runs/${runs.train}/metrics?name=val_loss`);
    assert.equal(one.json.metrics.length, 5);
    assert.ok(one.json.metrics.every((p: { name: string }) => p.name === 'val_loss'));
  });
  it('lists artifacts and serves the model structure', async () => {
    const a = await get(`/api/runs/${runs.train}/artifacts`);
    assert.equal(a.status, 200);
    assert.ok(a.json.artifacts.length >= 10);
    const m = await get(`/api/runs/${runs.train}/model`);
    assert.equal(m.json.config.input.vocabSize, 500);
    assertError(await get(`/api/runs/${runs.deleted}/model`), 404, 'not_found');
  });
  it('pages and searches the sequence list', async () => {
    const p = await get(`/api/runs/${runs.train}/sequences?offset=2990&limit=50`);
    assert.equal(p.status, 200);
    assert.equal(p.json.total, SEQUENCES);
    assert.equal(p.json.items.length, 10);
    assert.equal(p.json.items[0].index, 2990);
    assert.equal(p.json.items[0].seq, '2990');
    const q = await get(`/api/runs/${runs.train}/sequences?q=number%20123%20`);
    assert.equal(q.json.total, 1);
    assertError(await get(`/api/runs/${runs.train}/sequences?limit=5000`), 400);
    assertError(await get(`/api/runs/${runs.other}/sequences`), 404, 'unknown_artifact');
    assertError(await get(`/api/runs/${runs.running}/sequences`), 409, 'run_in_progress');
  });
  it('answers unknown and malformed run ids with 404 / 400 on every run endpoint', async () => {
    for (const tail of [
      '',
      '/metrics',
      '/curves',
      '/artifacts',
      '/figures',
      '/model',
      '/sequences',
      '/artifacts/history.json',
    ]) {
      assertError(await get(`/api/runs/20990101-000000-000-deadbeef${tail}`), 404, 'unknown_run');
      assertError(await get(`/api/runs/bad.id${tail}`), 400, 'bad_request');
      assertError(await get(`/api/runs/${'x'.repeat(200)}${tail}`), 400, 'bad_request');
    }
  });
  it('refuses path traversal in run ids and artifact names', async () => {
    const attempts = [
      `/api/runs/..%2F..%2Fetc/artifacts`,
      `/api/runs/%2e%2e/artifacts/index.sqlite`,
      `/api/runs/${runs.train}/artifacts/..%2F..%2Findex.sqlite`,
      `/api/runs/${runs.train}/artifacts/%2e%2e`,
      `/api/runs/${runs.train}/artifacts/.hidden`,
      `/api/runs/${runs.train}/artifacts/a..b`,
      `/api/runs/${runs.train}/artifacts/%2Fetc%2Fpasswd`,
    ];
    for (const url of attempts) {
      const r = await get(url);
      assert.ok(r.status === 400 || r.status === 404, `${url} gave ${r.status}`);
      assert.ok(r.json?.error, `${url} answered with a JSON error`);
      assert.ok(!r.body.includes('SQLite format'), `${url} leaked the index`);
    }
    assertError(await get(`/api/runs/${runs.train}/artifacts/a..b`), 400);
    // the run's own run.json is in the folder but not an artifact
    assertError(await get(`/api/runs/${runs.train}/artifacts/run.json`), 404, 'unknown_artifact');
  });
});

describe('artifact content', () => {
  it('parses JSON and figure artifacts', async () => {
    const h = await get(`/api/runs/${runs.train}/artifacts/history.json`);
    assert.equal(h.status, 200);
    assert.equal(h.json.content.length, 5);
    assert.equal(h.json.artifact.kind, 'json');
    const f = await get(`/api/runs/${runs.train}/artifacts/figures-confusion.json`);
    assert.equal(f.json.content.figure, 'confusion-matrix');
  });
  it('streams text and float32 artifacts byte for byte', async () => {
    const t = await get(`/api/runs/${runs.train}/artifacts/log.txt`);
    assert.equal(t.body, 'epoch 1 ... done\n');
    assert.match(String(t.headers['content-type']), /^text\/plain/);
    const r = await app.inject({
      method: 'GET',
      url: `/api/runs/${runs.train}/artifacts/hidden.f32`,
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-rnnlens-shape'], JSON.stringify([UNITS, STEPS]));
    const bytes = r.rawPayload;
    assert.equal(bytes.byteLength, UNITS * STEPS * 4);
    assert.ok(Math.abs(bytes.readFloatLE(4 * 7) - 0.7) < 1e-6);
  });
  it('downloads JSON raw on request', async () => {
    const r = await get(`/api/runs/${runs.train}/artifacts/metrics.json?raw=true`);
    assert.match(String(r.headers['content-disposition']), /attachment/);
    assert.deepEqual(JSON.parse(r.body).test, { accuracy: 0.85 });
  });
  it('gives 404 for unknown and deleted artifacts, 409 while a run is written', async () => {
    assertError(await get(`/api/runs/${runs.train}/artifacts/nope.json`), 404, 'unknown_artifact');
    assertError(
      await get(`/api/runs/${runs.deleted}/artifacts/gone.json`),
      404,
      'artifact_missing',
    );
    assert.equal((await get(`/api/runs/${runs.deleted}/artifacts/kept.json`)).json.content.b, 2);
    assertError(
      await get(`/api/runs/${runs.running}/artifacts/history.json`),
      409,
      'run_in_progress',
    );
    assertError(await get(`/api/runs/${runs.running}/figures`), 409, 'run_in_progress');
  });
  it('gives 409 for an artifact changed after it was written', async () => {
    const w = store.createRun({ kind: 'explain' });
    w.writeJson('a.json', { v: 1 });
    w.writeText('b.txt', 'hello');
    w.finish();
    appendFileSync(join(store.root, w.id, 'a.json'), ' ');
    assertError(await get(`/api/runs/${w.id}/artifacts/a.json`), 409, 'artifact_changed');
    store.remove(w.id);
    assertError(await get(`/api/runs/${w.id}`), 404, 'unknown_run');
  });
  it('refuses artifacts over the size limits with 413', async () => {
    const small = await createServer({
      store,
      webDir: null,
      limits: { jsonBytes: 100, rawBytes: 64 },
    });
    try {
      const r = await small.inject({ url: `/api/runs/${runs.train}/artifacts/history.json` });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json().error.code, 'too_large');
      assert.match(r.json().error.message, /raw=true/);
      const b = await small.inject({ url: `/api/runs/${runs.train}/artifacts/hidden.f32` });
      assert.equal(b.statusCode, 413);
      assert.equal(
        (await small.inject({ url: `/api/runs/${runs.train}/artifacts/log.txt` })).statusCode,
        200,
      );
    } finally {
      await small.close();
    }
  });
});

describe('figures', () => {
  it('builds training curves, distributions and every figure artifact', async () => {
    const r = await get(`/api/runs/${runs.train}/figures`);
    assert.equal(r.status, 200);
    const figs = r.json.figures as {
      key: string;
      group: string;
      figure: string;
      spec?: any;
      error?: string;
      link: any;
    }[];
    assert.equal(figs[0]!.key, 'metrics');
    assert.equal(figs.filter((f) => f.group === 'distributions').length, 3 * 2 + 1);
    assert.equal(figs.filter((f) => f.group === 'artifacts').length, 5);
    assert.ok(
      figs.every((f) => f.spec && !f.error),
      'every figure drawn',
    );
    assert.ok(figs.every((f) => String(f.spec.$schema).includes('vega-lite')));
    assert.equal(figs.find((f) => f.key === 'figures-hidden.json')!.link.unit, 'row');
    assert.equal(figs.find((f) => f.key === 'figures-projection.json')!.link.seq, 'seq');
    const lstm = figs.find((f) => f.key === 'distributions:lstm:weights')!;
    const cells = lstm.spec.layer[0].data.values as { epoch: number; fraction: number }[];
    const ep1 = cells.filter((c) => c.epoch === 1);
    assert.ok(
      Math.abs(ep1.reduce((a, c) => a + c.fraction, 0) - 1) < 1e-9,
      'fractions of one epoch sum to 1',
    );
  });
  it('draws live training curves of a run still being written', async () => {
    const r = await get(`/api/runs/${runs.running}/curves`);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'running');
    assert.deepEqual(r.json.spec.data.values, [
      { step: 1, value: 0.9, metric: 'loss', split: 'train' },
    ]);
    const none = await get(`/api/runs/${runs.deleted}/curves`);
    assert.equal(none.json.spec, null);
    assertError(await get('/api/runs/20990101-000000-000-deadbeef/curves'), 404, 'unknown_run');
  });

  it('reports a figure that cannot be drawn without failing the others', async () => {
    const r = await get(`/api/runs/${runs.broken}/figures`);
    assert.equal(r.status, 200);
    const bad = r.json.figures.find((f: { key: string }) => f.key === 'figures-bad.json');
    assert.match(bad.error, /no-such-figure/);
    assert.ok(r.json.figures.find((f: { key: string }) => f.key === 'figures-good.json').spec);
  });
});

describe('compare and report', () => {
  it('compares runs: summaries, metric names and overlaid curves', async () => {
    const r = await get(`/api/compare?runs=${runs.train},${runs.other}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.runs.length, 2);
    assert.ok(r.json.metricNames.includes('val_accuracy'));
    const splits = new Set(r.json.curves.data.values.map((p: { split: string }) => p.split));
    assert.equal(splits.size, 4);
    assertError(
      await get(`/api/compare?runs=${runs.train},20990101-000000-000-deadbeef`),
      404,
      'unknown_run',
    );
    assertError(await get(`/api/compare?runs=../x`), 400);
    assertError(await get(`/api/compare`), 400);
  });
  it('writes the static report of selected runs (GET and POST)', async () => {
    const g = await get(`/api/report?runs=${runs.train}&title=Fixture%20report`);
    assert.equal(g.status, 200);
    assert.match(String(g.headers['content-type']), /text\/html/);
    assert.ok(g.body.includes('Fixture report') && g.body.includes(runs.train));
    const p = await app.inject({
      method: 'POST',
      url: '/api/report',
      payload: { runs: [runs.other] },
    });
    assert.equal(p.statusCode, 200);
    assert.ok(p.body.includes(runs.other));
    assertError(await get(`/api/report?runs=${runs.running}`), 409, 'run_in_progress');
  });
  it('answers malformed, oversize and wrongly typed bodies with 400 / 413 / 415', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/report',
      headers: { 'content-type': 'application/json' },
      payload: '{"runs": [',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'bad_request');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/report',
      payload: { runs: ['../../etc'] },
    });
    assert.equal(wrong.statusCode, 400);
    const empty = await app.inject({ method: 'POST', url: '/api/report', payload: { runs: [] } });
    assert.equal(empty.statusCode, 400);
    const big = await app.inject({
      method: 'POST',
      url: '/api/report',
      payload: { runs: [runs.train], title: 'x'.repeat(70 * 1024) },
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error.code, 'too_large');
    const text = await app.inject({
      method: 'POST',
      url: '/api/report',
      headers: { 'content-type': 'application/xml' },
      payload: '<runs/>',
    });
    assert.equal(text.statusCode, 415);
    assert.ok(text.json().error);
  });
});

describe('robustness', () => {
  it('never crashes: odd URLs and methods all get a JSON error, and the server keeps serving', async () => {
    const urls = [
      '/api',
      '/api/',
      '/api/nothing',
      '/api/runs/%00',
      '/api/runs/%ZZ',
      '/api/runs?limit=abc',
      '/api/runs?offset=1e400',
      `/api/runs/${runs.train}/artifacts/${'%2e'.repeat(50)}`,
      '/api/runs//artifacts',
      `/api/runs/${runs.train}/figures?x=1`,
      '/api/compare?runs=,,,',
      '/api/report?runs=',
      `/api/runs/${runs.train}/metrics?name=${'n'.repeat(500)}`,
    ];
    for (const url of urls) {
      for (const method of ['GET', 'POST', 'DELETE', 'PUT'] as const) {
        const r = await app.inject({ method, url });
        assert.ok(
          r.statusCode < 500,
          `${method} ${url} gave ${r.statusCode}: ${r.body.slice(0, 200)}`,
        );
        if (r.statusCode >= 400)
          assert.ok(r.json().error, `${method} ${url} answered with a JSON error`);
      }
    }
    assert.equal((await get('/api/health')).json.ok, true);
  });
});
