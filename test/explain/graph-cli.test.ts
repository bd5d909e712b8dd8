/**
 * `rnnlens explain --method lrp|deeplift` on imported ONNX zoo models (the built CLI, dist/):
 * attributions equal the library's, DeepLIFT reports its summation-to-delta gaps, and a model
 * whose relevance would reach an LSTM cell state is a one-line error naming the value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deeplift } from '../../src/explain/deeplift/deeplift.js';
import { lrp } from '../../src/explain/lrp/lrp.js';
import { importOnnx, onnxFeedsToModel } from '../../src/io/onnx/import.js';
import { zooBytes, zooFixtures } from '../io/onnx-zoo-fixtures.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ZOO = join(ROOT, 'test', 'fixtures', 'onnx-zoo');
const dir = mkdtempSync(join(tmpdir(), 'rnnlens-graph-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function inputFile(name: string): string {
  const fx = zooFixtures().find((f) => f.name === name)!;
  const [B, T, F] = fx.input.shape as [number, number, number];
  const inputs = Array.from({ length: B }, (_, b) =>
    Array.from({ length: T }, (_, t) => fx.input.data.slice((b * T + t) * F, (b * T + t + 1) * F)),
  );
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ inputs }));
  return path;
}

function explain(name: string, method: string): { code: number | null; out: string; err: string } {
  const args = ['explain', '--model', join(ZOO, `${name}.onnx`), '--input', inputFile(name), '--method', method, '--target', '1', '--json', '--quiet', '--no-record'];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'rnnlens.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function library(name: string) {
  const fx = zooFixtures().find((f) => f.name === name)!;
  const imp = importOnnx(zooBytes(name), { backend: 'ts64' });
  return { model: imp.model, input: onnxFeedsToModel(imp, { x: { shape: fx.input.shape, data: fx.input.data } }).input };
}

describe('explain --method lrp|deeplift on imported graph models (CLI)', () => {
  for (const [name, method] of [
    ['attention_sum', 'lrp'],
    ['layernorm_gelu_op17', 'lrp'],
    ['attention_sum', 'deeplift'],
    ['strided_crnn', 'deeplift'],
  ] as const) {
    it(`${method} on ${name}: the library's attributions`, () => {
      const r = explain(name, method);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as { method: string; attributions: number[][][]; delta: number[] | null };
      assert.equal(j.method, method);
      const got = j.attributions.flat(2);
      const { model, input } = library(name);
      const want = method === 'lrp' ? lrp(model, input, { target: 1 }).relevance.data : deeplift(model, input, { target: 1 }).attributions.data;
      assert.equal(got.length, want.length);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-9, `attribution ${i}: ${v} vs ${want[i]}`));
      assert.ok(got.some((v) => v !== 0));
      if (method === 'deeplift') j.delta!.forEach((d) => assert.ok(Math.abs(d) < 1e-9, `summation-to-delta gap ${d}`));
    });
  }

  it('a graph reading an LSTM cell state: one-line error naming the value', () => {
    const r = explain('lstm_cell_state', 'deeplift');
    assert.notEqual(r.code, 0);
    assert.match(r.err, /DeepLIFT: graph layer 'graph_1' reads the final cell state of the LSTM before it \(ONNX Y_c, value '[^']+'\)/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });
});
