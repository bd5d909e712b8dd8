/**
 * The ONNX model zoo (tools/make_onnx_zoo.py): recurrent models written the usual PyTorch way and
 * exported with torch.onnx.export. Every model imports; its forward pass matches PyTorch and
 * onnxruntime to 1e-5, the saliency (input gradient) of one output unit matches PyTorch autograd
 * to 1e-4, integrated gradients pass the completeness check, and the model survives a save/load
 * round trip as a native rnnlens model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { attribute } from '../../src/explain/attribute.js';
import { completeness } from '../../src/verify/explanations/completeness.js';
import { loadModel, saveModelAs } from '../../src/io/load.js';
import { importOnnx, onnxFeedsToModel, onnxGradToModel, runOnnxImport, type OnnxImport } from '../../src/io/onnx/import.js';
import type { Flow } from '../../src/nn/layer.js';
import { Tensor } from '../../src/core/tensor.js';
import { runOrt } from './ort.js';
import { materializeModel, packModel } from '../../src/distributed/model-package.js';
import { zooBytes, zooFixtures, type Arr } from './onnx-zoo-fixtures.js';

function maxErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/** The fixture's gradient (in the ONNX input layout) batch-first like the model's input. */
function gradBatchFirst(imp: OnnxImport, g: Arr): number[] {
  if (imp.input.layout !== 'time-major') return g.data;
  const [T, B, F] = [g.shape[0]!, g.shape[1]!, g.shape[2] ?? 1];
  const out = new Array<number>(g.data.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out[(b * T + t) * F + f] = g.data[(t * B + b) * F + f]!;
  return out;
}

const squeezed = (s: readonly number[]) => s.filter((d) => d !== 1);

export const ZOO_FIGURES: Array<{ name: string; forward: number; ort: number; saliency: number; igGap: number }> = [];

describe('ONNX model zoo (PyTorch exports)', () => {
  const fixtures = zooFixtures();
  it('holds at least 12 architectures', () => assert.ok(fixtures.length >= 12, `${fixtures.length} models`));
  for (const fx of fixtures) {
    it(`${fx.name}: imports, predicts like PyTorch and onnxruntime, saliency equals autograd, IG is complete`, async () => {
      const bytes = zooBytes(fx.name);
      const imp = importOnnx(bytes, { backend: 'ts64' });
      const feeds = { x: { shape: fx.input.shape, data: fx.input.data } };
      // forward
      const y = runOnnxImport(imp, feeds);
      assert.deepEqual(squeezed(y.shape), squeezed(fx.output.shape), 'output shape');
      const eTorch = maxErr(y.data, fx.output.data);
      assert.ok(eTorch <= 1e-5, `forward vs PyTorch: ${eTorch}`);
      const ort = await runOrt(bytes, { x: { ...feeds.x, dtype: fx.input.dtype } });
      const eOrt = maxErr(y.data, ort.data);
      assert.ok(eOrt <= 1e-5, `forward vs onnxruntime: ${eOrt}`);
      // saliency: gradient of Σ output ⊙ g
      const { input, initialStates } = onnxFeedsToModel(imp, feeds);
      assert.equal(Object.keys(initialStates).length, 0);
      const out = imp.model.forward(input).output;
      const gFlow = onnxGradToModel(imp, fx.gradOutput, out);
      const { grad } = imp.model.inputGradient(input, gFlow);
      const eSal = maxErr(grad.data, gradBatchFirst(imp, fx.grad));
      assert.ok(eSal <= 1e-4, `saliency vs autograd: ${eSal}`);
      // the explain library's saliency (signed) and integrated gradients on the same target
      const seq = !(out instanceof Tensor);
      // a per-step output: the unit at the last input step
      const target = seq ? { kind: 'step' as const, index: fx.target, step: (input as { steps: number }).steps - 1 } : fx.target;
      if (!seq) {
        const sal = attribute(imp.model, input, { method: 'saliency', target, abs: false });
        const got = fx.grad.wrt === 'embedding' ? sal.embeddingAttributions!.data : sal.attributions.data;
        assert.ok(maxErr(got, gradBatchFirst(imp, fx.grad)) <= 1e-4, 'attribute(saliency) equals autograd');
      }
      const ig = attribute(imp.model, input, { method: 'integrated-gradients', target });
      const c = completeness(imp.model, input, ig);
      assert.equal(c.verdict, 'pass', `IG completeness: relative gap ${c.relativeGap}`);
      ZOO_FIGURES.push({ name: fx.name, forward: eTorch, ort: eOrt, saliency: eSal, igGap: c.relativeGap });
    });
  }

  it('a graph model saves and loads as a native rnnlens model with the same outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlens-zoo-'));
    try {
      for (const name of ['crnn', 'tagger', 'attention_sum']) {
        const fx = zooFixtures().find((f) => f.name === name)!;
        const imp = importOnnx(zooBytes(name), { backend: 'ts64' });
        const { input } = onnxFeedsToModel(imp, { x: { shape: fx.input.shape, data: fx.input.data } });
        const out = join(dir, name);
        saveModelAs(imp.model, out, 'native', { task: 'classification' });
        const back = loadModel(out, { backend: 'ts64' });
        assert.equal(back.format, 'native');
        const a = imp.model.predict(input) as Flow;
        const b = back.model.predict(input) as Flow;
        const da = a instanceof Tensor ? a.data : a.data;
        const db = b instanceof Tensor ? b.data : b.data;
        // weights are stored as float32
        assert.ok(maxErr(db, da) < 1e-5, `${name}: outputs after the round trip`);
        assert.deepEqual(back.model.config(), imp.model.config());
        // and as a package that jobs carry to workers
        const pkg = packModel(out);
        const there = loadModel(materializeModel(pkg, join(dir, 'cache')), { backend: 'ts64' });
        const c = there.model.predict(input) as Flow;
        assert.deepEqual(Array.from(c instanceof Tensor ? c.data : c.data), Array.from(db));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the zoo figures', () => {
    if (ZOO_FIGURES.length === 0) return;
    const max = (k: 'forward' | 'ort' | 'saliency' | 'igGap') => Math.max(...ZOO_FIGURES.map((f) => f[k]));
    for (const f of ZOO_FIGURES) console.log(`| ${f.name} | ${f.forward.toExponential(1)} | ${f.ort.toExponential(1)} | ${f.saliency.toExponential(1)} | ${f.igGap.toExponential(1)} |`);
    console.log(`zoo: ${ZOO_FIGURES.length} models import; max forward error vs PyTorch ${max('forward').toExponential(2)}, vs onnxruntime ${max('ort').toExponential(2)}; max saliency error ${max('saliency').toExponential(2)}; max IG completeness gap (relative, 50 Gauss–Legendre points) ${max('igGap').toExponential(2)}`);
    assert.ok(ZOO_FIGURES.length >= 12);
  });
});
