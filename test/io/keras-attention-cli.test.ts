/**
 * `rnnlens predict`, `explain --method saliency | integrated-gradients` and `inspect` on the Keras
 * attention fixtures (tools/make_keras_attention_fixtures.py), in-process: predictions against
 * PyTorch (1e-5), saliency |∂F_t/∂x| and integrated gradients (zero baseline, Gauss–Legendre 50
 * points) against PyTorch autograd on each sequence's predicted class (1e-4).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../cli-capture.js';
import { assertClose, tempDir } from './helpers.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keras-attention');

interface Case {
  name: string;
  files: string[];
  input: { inputs?: number[][][]; tokens?: number[][]; lengths: number[] };
  expected: { shape: number[]; data: number[] };
  targets?: number[];
  saliency?: number[][][];
  integratedGradients?: number[][][];
}

const cases = (JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { cases: Case[] }).cases;

/** Attributions at the real steps only (padded steps hold zeros on both sides). */
function real(a: number[][][], lengths: number[]): number[] {
  return a.flatMap((rows, b) => rows.slice(0, lengths[b]).flat());
}

describe('rnnlens CLI on Keras attention models', () => {
  const tmp = tempDir('keras-attention-cli');
  const inputFile = (c: Case): string => {
    const f = join(tmp, `${c.name}.json`);
    writeFileSync(f, JSON.stringify(c.input));
    return f;
  };

  it('certify bounds attention (audited, around the model\'s own output); LRP and DeepLIFT go through it', async () => {
    const c = cases.find((k) => k.name === 'gru_mha_residual')!;
    const r = await cli(['certify', '--model', join(DIR, c.files[0]!), '--input', inputFile(c), '--eps', '0.001', '--json', '--audit', '--no-record']);
    assert.equal(r.code, 0, r.err + r.out);
    const text = JSON.stringify(JSON.parse(r.out));
    assert.doesNotMatch(text, /"violations":[1-9]/, 'no value outside its bound');
    assert.match(text, /"lower":\[/);
    const steps = c.input.inputs![0]!.length;
    const features = c.input.inputs![0]![0]!.length;
    for (const method of ['lrp', 'deeplift']) {
      const e = await cli(['explain', '--model', join(DIR, c.files[0]!), '--input', inputFile(c), '--method', method, '--json', '--quiet', '--no-record']);
      assert.equal(e.code, 0, e.err);
      const j = JSON.parse(e.out) as { attributions: number[][][]; outputs: number[]; delta?: number[] };
      assert.equal(j.attributions.length, c.input.lengths.length, `${method}: one attribution map per sequence`);
      for (const a of j.attributions) {
        assert.equal(a.length, steps, `${method}: steps`);
        for (const row of a) {
          assert.equal(row.length, features, `${method}: features`);
          for (const v of row) assert.ok(Number.isFinite(v), `${method}: finite attributions`);
        }
      }
      assert.ok(j.attributions.flat(2).some((v) => Math.abs(v) > 1e-6), `${method}: attributions are not all zero`);
      if (method === 'deeplift') {
        // Summation to delta: the attributions of each sequence add up to F(x) - F(baseline).
        assert.ok(j.delta, 'deeplift reports its summation-to-delta residual');
        for (const d of j.delta!) assert.ok(Math.abs(d) < 1e-9, `deeplift summation-to-delta residual ${d}`);
      }
    }
  });

  for (const c of cases) {
    it(`${c.name}: predict${c.saliency ? ', explain saliency / integrated-gradients' : ''} and inspect`, async () => {
      const file = inputFile(c);
      for (const m of c.files) {
        const r = await cli(['predict', '--model', join(DIR, m), '--input', file, '--json']);
        assert.equal(r.code, 0, r.err);
        const outputs = (JSON.parse(r.out) as { outputs: number[][] }).outputs;
        assertClose(outputs.flat(), c.expected.data, 1e-5, `predict ${m}`);
      }
      if (c.saliency && c.integratedGradients) {
        const model = join(DIR, c.files[0]!);
        for (const [method, want] of [['saliency', c.saliency], ['integrated-gradients', c.integratedGradients]] as const) {
          const r = await cli(['explain', '--model', model, '--input', file, '--method', method, '--json', '--quiet', '--no-record']);
          assert.equal(r.code, 0, r.err);
          const j = JSON.parse(r.out) as { targets: Array<{ index: number }>; attributions: number[][][] };
          assert.deepEqual(j.targets.map((t) => t.index), c.targets, `${method}: targets`);
          assertClose(real(j.attributions, c.input.lengths), real(want, c.input.lengths), 1e-4, `${method} on ${c.files[0]}`);
        }
      }
      const r = await cli(['inspect', join(DIR, c.files[1]!), '--json']);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as { layers: Array<{ kind: string }> };
      assert.ok(j.layers.some((l) => l.kind === 'graph'), 'inspect lists the attention graph layer');
      if (c.name === 'gru_mha_residual') assert.match(JSON.stringify(j.layers), /Keras layers mha, add; 3\d ops: Reshape → MatMul/);
    });
  }
});
