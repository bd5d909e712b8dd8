import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getBackend } from '../../src/core/backends.js';
import { Rng } from '../../src/core/rng.js';
import { TtsModel, ttsParameterCount, type TtsConfig } from '../../src/speech/acoustic-model.js';
import { makeBatch, type TtsExample } from '../../src/speech/tts-data.js';
import { ttsLoss } from '../../src/speech/tts-loss.js';
import { generate } from '../../src/speech/generate.js';

const be = getBackend('ts64');
const tiny = (cell: 'lstm' | 'gru'): TtsConfig => ({ digits: ['0', '1', '2'], speakers: ['a', 'b'], melBands: 3, reduction: 2, cell, hidden: 4, layers: 2, prenet: 5, prenetDropout: 0.5, digitDim: 2, speakerDim: 2 });

function examples(seed: number, M: number): TtsExample[] {
  const rng = new Rng(seed);
  return [5, 3, 4].map((frames, i) => ({ digit: i % 3, speaker: i % 2, frames, mel: Float32Array.from({ length: frames * M }, () => rng.normal()) }));
}

for (const cell of ['lstm', 'gru'] as const) {
  test(`${cell} synthesiser: analytic gradients of the loss (mel L1+L2 and stop BCE) match central differences`, () => {
    const cfg = tiny(cell);
    const model = new TtsModel(cfg, { seed: 3, backend: be });
    const { input, target, frames } = makeBatch(examples(1, cfg.melBands), cfg.melBands, cfg.reduction, (n) => be.alloc(n));
    // dropout on, with the same mask for every evaluation (same seed)
    const lossAt = (): number => {
      const out = model.forward(input, { rng: new Rng(9), outputsOnly: true });
      return ttsLoss(out.mel, out.stop, target, frames, input.lengths, input.steps, cfg.melBands, cfg.reduction).loss;
    };
    const params = model.parameters();
    // biases start at 0 and the go frame is 0, so the pre-net's ReLUs would sit exactly on their kink
    const jitter = new Rng(5);
    for (const p of params) if (p.name.endsWith('bias')) for (let i = 0; i < p.value.length; i++) p.value[i] = jitter.uniform(-0.3, 0.3);
    for (const p of params) p.grad.fill(0);
    const out = model.forward(input, { rng: new Rng(9) });
    const l = ttsLoss(out.mel, out.stop, target, frames, input.lengths, input.steps, cfg.melBands, cfg.reduction);
    const g = model.backward(l.dMel, l.dStop);
    let checked = 0;
    let worst = 0;
    for (const p of params) {
      for (const i of [0, Math.floor(p.value.length / 2), p.value.length - 1]) {
        const v = p.value[i]!;
        const h = 1e-5;
        p.value[i] = v + h;
        const up = lossAt();
        p.value[i] = v - h;
        const down = lossAt();
        p.value[i] = v;
        const num = (up - down) / (2 * h);
        const err = Math.abs(num - p.grad[i]!) / Math.max(1e-6, Math.abs(num) + Math.abs(p.grad[i]!));
        // L1 kinks: skip a coordinate whose difference straddles one (rare)
        if (Math.abs(num - p.grad[i]!) > 1e-6) worst = Math.max(worst, err);
        checked++;
      }
    }
    assert.ok(checked >= 3 * params.length - 2);
    assert.ok(worst < 1e-4, `worst relative error ${worst}`);
    // the gradient on the conditioning vectors: check one coordinate by perturbing the embedding bias
    // (the bias adds to every row's embedding, so dL/db = Σ_b dL/de_b)
    const b = model.digitEmbed.bias;
    const sum = g.digitEmbedding[0]! + g.digitEmbedding[2]! + g.digitEmbedding[4]!;
    assert.ok(Math.abs(sum - b.grad[0]!) < 1e-10, `${sum} vs ${b.grad[0]}`);
  });
}

test('free-running synthesis: deterministic for a seed, different across seeds, unknown names listed', () => {
  const cfg = tiny('lstm');
  const model = new TtsModel(cfg, { seed: 1, backend: be });
  const a = generate(model, '1', 'b', { seed: 4, maxSteps: 6, minSteps: 6 });
  const b = generate(model, '1', 'b', { seed: 4, maxSteps: 6, minSteps: 6 });
  const c = generate(model, '1', 'b', { seed: 5, maxSteps: 6, minSteps: 6 });
  assert.equal(a.frames, 12);
  assert.deepEqual(a.mel, b.mel);
  assert.notDeepEqual(a.mel, c.mel);
  assert.throws(() => generate(model, '7', 'b'), /digit' expected one of the model's digits: 0, 1, 2, received "7"/);
  assert.throws(() => generate(model, '1', 'zed'), /speakers: a, b, received "zed"/);
});

test('teacher-forced step t sees the true frame t·r − 1; free-running step by step equals one pass over its own frames', () => {
  const cfg = { ...tiny('gru'), prenetDropout: 0 };
  const model = new TtsModel(cfg, { seed: 2, backend: be });
  const g = generate(model, '2', 'a', { maxSteps: 4, minSteps: 4 });
  const ex: TtsExample = { digit: 2, speaker: 0, frames: g.frames, mel: g.mel };
  const { input } = makeBatch([ex], cfg.melBands, cfg.reduction, (n) => be.alloc(n));
  const out = model.forward(input, { outputsOnly: true });
  for (let i = 0; i < g.mel.length; i++) assert.ok(Math.abs(out.mel[i]! - g.mel[i]!) < 1e-5, `frame value ${i}: ${out.mel[i]} vs ${g.mel[i]}`);
});

interface RefCase {
  cell: 'lstm' | 'gru';
  config: TtsConfig;
  params: Record<string, number[]>;
  batch: { digit: number[]; speaker: number[]; prev: number[]; steps: number; lengths: number[]; target: number[]; frames: number[] };
  loss: number;
  mel: number;
  stop: number;
  grads: Record<string, number[]>;
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/speech/tts_reference.json', import.meta.url), 'utf8')) as { cases: RefCase[] };

for (const c of ref.cases) {
  test(`${c.cell} synthesiser: loss and every parameter gradient match a PyTorch re-implementation (tools/make_tts_fixtures.py)`, () => {
    const model = new TtsModel(c.config, { backend: be });
    const params = model.parameters();
    assert.deepEqual(params.map((p) => p.name).sort(), Object.keys(c.params).sort());
    for (const p of params) {
      p.value.set(c.params[p.name]!);
      p.grad.fill(0);
    }
    const b = c.batch;
    const input = { digit: Int32Array.from(b.digit), speaker: Int32Array.from(b.speaker), prev: Float64Array.from(b.prev), batch: b.digit.length, steps: b.steps, lengths: Int32Array.from(b.lengths) };
    const out = model.forward(input, { prenetDropout: false });
    const l = ttsLoss(out.mel, out.stop, Float64Array.from(b.target), Int32Array.from(b.frames), input.lengths, b.steps, c.config.melBands, c.config.reduction);
    assert.ok(Math.abs(l.mel - c.mel) < 1e-12 && Math.abs(l.stop - c.stop) < 1e-12, `${l.mel} ${l.stop} vs ${c.mel} ${c.stop}`);
    model.backward(l.dMel, l.dStop);
    for (const p of params) {
      const want = c.grads[p.name]!;
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(p.grad[i]! - want[i]!) < 1e-10, `${p.name}[${i}]: ${p.grad[i]} vs ${want[i]}`);
    }
  });
}

test('the declared parameter count matches the built model and is checked against the limits before building', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    const cfg = tiny(cell);
    const n = new TtsModel(cfg, { backend: be }).parameters().reduce((s, p) => s + p.value.length, 0);
    assert.equal(ttsParameterCount(cfg), n);
  }
  assert.throws(() => new TtsModel({ ...tiny('lstm'), hidden: 4096, layers: 8 }), /parameters' expected at most 100,000,000 \(the parameters limit; raise it with RNNLENS_MAX_PARAMETERS=N\)/);
  assert.throws(() => new TtsModel({ ...tiny('lstm'), cell: 'rnn' as never }), /'cell' expected 'lstm' or 'gru'/);
  assert.throws(() => new TtsModel({ ...tiny('lstm'), speakers: [] }), /'speakers' expected a non-empty list/);
});
