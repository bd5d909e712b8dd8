/**
 * LRP and DeepLIFT into an LSTM's final cell state (a graph layer reading ONNX Y_c): the relevance
 * and multipliers the head sends to c_T go back through the LSTM's own rules.
 * - on the ONNX zoo's lstm_cell_state (head on h_T and tanh(c_T)) and a BiLSTM whose head reads
 *   both directions' c_T, both equal the explicit PyTorch references of
 *   tools/make_lrp_cell_fixtures.py;
 * - DeepLIFT sums to delta, LRP conserves relevance in both bias modes;
 * - relevance that reaches c_T counts: without it conservation and summation-to-delta break;
 * - in a padded batch (a native LSTM → graph head on h_T and tanh(c_T)) each sequence's c_T is
 *   the state at its own last step: attributions equal those of the sequence alone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deeplift } from '../../src/explain/deeplift/deeplift.js';
import { DEEPLIFT_RULES } from '../../src/explain/deeplift/rules.js';
import { lrp } from '../../src/explain/lrp/lrp.js';
import { LRP_RULES } from '../../src/explain/lrp/rules.js';
import { importOnnx, onnxFeedsToModel } from '../../src/io/onnx/import.js';
import type { GraphConfig } from '../../src/nn/config.js';
import { GraphLayer } from '../../src/nn/graph/layer.js';
import { SequenceModel } from '../../src/nn/model.js';
import { type RefCase, maxDiff, sum } from './lrp-reference.js';

const FIX = new URL('../fixtures/', import.meta.url).pathname;

const ref = JSON.parse(readFileSync(join(FIX, 'explain', 'lrp-cell.json'), 'utf8')) as { cases: RefCase[] };

function load(c: RefCase) {
  const imp = importOnnx(new Uint8Array(readFileSync(join(FIX, c.model!))), { backend: 'ts64' });
  const { input } = onnxFeedsToModel(imp, { x: c.input });
  return { model: imp.model, input };
}

describe('LRP and DeepLIFT into an LSTM final cell state (ONNX Y_c)', () => {
  it('the fixture covers the zoo model and a bidirectional variant, each reading Y_c', () => {
    assert.deepEqual(ref.cases.map((c) => c.name), ['lstm_cell_state', 'bilstm_cell_state']);
    for (const c of ref.cases) {
      const { model } = load(c);
      const readers = model.layers.filter((l) => l instanceof GraphLayer && l.inputBindings().some((b) => b.source === 'cell'));
      assert.equal(readers.length, 1, `${c.name}: one graph layer reads the final cell states`);
      const dirs = (readers[0] as GraphLayer).inputBindings().find((b) => b.source === 'cell')!.featureDims[0];
      assert.equal(dirs, c.name.startsWith('bi') ? 2 : 1, `${c.name}: directions read`);
    }
  });

  for (const c of ref.cases) {
    it(`${c.name}: LRP (two ε) and DeepLIFT equal the PyTorch reference`, () => {
      const { model, input } = load(c);
      const y = model.forward(input).output;
      assert.ok(maxDiff(y.data, c.output) <= 1e-12, 'forward');
      for (const L of c.lrp) {
        const r = lrp(model, input, { target: c.target, epsilon: L.epsilon });
        assert.ok(maxDiff(r.outputs, L.score) <= 1e-12, `score (ε ${L.epsilon})`);
        const e = maxDiff(r.relevance.data, L.relevance);
        assert.ok(e <= 1e-12, `LRP relevance (ε ${L.epsilon}): max difference ${e}`);
        assert.ok(r.relevance.data.some((v) => Math.abs(v) > 1e-6), 'non-zero relevance');
      }
      const d = deeplift(model, input, { target: c.target, baseline: 'zeros' });
      assert.ok(maxDiff(d.outputs, c.deeplift.output) <= 1e-12, 'F(x)');
      assert.ok(maxDiff(d.baselineOutputs, c.deeplift.baselineOutput) <= 1e-12, 'F(x0)');
      const e = maxDiff(d.attributions.data, c.deeplift.attributions);
      assert.ok(e <= 1e-12, `DeepLIFT attributions: max difference ${e}`);
    });

    it(`${c.name}: DeepLIFT sums to delta, LRP conserves relevance (keep and redistribute)`, () => {
      const { model, input } = load(c);
      const d = deeplift(model, input, { target: c.target, baseline: 'zeros' });
      const per = d.attributions.data.length / d.outputs.length;
      d.outputs.forEach((f, b) => {
        const change = f - d.baselineOutputs[b]!;
        const gap = sum(d.attributions.data, b * per, (b + 1) * per) - change;
        assert.ok(Math.abs(gap) <= 1e-9 * Math.max(1, Math.abs(change)), `Σ attributions − ΔF = ${gap} (sequence ${b})`);
        assert.ok(Math.abs(d.delta[b]!) <= 1e-9, `reported delta ${d.delta[b]}`);
      });
      const keep = lrp(model, input, { target: c.target });
      keep.conservationGap.forEach((g, b) => assert.ok(Math.abs(g) <= 1e-12 * Math.max(1, Math.abs(keep.outputs[b]!)), `keep: gap ${g}`));
      const red = lrp(model, input, { target: c.target, bias: 'redistribute' });
      red.outputs.forEach((score, b) => {
        // no bias account: the input and the initial states (bias shares spread onto h0) take the score
        assert.equal(red.biasRelevance[b], 0);
        const got = sum(red.relevance.data, b * per, (b + 1) * per) + red.initialStateRelevance[b]!;
        assert.ok(Math.abs(got - score) <= 1e-12 * Math.max(1, Math.abs(score)), `redistribute: Σ relevance + initial ${got} vs score ${score}`);
      });
    });

    it(`${c.name}: the relevance reaching c_T is carried, not dropped`, () => {
      const { model, input } = load(c);
      // Rule tables whose recurrent rules ignore what the graph sends to c_T.
      const noCellLrp = Object.fromEntries(Object.entries(LRP_RULES).map(([k, f]) => [k, k === 'graph' ? f : (rec: Parameters<typeof f>[0], R: Float64Array, acc: Parameters<typeof f>[2]) => f(rec, R, acc, new Map())]));
      const full = lrp(model, input, { target: c.target });
      const cut = lrp(model, input, { target: c.target, rules: noCellLrp });
      full.conservationGap.forEach((_, b) => {
        const lost = cut.conservationGap[b]!;
        assert.ok(lost < -1e-6 || lost > 1e-6, `sequence ${b}: the cell state carries relevance (${lost})`);
      });
      const noCellDl = Object.fromEntries(Object.entries(DEEPLIFT_RULES).map(([k, f]) => [k, k === 'graph' ? f : (rec: Parameters<typeof f>[0], rec0: Parameters<typeof f>[1], m: Float64Array) => f(rec, rec0, m, new Map())]));
      const d = deeplift(model, input, { target: c.target, rules: noCellDl });
      assert.ok(d.delta.some((g) => Math.abs(g) > 1e-6), 'without the cell-state multipliers DeepLIFT no longer sums to delta');
    });
  }

  it('padded batch: each sequence reads its own c_T (attributions equal the sequence alone)', () => {
    const [F, H, K] = [3, 4, 2];
    const graph: GraphConfig = {
      kind: 'graph', name: 'head', opset: 14,
      inputs: [
        { value: 'h', source: 'flat', axes: ['B', 'F0'], featureDims: [H] },
        { value: 'c', source: 'cell', axes: ['B', 'F0', 'F1'], featureDims: [1, H] },
      ],
      output: { value: 'y', axes: ['B', 'F0'], features: K },
      nodes: [
        { op: 'Flatten', name: 'flat', inputs: ['c'], outputs: ['cf'], attrs: { axis: 1 } },
        { op: 'Tanh', name: 'tanh', inputs: ['cf'], outputs: ['tc'], attrs: {} },
        { op: 'Concat', name: 'cat', inputs: ['h', 'tc'], outputs: ['hc'], attrs: { axis: 1 } },
        { op: 'MatMul', name: 'fc', inputs: ['hc', 'W'], outputs: ['z'], attrs: {} },
        { op: 'Add', name: 'bias', inputs: ['z', 'b'], outputs: ['y'], attrs: {} },
      ],
      consts: {},
      params: [{ value: 'W', shape: [2 * H, K] }, { value: 'b', shape: [K] }],
    };
    const model = new SequenceModel({ input: { kind: 'numeric', features: F }, layers: [{ kind: 'lstm', units: H, returnSequences: false }, graph] }, { backend: 'ts64', seed: 3 });
    for (const p of model.parameters()) p.value.set(Float64Array.from(p.value, (v, i) => v + 0.5 * Math.sin(1.7 * i + p.value.length)));
    const [B, T] = [3, 6];
    const lengths = Int32Array.of(6, 3, 5);
    const data = Float64Array.from({ length: B * T * F }, (_, i) => (Math.floor(i / F) % T < lengths[Math.floor(i / (T * F))]! ? Math.cos(0.8 * i) + 0.2 : 0));
    const x = { data, batch: B, steps: T, features: F, lengths };
    for (const target of [0, 1]) {
      const r = lrp(model, x, { target });
      const d = deeplift(model, x, { target });
      d.delta.forEach((g) => assert.ok(Math.abs(g) <= 1e-12, `summation-to-delta gap ${g}`));
      r.conservationGap.forEach((g) => assert.ok(Math.abs(g) <= 1e-12, `conservation gap ${g}`));
      const y = model.forward(x).output;
      for (let b = 0; b < B; b++) {
        const L = lengths[b]!;
        const one = { data: data.slice(b * T * F, (b * T + L) * F), batch: 1, steps: L, features: F, lengths: Int32Array.of(L) };
        assert.ok(Math.abs(r.outputs[b]! - y.data[b * K + target]!) <= 1e-12, `score of sequence ${b}`);
        const r1 = lrp(model, one, { target });
        const d1 = deeplift(model, one, { target });
        const at = (a: ArrayLike<number>) => Array.from({ length: T * F }, (_, i) => a[b * T * F + i]!);
        const pad = new Array<number>((T - L) * F).fill(0);
        assert.ok(maxDiff(at(r.relevance.data), [...r1.relevance.data, ...pad]) <= 1e-12, `LRP of sequence ${b} alone`);
        assert.ok(maxDiff(at(d.attributions.data), [...d1.attributions.data, ...pad]) <= 1e-12, `DeepLIFT of sequence ${b} alone`);
      }
    }
  });
});
