/** Bad input gives an ArgumentError naming the layer, the argument, what was expected and what came. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RnnlensError } from '../../src/core/errors.js';
import { Tensor } from '../../src/core/tensor.js';
import type { ModelConfig } from '../../src/nn/config.js';
import { SequenceModel } from '../../src/nn/model.js';
import { layerFromConfig } from '../../src/nn/from-config.js';
import { getBackend } from '../../src/core/backends.js';

const numeric: ModelConfig = {
  input: { kind: 'numeric', features: 3 },
  layers: [
    { kind: 'lstm', name: 'enc', units: 2, returnSequences: true },
    { kind: 'head', pool: 'last' },
    { kind: 'dense', units: 1 },
  ],
};
const tokens: ModelConfig = {
  input: { kind: 'tokens', vocabSize: 5 },
  layers: [
    { kind: 'embedding', name: 'emb', vocabSize: 5, dim: 2 },
    { kind: 'gru', units: 2 },
    { kind: 'dense', units: 1 },
  ],
};

function seq(batch: number, steps: number, features: number, lengths: number[], fill = 0.1) {
  return {
    data: new Float64Array(batch * steps * features).fill(fill),
    batch,
    steps,
    features,
    lengths: Int32Array.from(lengths),
  };
}

/** Asserts an ArgumentError whose fields match. */
function throwsArg(
  fn: () => unknown,
  where: RegExp,
  argument: RegExp,
  expected: RegExp,
  received: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArgumentError, `expected ArgumentError, got ${String(e)}`);
    assert.match(e.where, where);
    assert.match(e.argument, argument);
    assert.match(e.expected, expected);
    assert.match(e.received, received);
    assert.match(e.message, /expected .* received /);
    return true;
  });
}

describe('bad input', () => {
  const model = new SequenceModel(numeric, { backend: 'ts64' });
  const tmodel = new SequenceModel(tokens, { backend: 'ts64' });

  it('wrong feature count', () => {
    throwsArg(
      () => model.forward(seq(2, 4, 5, [4, 4])),
      /enc/,
      /input\.features/,
      /^3 features$/,
      /^5$/,
    );
  });

  it('data length that does not match the shape', () => {
    const x = seq(2, 4, 3, [4, 4]);
    x.data = x.data.subarray(0, 20);
    throwsArg(() => model.forward(x), /enc/, /input\.data/, /24 values/, /length 20/);
  });

  it('NaN and Infinity in the input', () => {
    const x = seq(2, 4, 3, [4, 4]);
    x.data[7] = NaN;
    throwsArg(() => model.forward(x), /enc/, /input\.data/, /finite/, /NaN at flat index 7/);
    x.data[7] = Infinity;
    throwsArg(() => model.forward(x), /enc/, /input\.data/, /finite/, /Infinity/);
  });

  it('token id out of range names the layer, the id, its position and the vocabulary size', () => {
    const ids = Int32Array.from([1, 2, 3, 0, 4, 7, 0, 0]);
    throwsArg(
      () => tmodel.forward({ ids, batch: 2, steps: 4, lengths: Int32Array.from([4, 2]) }),
      /^emb$/,
      /input\.ids\[1, 1\]/,
      /\[0, 4\].*vocabulary size 5/,
      /^7$/,
    );
    ids[5] = -1;
    throwsArg(
      () => tmodel.predict({ ids, batch: 2, steps: 4, lengths: Int32Array.from([4, 2]) }),
      /^emb$/,
      /input\.ids\[1, 1\]/,
      /vocabulary size 5/,
      /^-1$/,
    );
    // Ids at padded steps are ignored.
    ids[5] = 1;
    ids[7] = 99;
    assert.doesNotThrow(() =>
      tmodel.forward({ ids, batch: 2, steps: 4, lengths: Int32Array.from([4, 2]) }),
    );
  });

  it('numeric input to a token model and token input to a numeric model', () => {
    throwsArg(() => tmodel.forward(seq(1, 2, 3, [2])), /emb/, /^input$/, /token ids/, /numeric/);
    throwsArg(
      () =>
        model.forward({ ids: new Int32Array(2), batch: 1, steps: 2, lengths: Int32Array.of(2) }),
      /enc/,
      /^input$/,
      /numeric sequence batch/,
      /token ids/,
    );
  });

  it('NaN in the weights', () => {
    const m = new SequenceModel(numeric, { backend: 'ts64' });
    m.parameters()[4]!.value[1] = NaN;
    throwsArg(
      () => m.predict(seq(1, 2, 3, [2])),
      /^dense$/,
      /parameter dense\/kernel/,
      /finite/,
      /NaN at flat index 1/,
    );
  });

  it('empty batch', () => {
    throwsArg(() => model.forward(seq(0, 4, 3, [])), /enc/, /input\.batch/, /at least 1/, /^0$/);
    throwsArg(() => model.predict(seq(0, 4, 3, [])), /enc/, /input\.batch/, /at least 1/, /^0$/);
  });

  it('zero-length sequence', () => {
    throwsArg(
      () => model.forward(seq(2, 4, 3, [4, 0])),
      /enc/,
      /input\.lengths\[1\]/,
      /\[1, 4\]/,
      /^0$/,
    );
    throwsArg(
      () => model.forward(seq(1, 0, 3, [0])),
      /enc/,
      /input\.steps/,
      /at least 1 step/,
      /^0$/,
    );
  });

  it('lengths longer than steps, or missing', () => {
    throwsArg(
      () => model.forward(seq(2, 4, 3, [4, 6])),
      /enc/,
      /input\.lengths\[1\]/,
      /\[1, 4\]/,
      /^6$/,
    );
    throwsArg(
      () => model.forward(seq(2, 4, 3, [4])),
      /enc/,
      /input\.lengths/,
      /2 lengths/,
      /length 1/,
    );
  });

  it('gradients of the wrong shape and backward before forward', () => {
    const fresh = new SequenceModel(numeric, { backend: 'ts64' });
    assert.throws(
      () => fresh.backward(new Tensor([2, 1], new Float64Array(2))),
      (e: unknown) => e instanceof RnnlensError && /forward first/.test(e.message),
    );
    fresh.forward(seq(2, 4, 3, [4, 2]));
    throwsArg(
      () => fresh.backward(new Tensor([2, 3], new Float64Array(6))),
      /dense/,
      /gradOutput/,
      /2 values \(\[2, 1\]\)/,
      /\[2, 3\]/,
    );
  });

  it('bad initial states and injections', () => {
    const x = seq(2, 4, 3, [4, 2]);
    throwsArg(
      () => model.forward(x, { initialStates: { enc: { forward: { h: new Float64Array(3) } } } }),
      /enc/,
      /initialState\.forward\.h/,
      /4 values/,
      /3 values/,
    );
    throwsArg(
      () => model.forward(x, { initialStates: { dense: {} } }),
      /SequenceModel/,
      /initialStates\.dense/,
      /recurrent layer/,
      /dense/,
    );
    model.forward(x);
    throwsArg(
      () => model.backward(new Tensor([2, 1], new Float64Array(2)), { inject: { nope: {} } }),
      /SequenceModel/,
      /^layer$/,
      /enc, head, dense/,
      /nope/,
    );
    throwsArg(
      () =>
        model.backward(new Tensor([2, 1], new Float64Array(2)), {
          inject: { enc: { forward: { dSteps: new Float64Array(5) } } },
        }),
      /enc/,
      /inject\.forward\.dSteps/,
      /16 values/,
      /5 values/,
    );
  });

  it('bad configs', () => {
    throwsArg(
      () =>
        new SequenceModel({
          input: { kind: 'numeric', features: 0 },
          layers: [{ kind: 'dense', units: 1 }],
        }),
      /SequenceModel/,
      /config\.input\.features/,
      />=1/,
      /^0$/,
    );
    throwsArg(
      () => new SequenceModel({ ...numeric, layers: [{ kind: 'lstm', units: -2 }] } as ModelConfig),
      /SequenceModel/,
      /config\.layers\.0\.units/,
      />=1/,
      /-2/,
    );
    throwsArg(
      () =>
        new SequenceModel({
          ...numeric,
          layers: [
            { kind: 'lstm', units: 2 },
            { kind: 'head', pool: 'last' },
          ],
        }),
      /head/,
      /kind/,
      /\[B, F\] rows/,
      /head/,
    );
    throwsArg(
      () =>
        new SequenceModel({ ...numeric, layers: [{ kind: 'embedding', vocabSize: 3, dim: 2 }] }),
      /embedding/,
      /kind/,
      /first layer of a token model/,
      /embedding/,
    );
    throwsArg(
      () =>
        new SequenceModel({
          ...numeric,
          layers: [
            { kind: 'dense', name: 'a', units: 1 },
            { kind: 'dense', name: 'a', units: 1 },
          ],
        }),
      /SequenceModel/,
      /name/,
      /unique/,
      /"a"/,
    );
    throwsArg(
      () =>
        new SequenceModel({
          ...tokens,
          layers: [
            { kind: 'embedding', vocabSize: 4, dim: 2 },
            { kind: 'dense', units: 1 },
          ],
        }),
      /embedding/,
      /vocabSize/,
      /5/,
      /4/,
    );
    throwsArg(
      () => layerFromConfig({ kind: 'lstm', units: 2, activation: 'relu' }, { inputFeatures: 3 }),
      /lstm/,
      /config\.activation/,
      /only simple_rnn/,
      /relu/,
    );
    throwsArg(
      () => layerFromConfig({ kind: 'dense', units: 2, inputSize: 4 }, { inputFeatures: 3 }),
      /dense/,
      /config\.inputSize/,
      /^3/,
      /^4$/,
    );
    throwsArg(
      () => layerFromConfig({ kind: 'gru', units: 2 }),
      /gru/,
      /inputFeatures/,
      /number of input features/,
      /undefined/,
    );
  });

  it('a layer given the wrong kind of input', () => {
    const be = getBackend('ts64');
    const dense = layerFromConfig({ kind: 'dense', units: 2, inputSize: 3 });
    throwsArg(
      () =>
        dense.forward(new Tensor([2, 4], new Float32Array(8)), {
          backend: be,
          training: false,
          trace: false,
        }),
      /dense/,
      /^input$/,
      /\[B, 3\]/,
      /\[2, 4\]/,
    );
    const rnn = layerFromConfig({ kind: 'simple_rnn', units: 2, inputSize: 3 });
    throwsArg(
      () =>
        rnn.forward(new Tensor([2, 3], new Float32Array(6)), {
          backend: be,
          training: false,
          trace: false,
        }),
      /simple_rnn/,
      /^input$/,
      /sequence batch/,
      /\[2, 3\] tensor/,
    );
    const drop = layerFromConfig({ kind: 'dropout', rate: 0.5 }, { inputFeatures: 3 });
    assert.throws(
      () =>
        drop.forward(new Tensor([1, 3], new Float64Array(3)), {
          backend: be,
          training: true,
          trace: false,
        }),
      /needs a seeded 'rng'/,
    );
  });
});
