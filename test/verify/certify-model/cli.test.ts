/**
 * `rnnlens certify` through a fresh commander program (only this command registered): JSON
 * shape, radius and attack radius, audit, token inputs, and usage errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../src/cli/certify.js';
import { SequenceModel } from '../../../src/nn/model.js';
import { saveModel } from '../../../src/train/checkpoint.js';
import { certify } from '../../../src/verify/certify/certify.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-certify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const numeric = new SequenceModel(
  {
    input: { kind: 'numeric', features: 2 },
    layers: [
      { kind: 'lstm', units: 3 },
      { kind: 'dense', units: 3 },
    ],
    init: 'torch',
  },
  { backend: 'ts', seed: 7 },
);
saveModel(join(dir, 'num'), numeric, { task: 'classification' });
const tokens = new SequenceModel(
  {
    input: { kind: 'tokens', vocabSize: 10 },
    layers: [
      { kind: 'embedding', vocabSize: 10, dim: 3 },
      { kind: 'gru', units: 3 },
      { kind: 'dense', units: 2 },
    ],
  },
  { backend: 'ts', seed: 8 },
);
saveModel(join(dir, 'tok'), tokens, { task: 'classification' });
const seqs = [
  [
    [0.5, -1],
    [1, 0.2],
    [-0.3, 0.8],
  ],
  [
    [1.5, 0.1],
    [0, -0.4],
  ],
];
writeFileSync(join(dir, 'in.json'), JSON.stringify({ inputs: seqs }));
writeFileSync(join(dir, 'tok.json'), JSON.stringify({ tokens: [[1, 4, 2, 9]] }));

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  const program = new Command().exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['certify', ...args, '--no-record'], { from: 'user' });
    return { out, err: null };
  } catch (e) {
    return { out, err: e };
  } finally {
    process.stdout.write = write;
  }
}

test('--json prints results with bounds that match the library', async () => {
  const { out, err } = await run([
    '--model',
    join(dir, 'num'),
    '--input',
    join(dir, 'in.json'),
    '--eps',
    '0.05',
    '--norm',
    'l2',
    '--json',
  ]);
  assert.equal(err, null);
  const j = JSON.parse(out) as {
    results: {
      prediction: number;
      lower: number[];
      upper: number[];
      certified: boolean;
      radius: null;
      attackRadius: null;
    }[];
    method: string;
    norm: string;
    eps: number;
  };
  assert.equal(j.method, 'crown');
  assert.equal(j.norm, 'l2');
  assert.equal(j.eps, 0.05);
  assert.equal(j.results.length, 2);
  const lib = certify(
    numeric,
    {
      kind: 'numeric',
      data: seqs[1]!.flat().map(Math.fround),
      steps: 2,
    } /* the input file is read in float32 */,
    { kind: 'ball', norm: 'l2', eps: 0.05 },
  );
  assert.deepEqual(j.results[1]!.lower, Array.from(lib.lower));
  assert.equal(j.results[1]!.certified, lib.certified);
  assert.equal(j.results[0]!.radius, null);
  assert.equal(j.results[0]!.attackRadius, null);
});

test('--radius --attack --audit: certified radius ≤ attack radius, audit ok', async () => {
  const { out, err } = await run([
    '--model',
    join(dir, 'num'),
    '--input',
    join(dir, 'in.json'),
    '--radius',
    '--attack',
    '--audit',
    '--steps',
    '0-1',
    '--method',
    'ibp',
    '--tolerance',
    '0.01',
    '--max-radius',
    '20',
    '--json',
  ]);
  assert.equal(err, null);
  const j = JSON.parse(out) as {
    results: {
      radius: number;
      attackRadius: number | null;
      certified: boolean;
      audit: { ok: boolean };
    }[];
  };
  for (const r of j.results) {
    assert.ok(r.radius >= 0);
    if (r.attackRadius !== null)
      assert.ok(r.radius <= r.attackRadius, `${r.radius} > ${r.attackRadius}`);
    assert.equal(r.audit.ok, true);
  }
});

test('token models: per-token balls in embedding space, plain-text output', async () => {
  const { out, err } = await run([
    '--model',
    join(dir, 'tok'),
    '--input',
    join(dir, 'tok.json'),
    '--eps',
    '0.1',
    '--per-step',
  ]);
  assert.equal(err, null);
  assert.match(out, /^0: class \d+ {2}(CERTIFIED|not certified) {2}\(crown, linf ε=0\.1\)/);
  assert.match(out, /\n   [* ] 0 +logit in \[[^,]+, [^\]]+\] +(predicted|(not )?certified below the predicted class \(margin ≥ [^)]+\))\n/);
  // the verdict of every other class agrees with the input's: certified iff every margin is
  const verdicts = [...out.matchAll(/(not )?certified below the predicted class/g)].map((m) => !m[1]);
  assert.ok(verdicts.length > 0);
  assert.equal(verdicts.every(Boolean), /^0: class \d+ {2}CERTIFIED/.test(out));
});

test('usage errors: bad ε, norm, method, steps; missing or double radius choice', async () => {
  const base = ['--model', join(dir, 'num'), '--input', join(dir, 'in.json')];
  assert.match(
    String((await run([...base, '--eps', '-1'])).err),
    /--eps expected a number in \[0, 10000\]/,
  );
  assert.match(String((await run([...base, '--eps', 'NaN'])).err), /--eps expected/);
  assert.match(
    String((await run([...base, '--eps', '0.1', '--norm', 'l3'])).err),
    /--norm expected linf, l2 or l1/,
  );
  assert.match(
    String((await run([...base, '--eps', '0.1', '--method', 'lp'])).err),
    /method.*'ibp', 'crown' or 'alpha'.*lp/,
  );
  assert.match(
    String((await run([...base, '--eps', '0.1', '--steps', '3-1'])).err),
    /--steps expected a ≤ b/,
  );
  assert.match(String((await run([...base, '--eps', '0.1', '--steps', '0-9'])).err), /steps/);
  assert.match(String((await run(base)).err), /exactly one of --eps E .* and --radius/);
  assert.match(String((await run([...base, '--eps', '0.1', '--radius'])).err), /exactly one of/);
});

test('an imported PyTorch ONNX model (2-layer bidirectional LSTM, softmax): certify --audit', async () => {
  const fx = new URL('../../fixtures/io/', import.meta.url).pathname;
  const spec = JSON.parse(readFileSync(join(fx, 'lstm_l2_bi_final_softmax.json'), 'utf8')) as {
    inputs: { input: { shape: number[]; data: number[] } };
  };
  const [B, T, D] = spec.inputs.input.shape as [number, number, number];
  const d = spec.inputs.input.data;
  const inputs = Array.from({ length: B }, (_, b) =>
    Array.from({ length: T }, (_, t) => d.slice((b * T + t) * D, (b * T + t + 1) * D)),
  );
  writeFileSync(join(dir, 'onnx-in.json'), JSON.stringify({ inputs }));
  const { out, err } = await run([
    '--model',
    join(fx, 'lstm_l2_bi_final_softmax.onnx'),
    '--input',
    join(dir, 'onnx-in.json'),
    '--eps',
    '0.05',
    '--audit',
    '--json',
  ]);
  assert.equal(err, null, String(err));
  const j = JSON.parse(out) as {
    results: { lower: number[]; upper: number[]; audit: { ok: boolean } }[];
  };
  assert.equal(j.results.length, B);
  for (const r of j.results) {
    assert.equal(r.audit.ok, true);
    r.lower.forEach((l, k) => assert.ok(l <= r.upper[k]!));
  }
});
