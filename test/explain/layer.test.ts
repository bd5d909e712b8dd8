import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SeqBatch, TokenBatch } from '../../src/nn/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { attribute } from '../../src/explain/attribute.js';
import { hiddenStateAttribution } from '../../src/explain/layer/hidden.js';
import { neuronAttribution } from '../../src/explain/layer/neuron.js';
import { gateContributions } from '../../src/explain/layer/gates.js';
import { layerAttribution } from '../../src/explain/layer/layer-attribution.js';
import { runCell } from '../../src/explain/lrp/unroll.js';
import { RecurrentLayer } from '../../src/nn/recurrent.js';
import { BidirectionalLayer } from '../../src/nn/bidirectional.js';
import { zooInput, zooModel, T, F, LENGTHS } from './lrp-zoo.js';

const EPS = 1e-6;
const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('hidden-state attribution (total derivative on every h_t)', () => {
  it('matches finite differences: F continued from a perturbed h_t over the rest of the sequence', () => {
    const model = zooModel('lstm');
    const input = zooInput(model) as SeqBatch;
    const r = hiddenStateAttribution(model, input, { target: 1 });
    assert.equal(r.layers.length, 1);
    const L = r.layers[0]!;
    const H = L.units;
    const { trace } = model.forward(input, { trace: true });
    const tr = trace![0]!;
    const b = 0;
    for (let t = 0; t < LENGTHS[b]! - 1; t++) {
      // The suffix x[t+1 ..] started from (h_t, c_t) gives the same output; vary h_t only.
      const len = LENGTHS[b]! - t - 1;
      const suffix: SeqBatch = {
        data: input.data.slice((b * T + t + 1) * F, (b * T + t + 1 + len) * F),
        batch: 1,
        steps: len,
        features: F,
        lengths: Int32Array.of(len),
      };
      const h = tr.h.slice((b * T + t) * H, (b * T + t + 1) * H);
      const c = tr.c!.slice((b * T + t) * H, (b * T + t + 1) * H);
      const f = (): number =>
        model.forward(suffix, { initialStates: { lstm: { forward: { h, c } } } }).output.data[1]!;
      close(f(), r.outputs[b]!, 1e-12, 'suffix reproduces F');
      for (let j = 0; j < H; j++) {
        const v = h[j]!;
        h[j] = v + EPS;
        const up = f();
        h[j] = v - EPS;
        const down = f();
        h[j] = v;
        const k = (b * T + t) * H + j;
        close(L.gradient[k]!, (up - down) / (2 * EPS), 1e-6, `dF/dh_${t}[${j}]`);
        close(L.attribution[k]!, L.gradient[k]! * tr.h[k]!, 1e-14, 'gradient × activation');
      }
    }
    // padded steps carry nothing
    for (let t = LENGTHS[1]!; t < T; t++) assert.equal(L.perStep[T + t], 0);
  });
});

describe('neuron attribution', () => {
  function fdCheck(
    name: string,
    layer: string,
    direction: 'forward' | 'backward',
    unit: number,
    step: number,
  ): void {
    const model = zooModel(name);
    const input = zooInput(model) as SeqBatch;
    const r = neuronAttribution(model, input, { layer, direction, unit, step });
    const unitsOf = (tr: { units: number }): number => tr.units;
    const value = (): number[] => {
      const tr = model
        .forward(input, { trace: true })
        .trace!.find((x) => x.layer === layer && x.direction === direction)!;
      return [0, 1].map((b) => tr.h[(b * T + step) * unitsOf(tr) + unit]!);
    };
    assert.deepEqual(Array.from(r.values), value());
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < LENGTHS[b]! * F; i++) {
        const k = b * T * F + i;
        const v = input.data[k]!;
        input.data[k] = v + EPS;
        const up = value()[b]!;
        input.data[k] = v - EPS;
        const down = value()[b]!;
        input.data[k] = v;
        close(r.attributions[k]!, (up - down) / (2 * EPS), 1e-6, `${name} ∂h/∂x[${k}]`);
      }
  }
  it('a unit of the second layer of a stack, mid-sequence', () =>
    fdCheck('stacked-lstm-gru', 'gru', 'forward', 2, 1));
  it('a unit of the backward half of a bidirectional layer', () =>
    fdCheck('bidi-concat-lstm', 'bidirectional', 'backward', 0, 1));
  it('input × gradient for token models sums per token; bad arguments are errors', () => {
    const model = zooModel('tokens-gru');
    const input = zooInput(model) as TokenBatch;
    const r = neuronAttribution(model, input, {
      layer: 'gru',
      unit: 1,
      method: 'input-x-gradient',
    });
    assert.equal(r.features, 4);
    let s = 0;
    for (let e = 0; e < 4; e++) s += r.attributions[e]!;
    close(r.perToken![0]!, s, 1e-14, 'per token');
    assert.throws(
      () => neuronAttribution(model, input, { layer: 'gru', unit: 3 }),
      /unit.*\[0, 2\]/,
    );
    assert.throws(
      () => neuronAttribution(model, input, { layer: 'dense', unit: 0 }),
      /recurrent or bidirectional layer/,
    );
    assert.throws(
      () => neuronAttribution(model, input, { layer: 'gru', unit: 0, step: 4 }),
      /step \(sequence 1\).*\[0, 2\]/,
    );
  });
});

describe('gate contributions', () => {
  for (const name of ['lstm', 'gru-after', 'gru-before', 'bidi-concat-lstm']) {
    it(`${name}: keep + write = new state, matching an independent re-run`, () => {
      const model = zooModel(name);
      const input = zooInput(model) as SeqBatch;
      const gcs = gateContributions(model, input);
      const layer = model.layers[0]!;
      const dirs =
        layer instanceof BidirectionalLayer
          ? [layer.forwardLayer, layer.backwardLayer]
          : [layer as RecurrentLayer];
      assert.equal(gcs.length, dirs.length);
      gcs.forEach((gc, d) => {
        const H = gc.units;
        for (let b = 0; b < 2; b++) {
          const len = LENGTHS[b]!;
          const x = {
            data: Float64Array.from(input.data.subarray(b * T * F, (b * T + len) * F)),
            steps: len,
            features: F,
          };
          const run = runCell(dirs[d]!, x, true, undefined);
          for (let p = 0; p < len; p++) {
            const t = run.order[p]!; // input position of processing step p
            for (let j = 0; j < H; j++) {
              const k = (b * T + t) * H + j;
              close(gc.keep[k]! + gc.write[k]!, gc.state[k]!, 1e-12, 'keep + write');
              const G = run.G;
              const g = (blk: number): number => run.gates[p * G * H + blk * H + j]!;
              const keep =
                gc.cell === 'lstm' ? g(1) * run.c![p * H + j]! : g(1) * run.h[p * H + j]!;
              close(gc.keep[k]!, keep, 1e-12, `${gc.direction} keep[${b},${t},${j}]`);
            }
            assert.ok(gc.writeShare[b * T + t]! >= 0 && gc.writeShare[b * T + t]! <= 1);
          }
          for (let t = len; t < T; t++) assert.equal(gc.keep[(b * T + t) * H], 0);
        }
      });
    });
  }
  it('a model without gated layers is an error', () => {
    const model = zooModel('rnn-tanh');
    assert.throws(() => gateContributions(model, zooInput(model)), /LSTM or GRU/);
  });
});

describe('layer attribution (output of a layer as the input of the rest)', () => {
  it('gradient × activation at a recurrent layer matches finite differences through the rest of the network', () => {
    const model = zooModel('stacked-lstm-gru');
    const input = zooInput(model) as SeqBatch;
    const r = layerAttribution(model, input, {
      layer: 'lstm',
      target: 0,
      method: 'gradient-x-activation',
    });
    assert.equal(r.steps, T);
    assert.equal(r.features, 4);
    // The rest of the network as its own model, same weights.
    const cfg = model.config();
    const rest = new SequenceModel(
      { input: { kind: 'numeric', features: 4 }, layers: cfg.layers.slice(1) },
      { backend: 'ts64' },
    );
    const src = model.parameters().filter((p) => !p.name.startsWith('lstm/'));
    rest.parameters().forEach((p, i) => p.value.set(src[i]!.value));
    const a = model.forward(input, { trace: true }).trace![0]!.h.slice(); // lstm outputs [B, T, 4]
    for (let b = 0; b < 2; b++)
      for (let t = LENGTHS[b]!; t < T; t++) a.fill(0, (b * T + t) * 4, (b * T + t + 1) * 4);
    const act: SeqBatch = { data: a, batch: 2, steps: T, features: 4, lengths: input.lengths };
    const f = (b: number): number => rest.predict(act).data[b * 2]!;
    close(f(0), r.outputs[0]!, 1e-12, 'the rest reproduces F');
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < LENGTHS[b]! * 4; i++) {
        const k = b * T * 4 + i;
        const v = a[k]!;
        a[k] = v + EPS;
        const up = f(b);
        a[k] = v - EPS;
        const down = f(b);
        a[k] = v;
        close(r.attributions[k]!, v * ((up - down) / (2 * EPS)), 1e-6, `a·dF/da[${k}]`);
      }
  });

  it('integrated gradients at a layer is complete (Gauss-Legendre, 50 points)', () => {
    for (const [name, layer] of [
      ['stacked-lstm-gru', 'gru'],
      ['bidi-sum-gru-max', 'bidirectional'],
      ['lstm', 'lstm'],
    ] as const) {
      const model = zooModel(name);
      const r = layerAttribution(model, zooInput(model), { layer, target: 1, steps: 50 });
      for (let b = 0; b < 2; b++) {
        const diff = r.outputs[b]! - r.baselineOutputs![b]!;
        assert.ok(
          Math.abs(r.delta![b]!) < 1e-3 * Math.abs(diff),
          `${name} b${b}: delta ${r.delta![b]} vs ${diff}`,
        );
      }
    }
  });

  it('token level at the embedding equals attribute() integrated gradients summed over the embedding', () => {
    const model = zooModel('tokens-gru');
    const input = zooInput(model) as TokenBatch;
    const mine = layerAttribution(model, input, { layer: 'embedding', target: 1, steps: 20 });
    const ref = attribute(model, input, { method: 'integrated-gradients', target: 1, steps: 20 });
    assert.equal(ref.attributions.features, 1);
    for (let i = 0; i < 2 * T; i++)
      close(mine.perStep[i]!, ref.attributions.data[i]!, 1e-9, `token ${i}`);
    // a PAD-token baseline
    const pad = layerAttribution(model, input, {
      layer: 'embedding',
      target: 1,
      baseline: { kind: 'token', id: 0 },
    });
    for (let b = 0; b < 2; b++)
      assert.ok(
        Math.abs(pad.delta![b]!) < 1e-3 * Math.abs(pad.outputs[b]! - pad.baselineOutputs![b]!),
      );
    for (let t = LENGTHS[1]!; t < T; t++) assert.equal(pad.perStep[T + t], 0);
  });

  it('bad input', () => {
    const model = zooModel('lstm');
    const input = zooInput(model);
    assert.throws(
      () => layerAttribution(model, input, { layer: 'nope', target: 0 }),
      /one of lstm, dense/,
    );
    assert.throws(
      () => layerAttribution(model, input, { layer: 'lstm', target: 5 }),
      /\[0, 1\], received 5/,
    );
    assert.throws(
      () =>
        layerAttribution(model, input, {
          layer: 'lstm',
          target: 0,
          baseline: { kind: 'token', id: 1 },
        }),
      /baseline/,
    );
    assert.throws(
      () => hiddenStateAttribution(model, input, { target: { kind: 'step', index: 0 } }),
      /'output' target/,
    );
  });
});
