/** Bad input to `attribute` gives an ArgumentError naming the argument, what was expected and what came. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError } from '../../src/core/errors.js';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { attribute, registerMethod } from '../../src/explain/attribute.js';
import type { AttributeOptions } from '../../src/explain/types.js';
import { buildModel, fixtureInput, loadAttributionFixtures } from './helpers.js';

const fixtures = loadAttributionFixtures();
const lstm = fixtures.find((f) => f.name === 'lstm_cls')!;
const tagger = fixtures.find((f) => f.name === 'lstm_tagger')!;
const emb = fixtures.find((f) => f.name === 'emb_lstm')!;
const model = buildModel(lstm, 'ts64');
const x = fixtureInput(lstm) as SeqBatch;
const tmodel = buildModel(emb, 'ts64');
const tokens = fixtureInput(emb) as TokenBatch;

function throwsArg(fn: () => unknown, argument: RegExp, expected: RegExp, received: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArgumentError, `expected ArgumentError, got ${String(e)}`);
    assert.equal(e.where, 'attribute');
    assert.match(e.argument, argument);
    assert.match(e.expected, expected);
    assert.match(e.received, received);
    return true;
  });
}

const run = (o: Partial<AttributeOptions>, input: SeqBatch | TokenBatch = x, m = model) =>
  attribute(m, input, { method: 'saliency', target: 0, ...o } as AttributeOptions);

describe('attribute: bad input', () => {
  it('unknown method', () =>
    throwsArg(() => run({ method: 'gradcam' }), /^method$/, /integrated-gradients/, /gradcam/));
  it('target out of range', () => {
    throwsArg(() => run({ target: 3 }), /target\.index\[0\]/, /\[0, 2\]/, /^3$/);
    throwsArg(() => run({ target: [0, 1] }), /target\.index/, /3 numbers/, /array\(length 2\)/);
    throwsArg(() => run({ target: -1 }), /target\.index/, /\[0, 2\]/, /-1/);
    throwsArg(() => run({ target: undefined as never }), /^target$/, /output index/, /undefined/);
  });
  it('step targets: wrong kind for the model and step out of a sequence', () => {
    throwsArg(
      () => run({ target: { kind: 'step', index: 0, step: 1 } }),
      /target\.kind/,
      /'output'/,
      /'step'/,
    );
    const tm = buildModel(tagger, 'ts64');
    const tx = fixtureInput(tagger);
    throwsArg(
      () => run({ target: { kind: 'output', index: 0 } }, tx, tm),
      /target\.kind/,
      /'step'/,
      /'output'/,
    );
    throwsArg(
      () => run({ target: { kind: 'step', index: 0, step: 3 } }, tx, tm),
      /target\.step\[1\]/,
      /\[0, 1\]/,
      /^3$/,
    );
  });
  it('hidden targets: unknown layer, unit out of range, wrong direction', () => {
    throwsArg(
      () => run({ target: { kind: 'hidden', layer: 'fc', unit: 0 } }),
      /target\.layer/,
      /recurrent layer \(rnn\)/,
      /"fc"/,
    );
    throwsArg(
      () => run({ target: { kind: 'hidden', layer: 'rnn', unit: 6 } }),
      /target\.unit/,
      /\[0, 5\]/,
      /^6$/,
    );
    throwsArg(
      () => run({ target: { kind: 'hidden', layer: 'rnn', unit: 0, direction: 'backward' } }),
      /target\.direction/,
      /'forward'/,
      /'backward'/,
    );
  });
  it('baseline of the wrong shape or kind', () => {
    throwsArg(
      () => run({ baseline: { kind: 'tensor', data: [1, 2, 3] } }),
      /baseline\.data/,
      /15 values \(\[T, F\]/,
      /length 3/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'mean', mean: [1, 2] } }),
      /baseline\.mean/,
      /3 values/,
      /length 2/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'blur', window: 0 } }),
      /baseline\.window/,
      />= 1/,
      /^0$/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'token', id: 0 } }),
      /baseline\.kind/,
      /numeric baseline/,
      /'token'/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'blur', window: 2 } }, tokens, tmodel),
      /baseline\.kind/,
      /token models/,
      /'blur'/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'token', id: 12 } }, tokens, tmodel),
      /baseline\.id/,
      /\[0, 11\]/,
      /^12$/,
    );
    throwsArg(
      () => run({ baseline: { kind: 'samples', data: { ...x, steps: 4 } } }),
      /baseline\.data\.steps/,
      /5 steps/,
      /^4$/,
    );
    throwsArg(() => run({ baseline: Number.NaN }), /^baseline$/, /finite/, /NaN/);
    throwsArg(
      () => run({ baseline: { kind: 'cloud' } as never }),
      /baseline\.kind/,
      /'blur'/,
      /cloud/,
    );
  });
  it('steps < 1 and other option values', () => {
    throwsArg(() => run({ method: 'integrated-gradients', steps: 0 }), /^steps$/, />= 1/, /^0$/);
    throwsArg(
      () => run({ method: 'integrated-gradients', steps: 2.5 }),
      /^steps$/,
      /integer/,
      /2\.5/,
    );
    throwsArg(
      () => run({ method: 'integrated-gradients', rule: 'simpson' as never }),
      /^rule$/,
      /gauss-legendre/,
      /simpson/,
    );
    throwsArg(
      () => run({ method: 'integrated-gradients', rule: 'riemann-trapezoid', steps: 1 }),
      /^steps$/,
      /at least 2/,
      /^1$/,
    );
    throwsArg(
      () => run({ method: 'occlusion', window: [6, 1] }),
      /^window$/,
      /steps <= 5/,
      /array/,
    );
    throwsArg(() => run({ method: 'occlusion', strides: 0 }), /^strides$/, />= 1/, /^0$/);
    throwsArg(
      () => run({ method: 'noise-tunnel', inner: 'occlusion' }),
      /^inner$/,
      /gradient method/,
      /perturbation/,
    );
    throwsArg(
      () => run({ method: 'noise-tunnel', noiseType: 'loud' as never }),
      /^noiseType$/,
      /vargrad/,
      /loud/,
    );
    throwsArg(() => run({ method: 'lime', alpha: -1 }), /^alpha$/, />= 0/, /-1/);
    throwsArg(
      () => run({ method: 'feature-ablation', groups: { mask: [0, 1] } }),
      /groups\.mask/,
      /15 group ids/,
      /length 2/,
    );
    throwsArg(
      () => run({ method: 'feature-ablation', groups: 'tokens' as never }),
      /^groups$/,
      /'steps'/,
      /tokens/,
    );
    throwsArg(() => run({ batchSize: 0 }), /^batchSize$/, />= 1/, /^0$/);
    throwsArg(
      () =>
        run(
          { method: 'feature-permutation' },
          { ...x, batch: 1, data: x.data.slice(0, 15), lengths: Int32Array.of(5) },
        ),
      /input\.batch/,
      /at least 2 sequences/,
      /^1$/,
    );
  });
  it('input of the wrong kind or shape', () => {
    throwsArg(() => run({}, tokens), /^input$/, /numeric sequence batch \[B, T, 3\]/, /token ids/);
    throwsArg(() => run({}, x, tmodel), /^input$/, /token ids/, /numeric/);
    throwsArg(
      () => run({}, { ...x, features: 2, data: x.data.slice(0, 30) }),
      /input\.features/,
      /3 features/,
      /^2$/,
    );
    throwsArg(
      () => run({}, { ...x, data: x.data.map((v, i) => (i === 4 ? Number.NaN : v)) }),
      /input\.data/,
      /finite/,
      /NaN at flat index 4/,
    );
    throwsArg(
      () => run({}, { ...tokens, ids: tokens.ids.map((v, i) => (i === 1 ? 99 : v)) }, tmodel),
      /input\.ids\[0, 1\]/,
      /\[0, 11\]/,
      /99/,
    );
  });
  it('a method that does not apply to the model', () => {
    registerMethod({
      name: 'test-numeric-only',
      family: 'perturbation',
      inputKinds: ['numeric'],
      run: (ctx) => ({ attributions: new Float64Array(ctx.input.data.length) }),
    });
    throwsArg(
      () => run({ method: 'test-numeric-only' }, tokens, tmodel),
      /^method$/,
      /token models \(.*saliency/,
      /'test-numeric-only' \(for numeric input only\)/,
    );
  });
});
