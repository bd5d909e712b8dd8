/**
 * ONNX import against the real references: models exported by torch.onnx.export
 * (tools/make_onnx_fixtures.py) must predict what PyTorch and onnxruntime-node predict
 * (relative 1e-5 in float32), and the imported models' input and parameter gradients must equal
 * PyTorch's autograd gradients (parameters matched by PyTorch name through src/nn/names.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx, modelOutputToOnnx, onnxFeedsToModel, onnxGradToModel, runOnnxImport } from '../../src/io/onnx/import.js';
import { parameterNames, type TorchNaming } from '../../src/nn/names.js';
import { assertClose, loadOnnxFixture, onnxFixtureNames } from './helpers.js';
import { runOrt } from './ort.js';

/** PyTorch module of each imported layer, from the ONNX node names ('/fc/Gemm', '/rnn/LSTM_1'). */
function torchNaming(layers: readonly { name: string; kind: string }[]): TorchNaming {
  const modules: NonNullable<TorchNaming['modules']> = {};
  for (const l of layers) {
    const [module, op] = l.name.split('.');
    if (!module || !op || l.kind === 'head') continue;
    const k = /_(\d+)$/.exec(op);
    modules[l.name] = { module, index: k && l.kind !== 'dense' ? Number(k[1]) : 0 };
  }
  return { modules };
}

describe('ONNX import of PyTorch exports', () => {
  for (const name of onnxFixtureNames()) {
    it(`${name}: equals PyTorch and onnxruntime-node`, async () => {
      const { fx, bytes } = loadOnnxFixture(name);
      const imp = importOnnx(bytes, { backend: 'ts' });
      const ours = runOnnxImport(imp, fx.inputs);
      assert.deepEqual(ours.shape, fx.output.shape);
      assertClose(ours.data, fx.output.data, 1e-5, `${name} vs PyTorch`);
      const ref = await runOrt(bytes, fx.inputs);
      assert.deepEqual(ref.shape, fx.output.shape);
      assertClose(ours.data, ref.data, 1e-5, `${name} vs onnxruntime`);
    });
  }
});

describe('gradients of imported models equal PyTorch autograd', () => {
  for (const name of onnxFixtureNames()) {
    const { fx, bytes } = loadOnnxFixture(name);
    if (!fx.gradOutput) continue;
    it(name, () => {
      const imp = importOnnx(bytes, { backend: 'ts64' });
      const { input, initialStates } = onnxFeedsToModel(imp, fx.inputs);
      const model = imp.model;
      model.zeroGrad();
      const y = model.forward(input, { initialStates }).output;
      assertClose(modelOutputToOnnx(imp, y).data, fx.output.data, 1e-5, 'output');
      const gradOut = onnxGradToModel(imp, fx.gradOutput!, y); // from the ONNX (= PyTorch) layout
      const back = model.backward(gradOut, { wantInputGrad: true, paramGrads: true });
      const want = fx.inputGrads?.input;
      if (want && imp.input.kind === 'numeric') {
        const tm = imp.input.layout === 'time-major';
        const [B, T, F] = [back.inputGrad!.batch, back.inputGrad!.steps, back.inputGrad!.features];
        const ours = new Float64Array(B * T * F);
        for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) ours[((tm ? t * B + b : b * T + t) * F) + f] = back.inputGrad!.data[(b * T + t) * F + f]!;
        assertClose(ours, want.data, 1e-6, 'input gradient');
      }
      const params = new Map(model.parameters().map((p) => [p.name, p]));
      const summed = new Map<string, Float64Array>();
      let checked = 0;
      for (const n of parameterNames(model, torchNaming(model.layers))) {
        if (!n.torch) continue;
        const p = params.get(n.param)!;
        const grad = new Float64Array(p.grad.length);
        if (n.torch.transpose) {
          const [r, c] = p.shape as [number, number];
          for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) grad[j * r + i] = p.grad[i * c + j]!;
        } else grad.set(p.grad);
        summed.set(n.torch.name, grad);
      }
      for (const [tname, expected] of Object.entries(fx.paramGrads!)) {
        const ours = summed.get(tname);
        assert.ok(ours, `no imported parameter maps to PyTorch '${tname}' (have ${[...summed.keys()].join(', ')})`);
        assertClose(ours, expected.data, 1e-6, `grad ${tname}`);
        checked++;
      }
      assert.equal(checked, Object.keys(fx.paramGrads!).length);
    });
  }
});
