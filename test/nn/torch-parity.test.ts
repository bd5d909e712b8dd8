/**
 * Model-level parity with PyTorch (fixtures from tools/make_model_fixtures.py): weights are loaded
 * by their PyTorch names through src/nn/names.ts, and outputs, every parameter gradient, the input
 * (or embedding-vector) gradient and initial-state gradients must match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/core/backend.js';
import { getBackend } from '../../src/core/backends.js';
import { allocFloat } from '../../src/core/tensor.js';
import { Tensor } from '../../src/core/tensor.js';
import type { Direction, Flow, RecurrentState } from '../../src/nn/layer.js';
import { SequenceModel, type ModelInput } from '../../src/nn/model.js';
import { loadTorchState, toTorchState } from '../../src/nn/names.js';
import { assertClose, fixtureNames, loadFixture, type ModelFixture } from './helpers.js';

function backends(): Array<{ label: string; backend: Backend; rtol: number }> {
  const out = [
    { label: 'ts (float32)', backend: getBackend('ts'), rtol: 1e-5 },
    { label: 'ts64', backend: getBackend('ts64'), rtol: 1e-9 },
  ];
  try {
    out.push({ label: 'wasm', backend: getBackend('wasm'), rtol: 1e-5 });
  } catch {
    // wasm kernels not built in this checkout: the ts backends still cover the layers.
  }
  return out;
}

function inputOf(f: ModelFixture, backend: Backend): ModelInput {
  const lengths = Int32Array.from(f.lengths);
  if (f.ids)
    return {
      ids: Int32Array.from(f.ids.data),
      batch: f.ids.shape[0]!,
      steps: f.ids.shape[1]!,
      lengths,
    };
  const [B, T, D] = f.input!.shape as [number, number, number];
  const data = allocFloat(backend.dtype, B * T * D);
  data.set(f.input!.data);
  return { data, batch: B, steps: T, features: D, lengths };
}

/** PyTorch's h0 [layers·dirs, B, H] → rnnlens initial states by layer name and direction. */
function initialStates(f: ModelFixture, model: SequenceModel, backend: Backend) {
  if (!f.h0) return undefined;
  const rec = model.layers.filter(
    (l) =>
      l.kind !== 'head' && l.kind !== 'dense' && l.kind !== 'embedding' && l.kind !== 'dropout',
  );
  const dirs = rec[0]!.kind === 'bidirectional' ? 2 : 1;
  const [, B, H] = f.h0.shape as [number, number, number];
  const slice = (a: number[], k: number) => {
    const out = allocFloat(backend.dtype, B * H);
    out.set(a.slice(k * B * H, (k + 1) * B * H));
    return out;
  };
  const states: Record<string, Partial<Record<Direction, RecurrentState>>> = {};
  rec.forEach((l, i) => {
    states[l.name] = {};
    for (let d = 0; d < dirs; d++) {
      const dir: Direction = d === 0 ? 'forward' : 'backward';
      const k = i * dirs + d;
      states[l.name]![dir] = f.c0
        ? { h: slice(f.h0!.data, k), c: slice(f.c0.data, k) }
        : { h: slice(f.h0!.data, k) };
    }
  });
  return { states, rec, dirs, B, H };
}

function gradOutputOf(f: ModelFixture, out: Flow, backend: Backend): Flow {
  const g = allocFloat(backend.dtype, f.gradOutput.data.length);
  g.set(f.gradOutput.data);
  return out instanceof Tensor ? new Tensor(out.shape, g) : { ...out, data: g };
}

for (const { label, backend, rtol } of backends()) {
  describe(`PyTorch parity on ${label}`, () => {
    for (const name of fixtureNames()) {
      it(name, () => {
        const f = loadFixture(name);
        const model = new SequenceModel(f.config, { backend });
        loadTorchState(model, f.state);
        // The mapping round-trips: exporting gives back PyTorch's own tensors.
        const exported = toTorchState(model);
        assert.deepEqual(Object.keys(exported).sort(), Object.keys(f.state).sort());
        for (const [k, v] of Object.entries(f.state))
          assertClose(exported[k]!.data, v.data, rtol, `state ${k}`);

        const input = inputOf(f, backend);
        const init = initialStates(f, model, backend);
        const { output } = model.forward(input, init ? { initialStates: init.states } : {});
        assertClose(output.data, f.output.data, rtol, 'output');

        model.zeroGrad();
        const res = model.backward(gradOutputOf(f, output, backend), { wantInputGrad: !f.ids });
        const grads = toTorchState(model, 'grad');
        for (const [k, v] of Object.entries(f.grads))
          assertClose(grads[k]!.data, v.data, rtol, `grad ${k}`);
        const inputGrad = f.ids ? res.embeddingGrad : res.inputGrad;
        assertClose(
          inputGrad!.data,
          f.inputGrad.data,
          rtol,
          f.ids ? 'embedding-vector grad' : 'input grad',
        );
        if (init) {
          init.rec.forEach((l, i) => {
            for (let d = 0; d < init.dirs; d++) {
              const dir = d === 0 ? 'forward' : 'backward';
              const k = i * init.dirs + d;
              const g = res.initialStateGrads.find(
                (s) => s.layer === l.name && s.direction === dir,
              )!;
              const size = init.B * init.H;
              assertClose(
                g.h,
                f.h0Grad!.data.slice(k * size, (k + 1) * size),
                rtol,
                `h0 grad ${l.name}/${dir}`,
              );
              if (f.c0Grad)
                assertClose(
                  g.c!,
                  f.c0Grad.data.slice(k * size, (k + 1) * size),
                  rtol,
                  `c0 grad ${l.name}/${dir}`,
                );
            }
          });
        }
      });
    }
  });
}
