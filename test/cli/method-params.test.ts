// explain's method parameters on the command line: they reach the method (its diagnostics and
// numbers change), and wrong values or parameters the method does not read are one-line errors.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { attribute, toNested } from '../../src/explain/attribute.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-params-'));
const model = join(dir, 'm');
const net = new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 3 }, { kind: 'dense', units: 2 }] }, { seed: 3 });
saveModel(model, net, { task: 'classification', classNames: ['ham', 'spam'] });
const input = join(dir, 'in.json');
const rows = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.1], [-0.2, 0.2]];
writeFileSync(input, JSON.stringify({ inputs: [rows] }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  // the test runner reports through stdout with Buffers: only the command's strings are captured
  process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w1(t, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(args), out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

const explain = (...extra: string[]) => run(['explain', '--model', model, '--input', input, '--target', 'spam', '--json', '--quiet', '--no-record', ...extra]);
const x = { data: Float32Array.from(rows.flat()), batch: 1, steps: 4, features: 2, lengths: Int32Array.from([4]) };

it('occlusion --window and --stride give the numbers of attribute() with that window', async () => {
  const r = await explain('--method', 'occlusion', '--window', '2x1', '--stride', '2');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { attributions: number[][][]; params: unknown };
  assert.deepEqual(j.params, { window: { steps: 2, features: 1 }, stride: { steps: 2 } });
  const want = toNested(attribute(net, x, { method: 'occlusion', target: 1, window: [2, 1], strides: [2, 1] }).attributions);
  assert.deepEqual(j.attributions, want);
  const plain = JSON.parse((await explain('--method', 'occlusion')).out) as { attributions: number[][][] };
  assert.notDeepEqual(plain.attributions, want);
});

it('--samples, --perms and --noise reach the sampling methods', async () => {
  for (const [method, args, opts] of [
    ['shapley-sampling', ['--perms', '3'], { permutations: 3 }],
    ['kernel-shap', ['--samples', '40'], { samples: 40 }],
    ['smoothgrad', ['--samples', '4', '--noise', '0.3'], { samples: 4, stdevs: 0.3 }],
  ] as const) {
    const r = await explain('--method', method, ...args);
    assert.equal(r.code, 0, r.err);
    const want = toNested(attribute(net, x, { method, target: 1, seed: 0, ...opts }).attributions);
    assert.deepEqual((JSON.parse(r.out) as { attributions: number[][][] }).attributions, want, method);
  }
});

it('wrong parameter values and parameters the method ignores are clear errors', async () => {
  const cases: [string[], RegExp][] = [
    [['--method', 'occlusion', '--window', '2y3'], /explain: --window expected STEPS or STEPSxFEATURES with integers >= 1 \(e\.g\. 3 or 3x2\), received "2y3"/],
    [['--method', 'occlusion', '--window', '0x1'], /--window expected STEPS or STEPSxFEATURES/],
    [['--method', 'occlusion', '--window', '2x3'], /explain: --window expected at most 2 features \(the model reads 2 features\), received 3/],
    [['--method', 'occlusion', '--window', '5'], /explain: --window expected at most 4 steps \(the longest input sequence\), received 5/],
    [['--method', 'integrated-gradients', '--window', '2'], /explain: --window is a parameter of occlusion; --method integrated-gradients does not use it/],
    [['--method', 'occlusion', '--samples', '5'], /--samples is a parameter of smoothgrad, noise-tunnel, gradient-shap, kernel-shap, lime; --method occlusion does not use it/],
    [['--method', 'lime', '--perms', '5'], /--perms is a parameter of shapley-sampling/],
    [['--method', 'shapley-sampling', '--perms', '0'], /--perms expected an integer in \[1, 10,000\], received "0"/],
    [['--method', 'kernel-shap', '--samples', '20000'], /--samples expected an integer in \[1, 10,000\]/],
    [['--method', 'smoothgrad', '--noise', '-1'], /explain: --noise expected a standard deviation in \[0, 10,000\], received "-1"/],
    [['--method', 'smoothgrad', '--noise', 'abc'], /--noise expected a standard deviation/],
  ];
  for (const [args, re] of cases) {
    const r = await explain(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});
