import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTarget } from '../../src/cli/explain.js';
import { runCli } from '../../src/cli/main.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';

it('--target accepts class names as well as indices; predict --json names the classes', async () => {
  assert.equal(resolveTarget('spam', ['ham', 'spam']), 1);
  assert.equal(resolveTarget('0', ['ham', 'spam']), 0);
  assert.equal(resolveTarget(undefined, ['ham']), undefined);
  assert.throws(() => resolveTarget('eggs', ['ham', 'spam']), /--target expected one of the class names "ham", "spam" or an output index >= 0, received "eggs"/);
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-target-'));
  const model = join(dir, 'm');
  saveModel(model, new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 2 }, { kind: 'dense', units: 2 }] }), { task: 'classification', classNames: ['ham', 'spam'] });
  const input = join(dir, 'in.json');
  writeFileSync(input, JSON.stringify({ inputs: [[[0.1, 0.2], [0.3, 0.4]]] }));
  let out = '';
  const w = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  try {
    assert.equal(await runCli(['explain', '--model', model, '--input', input, '--method', 'saliency', '--target', 'spam', '--json', '--quiet', '--no-record']), 0);
  } finally {
    process.stdout.write = w;
    process.exitCode = 0;
  }
  const j = JSON.parse(out) as { targets: { index: number }[] };
  assert.equal(j.targets[0]!.index, 1);

  out = '';
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  try {
    assert.equal(await runCli(['predict', '--model', model, '--input', input, '--json']), 0);
  } finally {
    process.stdout.write = w;
    process.exitCode = 0;
  }
  const p = JSON.parse(out) as { outputs: number[][]; classNames: string[]; predicted: { index: number; name: string; probability: number }[] };
  assert.deepEqual(p.classNames, ['ham', 'spam']);
  const k = p.outputs[0]![0]! >= p.outputs[0]![1]! ? 0 : 1;
  assert.deepEqual(p.predicted[0], { index: k, name: ['ham', 'spam'][k], probability: p.outputs[0]![k] });
});

it('explanation.json carries the tokens of each attributed position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-tokens-'));
  const model = join(dir, 'm');
  saveModel(model, new SequenceModel({ input: { kind: 'tokens', vocabSize: 10 }, layers: [{ kind: 'embedding', vocabSize: 10, dim: 3 }, { kind: 'lstm', units: 2 }, { kind: 'dense', units: 2 }] }), { task: 'classification' });
  const input = join(dir, 'in.json');
  writeFileSync(input, JSON.stringify({ tokens: [[2, 3, 4], [5, 6]] }));
  const out = join(dir, 'figs');
  const w = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    assert.equal(await runCli(['explain', '--model', model, '--input', input, '--method', 'saliency', '--out', out, '--quiet', '--no-record']), 0);
  } finally {
    process.stdout.write = w;
    process.exitCode = 0;
  }
  const j = JSON.parse(readFileSync(join(out, 'explanation.json'), 'utf8')) as { tokens: string[][] };
  assert.equal(j.tokens.length, 2);
  assert.deepEqual(j.tokens.map((t) => t.length), [3, 2]);
});
