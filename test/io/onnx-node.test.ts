/**
 * The ONNX project's backend node tests for LSTM, GRU and RNN (test/fixtures/onnx-node, see its
 * PROVENANCE.md): every output of every case is imported as the model output and must equal the
 * expected protobuf to 1e-5, or be refused with one of the reasons listed in docs/import.md.
 * The weight inputs W, R, B (and P) are fed as initializers, as rnnlens needs constant weights;
 * sequence_lens and initial states stay graph inputs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RnnlensError } from '../../src/core/errors.js';
import { importOnnxGraph, runOnnxImport } from '../../src/io/onnx/import.js';
import { decodeTensor, parseOnnx, type OnnxTensor } from '../../src/io/onnx/parse.js';
import { tensorProtoType } from '../../src/io/onnx/schema.js';

const DIR = new URL('../fixtures/onnx-node/', import.meta.url).pathname;

/** Refusals rnnlens documents (docs/import.md), by case and output. */
export const DOCUMENTED_REFUSALS: Record<string, RegExp> = {
  'test_lstm_with_peepholes/Y_h': /non-zero peephole weights P have no rnnlens equivalent/,
};

function readTensor(path: string): OnnxTensor {
  const type = tensorProtoType();
  const obj = type.toObject(type.decode(readFileSync(path)), { longs: String, bytes: Uint8Array, defaults: false, arrays: true }) as Record<string, unknown>;
  return decodeTensor(obj, path);
}

function load(name: string) {
  const d = join(DIR, name);
  const graph = parseOnnx(new Uint8Array(readFileSync(join(d, 'model.onnx'))));
  const ins: OnnxTensor[] = [];
  for (let k = 0; existsSync(join(d, 'test_data_set_0', `input_${k}.pb`)); k++) ins.push(readTensor(join(d, 'test_data_set_0', `input_${k}.pb`)));
  const outs: OnnxTensor[] = [];
  for (let k = 0; existsSync(join(d, 'test_data_set_0', `output_${k}.pb`)); k++) outs.push(readTensor(join(d, 'test_data_set_0', `output_${k}.pb`)));
  return { graph, ins, outs };
}

describe('ONNX backend node tests (LSTM, GRU, RNN)', () => {
  const cases = readdirSync(DIR).filter((n) => n.startsWith('test_')).sort();
  it('has the cases', () => assert.ok(cases.length >= 18, `${cases.length} cases`));
  for (const name of cases) {
    it(name, () => {
      const { graph, ins, outs } = load(name);
      const node = graph.nodes.find((n) => ['LSTM', 'GRU', 'RNN'].includes(n.opType))!;
      const feeds: Record<string, { shape: number[]; data: ArrayLike<number> }> = {};
      graph.inputs.forEach((info, k) => {
        const t = ins[k]!;
        const slot = node.inputs.indexOf(info.name);
        if ([1, 2, 3, 7].includes(slot)) graph.initializers.set(info.name, { ...t, name: info.name });
        else feeds[info.name] = { shape: t.shape, data: t.data };
      });
      graph.inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
      let ran = 0;
      graph.outputs.forEach((o, k) => {
        const key = `${name}/${o.name}`;
        const expected = outs[k]!;
        let imp;
        try {
          imp = importOnnxGraph(graph, { backend: 'ts64', output: o.name });
        } catch (e) {
          assert.ok(e instanceof RnnlensError, String(e));
          const why = DOCUMENTED_REFUSALS[key];
          assert.ok(why, `${key} refused without a documented reason: ${(e as Error).message}`);
          assert.match((e as Error).message, why);
          return;
        }
        assert.equal(DOCUMENTED_REFUSALS[key], undefined, `${key} is listed as refused but imports`);
        const y = runOnnxImport(imp, feeds);
        // a chain import drops size-1 axes (the direction axis of a one-direction node): same order
        const squeeze = (sh: readonly number[]) => sh.filter((d) => d !== 1);
        assert.deepEqual(squeeze(y.shape), squeeze(expected.shape), `${key} shape`);
        for (let i = 0; i < y.data.length; i++) assert.ok(Math.abs(y.data[i]! - Number(expected.data[i])) <= 1e-5, `${key}[${i}]: ${y.data[i]} vs ${expected.data[i]}`);
        ran++;
      });
      assert.ok(ran > 0 || Object.keys(DOCUMENTED_REFUSALS).some((k) => k.startsWith(`${name}/`)));
    });
  }
});
