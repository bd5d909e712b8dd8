// The Explain API on a real spam training run: the models and methods it offers, the dataset
// items, explanations equal to attribute() on the same input, the limits, the clear 400s, the
// token, the time limit, and a run store left exactly as it was.
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are loose JSON here */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { textItem } from '../../src/data/preprocess.js';
import { attribute, listMethods } from '../../src/explain/attribute.js';
import { MAX_PATH_STEPS, PARAM_SPECS } from '../../src/explain/param-specs.js';
import { MAX_SAMPLES } from '../../src/explain/params.js';
import { predictOutputs } from '../../src/predict/predict.js';
import { RunStore } from '../../src/runs/store.js';
import { createServer, DEFAULT_LIMITS } from '../../src/server/app.js';
import { installErrorHandling } from '../../src/server/errors.js';
import { EXPLAIN_LIMITS } from '../../src/server/explain-request.js';
import { registerExplainRoutes } from '../../src/server/explain-routes.js';
import { getRecipe } from '../../src/train/recipes.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { predictedClasses } from '../../src/verify/explanations/perturb.js';
import type { SequenceModel } from '../../src/nn/model.js';
import { trainAddingRun, trainSpamRun } from './explain-run.js';

let dir: string;
let store: RunStore;
let app: FastifyInstance;
let run: string;
let model: SequenceModel;
let preprocessing: Record<string, unknown>;
let before_: Map<string, string>;
let numeric: { id: string; modelDir: string };

/** Every file of the run store with its content hash. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

const TEXT = 'Click here to win free money now, limited offer';

async function post(a: FastifyInstance, payload: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await a.inject({ method: 'POST', url: '/api/explain', payload: payload as object, headers });
  return { status: r.statusCode, json: r.json() };
}

async function get(url: string): Promise<{ status: number; json: any }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, json: r.json() };
}

function assert400(r: { status: number; json: any }, pattern: RegExp): void {
  assert.equal(r.status, 400, JSON.stringify(r.json));
  assert.equal(r.json.error.code, 'bad_request');
  assert.match(r.json.error.message, pattern);
  assert.doesNotMatch(r.json.error.message, /\n\s+at /, 'no stack trace');
}

/** The attribution attribute() computes directly on a token sequence (predicted class, seed 0). */
function direct(ids: Int32Array, options: Record<string, unknown>): { perStep: number[]; delta: number | null; output: number; target: number } {
  const x = { ids, batch: 1, steps: ids.length, lengths: Int32Array.of(ids.length) };
  const target = predictedClasses(model, x)[0]!;
  const r = attribute(model, x, { method: 'integrated-gradients', target: [target], seed: 0, ...options } as any);
  return { perStep: Array.from(r.attributions.data), delta: r.delta ? r.delta[0]! : null, output: r.outputs[0]!, target };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnnlens-explain-api-'));
  store = RunStore.open(join(dir, 'runs'));
  const trained = await trainSpamRun(store);
  run = trained.id;
  const loaded = loadModel(trained.modelDir);
  model = loaded.model;
  preprocessing = loaded.file.preprocessing;
  numeric = await trainAddingRun(store);
  app = await createServer({ store, webDir: null });
  before_ = snapshot(store.root);
});
after(async () => {
  await app?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('explain API', () => {
  it('lists the recorded model: recipe, token input with its vocabulary, class names', async () => {
    const r = await get('/api/models');
    assert.equal(r.status, 200);
    assert.equal(r.json.models.length, 2);
    const m = r.json.models.find((e: any) => e.run === run);
    assert.equal(m.run, run);
    assert.equal(m.recipe, 'spam');
    assert.equal(m.task, 'classification');
    assert.deepEqual(m.input, { kind: 'tokens', vocabSize: model.inputSpec.kind === 'tokens' ? model.inputSpec.vocabSize : -1, text: true, maxLength: 200 });
    assert.deepEqual(m.classNames, ['ham', 'spam']);
    assert.equal(m.outputs, 2);
  });

  it('lists the methods with their parameters, defaults and ranges from the CLI catalogue', async () => {
    const r = await get('/api/methods');
    assert.equal(r.status, 200);
    const names = r.json.methods.map((m: any) => m.name);
    assert.deepEqual(names, listMethods().filter((m) => m !== 'tsr' && m !== 'noise-tunnel'));
    const ig = r.json.methods.find((m: any) => m.name === 'integrated-gradients');
    assert.equal(ig.completeness, true);
    assert.deepEqual(ig.params.find((p: any) => p.name === 'steps'), { name: 'steps', flag: '--steps', type: 'integer', default: 50, min: 1, max: MAX_PATH_STEPS, description: PARAM_SPECS[0]!.description });
    const ks = r.json.methods.find((m: any) => m.name === 'kernel-shap');
    assert.deepEqual(ks.params.find((p: any) => p.name === 'samples')?.max, MAX_SAMPLES);
    assert.equal(ks.params.find((p: any) => p.name === 'samples')?.default, 25);
    const occ = r.json.methods.find((m: any) => m.name === 'occlusion');
    assert.deepEqual(occ.params.map((p: any) => p.name), ['window', 'stride', 'baseline', 'seed']);
    assert.deepEqual(r.json.limits, EXPLAIN_LIMITS);
  });

  it('the catalogue defaults are the methods\' own: giving them changes nothing', async () => {
    const text = { run, input: { text: TEXT } };
    for (const [method, params] of [['integrated-gradients', { steps: 50 }], ['occlusion', { window: '1', stride: '1x1' }], ['gradient-shap', { samples: 5, noise: 0 }]] as const) {
      const a = await post(app, { ...text, method });
      const b = await post(app, { ...text, method, params });
      assert.equal(a.status, 200, JSON.stringify(a.json));
      assert.deepEqual(b.json.attribution, a.json.attribution, method);
    }
  });

  it('explains typed text exactly as attribute() does, with the prediction and the completeness gap', async () => {
    const r = await post(app, { run, method: 'integrated-gradients', input: { text: TEXT }, params: { steps: 24 } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const ids = textItem(TEXT, preprocessing).x as Int32Array;
    assert.deepEqual(r.json.input.ids, Array.from(ids));
    assert.deepEqual(r.json.input.tokens.slice(0, 3), ['click', 'here', 'to']);
    const d = direct(ids, { steps: 24 });
    assert.deepEqual(r.json.attribution.steps, d.perStep);
    assert.equal(r.json.completenessGap, d.delta);
    assert.equal(r.json.output, d.output);
    assert.equal(r.json.target.index, d.target);
    assert.equal(r.json.target.name, ['ham', 'spam'][d.target]);
    const probs = predictOutputs(model, { kind: 'tokens', ids, batch: 1, steps: ids.length, lengths: Int32Array.of(ids.length) }, { task: 'classification' })[0] as number[];
    assert.deepEqual(r.json.prediction.outputs, probs);
    assert.equal(r.json.prediction.predicted.index, d.target);
    assert.equal(r.json.prediction.predicted.probability, probs[d.target]);
    // a class name as the target
    const ham = await post(app, { run, method: 'integrated-gradients', input: { tokens: Array.from(ids) }, params: { steps: 24 }, target: 'ham' });
    assert.equal(ham.json.target.index, 0);
    const x = { ids, batch: 1, steps: ids.length, lengths: Int32Array.of(ids.length) };
    assert.deepEqual(ham.json.attribution.steps, Array.from(attribute(model, x, { method: 'integrated-gradients', target: [0], seed: 0, steps: 24 }).attributions.data));
  });

  it('lists the recipe\'s test items and explains one by its index', async () => {
    const items = await get(`/api/models/${run}/items?split=test&limit=5`);
    assert.equal(items.status, 200, JSON.stringify(items.json));
    const test = getRecipe('spam').load({ seed: 0 }).test;
    assert.equal(items.json.total, test.items.length);
    assert.deepEqual(items.json.items.map((it: any) => it.label), test.items.slice(0, 5).map((it) => it.label));
    assert.equal(items.json.items[0].labelName, ['ham', 'spam'][test.items[0]!.label!]);
    const r = await post(app, { run, method: 'integrated-gradients', input: { item: 3, split: 'test' }, params: { steps: 8 } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const ids = test.items[3]!.x as Int32Array;
    assert.deepEqual(r.json.input.ids, Array.from(ids));
    assert.equal(r.json.input.label, test.items[3]!.label);
    assert.deepEqual(r.json.attribution.steps, direct(ids, { steps: 8 }).perStep);
    assert400(await post(app, { run, method: 'saliency', input: { item: test.items.length } }), new RegExp(`'input.item' expected an index in \\[0, ${test.items.length}\\)`));
    const tooMany = await get(`/api/models/${run}/items?limit=${EXPLAIN_LIMITS.maxItems + 1}`);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.json.error.message, /limit/);
  });

  it('a numeric model: its input described, rows and items explained per step and feature as attribute() does', async () => {
    const m = (await get('/api/models')).json.models.find((e: any) => e.run === numeric.id);
    assert.deepEqual(m.input, { kind: 'numeric', features: 2, typicalLength: 40 });
    assert.equal(m.task, 'regression');
    const net = loadModel(numeric.modelDir).model;
    const rows = [[0.5, 0], [0.2, 1], [-0.3, 0], [0.9, 1], [0.1, 0]];
    const r = await post(app, { run: numeric.id, method: 'integrated-gradients', input: { rows }, params: { steps: 12 } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const x = { data: Float32Array.from(rows.flat()), batch: 1, steps: 5, features: 2, lengths: Int32Array.of(5) };
    const a = attribute(net, x, { method: 'integrated-gradients', target: [0], seed: 0, steps: 12 });
    assert.deepEqual(r.json.attribution.features, rows.map((_, t) => Array.from(a.attributions.data.subarray(t * 2, t * 2 + 2))));
    assert.deepEqual(r.json.attribution.steps, rows.map((_, t) => a.attributions.data[t * 2]! + a.attributions.data[t * 2 + 1]!));
    assert.equal(r.json.completenessGap, a.delta![0]);
    assert.deepEqual(r.json.prediction.outputs, predictOutputs(net, { kind: 'numeric', ...x }, { task: 'regression' })[0]);
    assert.equal(r.json.prediction.predicted, undefined);
    assert400(await post(app, { run: numeric.id, method: 'saliency', input: { rows: [[1, 2, 3]] } }), /'input.rows\[0\]' expected 2 features, received 3/);
    assert400(await post(app, { run: numeric.id, method: 'saliency', input: { text: 'hello' } }), /'input.text' needs a model trained on text/);
    const long = Array.from({ length: EXPLAIN_LIMITS.maxSteps + 1 }, () => [0, 0]);
    assert400(await post(app, { run: numeric.id, method: 'saliency', input: { rows: long } }), /more than the limit of 400 steps/);
    // a test item of the recipe
    const test = getRecipe('adding').load({ seed: 0 }).test;
    const item = await post(app, { run: numeric.id, method: 'occlusion', input: { item: 1 }, params: { window: '3x1' } });
    assert.equal(item.status, 200, JSON.stringify(item.json));
    const it1 = test.items[1]!;
    const xi = { data: Float32Array.from(it1.x), batch: 1, steps: it1.steps, features: 2, lengths: Int32Array.of(it1.steps) };
    const o = attribute(net, xi, { method: 'occlusion', target: [0], seed: 0, window: [3, 1] });
    assert.deepEqual(item.json.attribution.features.flat(), Array.from(o.attributions.data));
    assert.equal(item.json.completenessGap, null);
  });

  it('refuses input over the documented size with a 400 naming the limit', async () => {
    const long = Array.from({ length: EXPLAIN_LIMITS.maxSteps + 1 }, () => 5);
    assert400(await post(app, { run, method: 'saliency', input: { tokens: long } }), /more than the limit of 400 steps/);
    assert400(await post(app, { run, method: 'saliency', input: { text: 'a '.repeat(EXPLAIN_LIMITS.maxTextChars) } }), /more than the limit of 20000/);
    // a longer text is cut to the length the model was trained on (the spam recipe's 200 tokens)
    const cut = await post(app, { run, method: 'saliency', input: { text: 'free '.repeat(EXPLAIN_LIMITS.maxSteps + 5) } });
    assert.equal(cut.status, 200);
    assert.equal(cut.json.input.steps, 200);
    assert.equal(cut.json.attribution.steps.length, 200);
    const big = await app.inject({ method: 'POST', url: '/api/explain', payload: { run, method: 'saliency', input: { text: 'x'.repeat(DEFAULT_LIMITS.bodyBytes) } } });
    assert.equal(big.statusCode, 413);
  });

  it('names an unknown method, parameter or field, and values out of range', async () => {
    const base = { run, input: { text: TEXT } };
    assert400(await post(app, { ...base, method: 'no-such-method' }), /'method' expected one of .*integrated-gradients.*received "no-such-method"/);
    assert400(await post(app, { ...base, method: 'saliency', params: { sigma: 1 } }), /unknown parameter 'params.sigma'/);
    assert400(await post(app, { ...base, method: 'saliency', params: { window: '2' } }), /'params.window' is a parameter of occlusion; method 'saliency' does not use it/);
    assert400(await post(app, { ...base, method: 'kernel-shap', params: { samples: MAX_SAMPLES + 1 } }), /'params.samples' expected an integer in \[1, 10,000\], received 10001/);
    assert400(await post(app, { ...base, method: 'integrated-gradients', params: { steps: 1.5 } }), /'params.steps' expected an integer/);
    assert400(await post(app, { ...base, method: 'occlusion', params: { window: '2x9' } }), /'params.window' expected STEPS \(or STEPSx4\) for a token model/);
    assert400(await post(app, { ...base, method: 'saliency', target: 'eggs' }), /'target' expected one of the class names "ham", "spam" or an output index in \[0, 2\), received "eggs"/);
    assert400(await post(app, { ...base, method: 'saliency', extra: 1 }), /unknown field 'extra'/);
    assert400(await post(app, { run, method: 'saliency', input: { rows: [[1, 2]] } }), /'input.rows' is for numeric models/);
    assert400(await post(app, { run, method: 'saliency', input: { text: TEXT, tokens: [2] } }), /exactly one of 'text', 'tokens', 'rows', 'item'/);
    assert400(await post(app, { run, method: 'saliency', input: { tokens: [2, 5000] } }), /'input.tokens\[1\]' expected a token id in \[0, 5000\), received 5000/);
    const unknown = await post(app, { run: 'no-such-run', method: 'saliency', input: { text: TEXT } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error.message, /no run with id 'no-such-run'/);
  });

  it('requires the token when the server has one', async () => {
    const guarded = await createServer({ store, webDir: null, token: 'secret-token' });
    try {
      const payload = { run, method: 'saliency', input: { text: TEXT } };
      const no = await post(guarded, payload);
      assert.equal(no.status, 401);
      assert.equal(no.json.error.code, 'unauthorized');
      assert.equal((await guarded.inject({ method: 'GET', url: '/api/models' })).statusCode, 401);
      assert.equal((await guarded.inject({ method: 'GET', url: '/api/methods' })).statusCode, 401);
      assert.equal((await guarded.inject({ method: 'GET', url: `/api/models/${run}/items` })).statusCode, 401);
      assert.equal((await post(guarded, payload, { authorization: 'Bearer wrong' })).status, 401);
      const yes = await post(guarded, payload, { authorization: 'Bearer secret-token' });
      assert.equal(yes.status, 200, JSON.stringify(yes.json));
      assert.equal((await guarded.inject({ method: 'GET', url: '/api/models?token=secret-token' })).statusCode, 200);
    } finally {
      await guarded.close();
    }
  });

  it('stops an explanation at the time limit with a 504, and keeps serving', async () => {
    const quick = Fastify();
    installErrorHandling(quick);
    registerExplainRoutes(quick, store, DEFAULT_LIMITS, { timeoutMs: 300 });
    try {
      const slow = await post(quick, { run, method: 'shapley-sampling', input: { text: TEXT.repeat(8) }, params: { perms: MAX_SAMPLES } });
      assert.equal(slow.status, 504, JSON.stringify(slow.json));
      assert.equal(slow.json.error.code, 'timeout');
      assert.match(slow.json.error.message, /time limit of 0.3 s/);
      const models = await quick.inject({ method: 'GET', url: '/api/models' });
      assert.equal(models.statusCode, 200);
    } finally {
      await quick.close();
    }
  });

  it('leaves the run store exactly as it was', () => {
    assert.deepEqual(snapshot(store.root), before_);
    assert.equal(store.list().length, 2);
  });
});
