/**
 * `rnnlens certify --model M.onnx` on models with SiLU, LayerNorm and GELU heads
 * (test/fixtures/certify, test/fixtures/onnx-zoo): audited bounds around PyTorch's own output, and
 * the refusal of an op that still has no bound rule lists the new rules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-certify-smooth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

/** The first sequence of a zoo fixture as a CLI input file, with PyTorch's output for it. */
function zooInput(name: string): { file: string; output: number[] } {
  const rec = JSON.parse(readFileSync(`test/fixtures/onnx-zoo/${name}.json`, 'utf8'));
  const [, T, F] = rec.input.shape as number[];
  const x = rec.input.data as number[];
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ inputs: [Array.from({ length: T! }, (_, t) => x.slice(t * F!, (t + 1) * F!))] }));
  return { file, output: rec.output.data.slice(0, rec.output.shape[1]) };
}

interface Out {
  results: { lower: number[]; upper: number[]; certified: boolean }[];
}

describe('rnnlens certify on smooth-head ONNX models', () => {
  it('bounds the LSTM → SiLU model (CROWN, audited) around PyTorch’s output', async () => {
    const rec = JSON.parse(readFileSync('test/fixtures/certify/swish_lstm.json', 'utf8'));
    const file = join(dir, 'swish.json');
    writeFileSync(file, JSON.stringify({ inputs: rec.input }));
    const r = await cli(['certify', '--model', 'test/fixtures/certify/swish_lstm.onnx', '--input', file, '--eps', '0.05', '--audit', '--json', '--no-record']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Out;
    assert.doesNotMatch(r.out, /"violations":[1-9]/);
    (rec.output as number[]).forEach((y, k) => assert.ok(j.results[0]!.lower[k]! <= y && y <= j.results[0]!.upper[k]!, `output ${k}: ${y} outside the bounds`));
    // the fixture's auto_LiRPA CROWN bounds at this radius are of the same width
    const l = rec.lirpa['0.05'].crown as { lower: number[]; upper: number[] };
    j.results[0]!.lower.forEach((lo, k) => {
      const w = j.results[0]!.upper[k]! - lo;
      assert.ok(w < 2 * (l.upper[k]! - l.lower[k]!), `output ${k}: width ${w}`);
    });
  });

  for (const name of ['layernorm_gelu_op14', 'layernorm_gelu_op17'])
    it(`bounds ${name} (GRU → LayerNorm → GELU) with IBP and CROWN`, async () => {
      const { file, output } = zooInput(name);
      const widths: number[] = [];
      for (const method of ['ibp', 'crown']) {
        const r = await cli(['certify', '--model', `test/fixtures/onnx-zoo/${name}.onnx`, '--input', file, '--eps', '0.01', '--method', method, '--json', '--no-record']);
        assert.equal(r.code, 0, r.err);
        const res = (JSON.parse(r.out) as Out).results[0]!;
        output.forEach((y, k) => assert.ok(res.lower[k]! <= y + 1e-5 && y - 1e-5 <= res.upper[k]!, `${method} output ${k}: ${y} outside the bounds`));
        widths.push(Math.max(...res.lower.map((lo, k) => res.upper[k]! - lo)));
      }
      assert.ok(widths[1]! < widths[0]!, `CROWN (${widths[1]}) not tighter than IBP (${widths[0]})`);
    });

  it('an op without a bound rule is refused by name, listing the ops that have one', async () => {
    const { file } = zooInput('attention_sum');
    const r = await cli(['certify', '--model', 'test/fixtures/onnx-zoo/attention_sum.onnx', '--input', file, '--eps', '0.01', '--no-record']);
    assert.equal(r.code, 1);
    assert.match(r.err, /op '\/Softmax' \(Softmax\) has no bound rule; bound rules exist for .*Erf.*LayerNormalization.*Softplus/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  });
});
