/**
 * `rnnlens verify` on a fresh commander program: gradients (table, JSON, --data, exit code 1 on
 * failure) and dataset (a saved model on a recipe's test data with bootstrap intervals).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/verify.js';
import { motifDataset } from '../../src/data/synthetic/motif.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { buildModelConfig, getRecipe } from '../../src/train/recipes.js';
import { evaluate } from '../../src/train/evaluate.js';

async function run(args: string[]): Promise<{ out: string; code: number }> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  // the test runner reports through stdout with Buffers: only the command's strings are captured
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((out += s), true) : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    await program.parseAsync([...args, '--no-record'], { from: 'user' });
    return { out, code: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    process.exitCode = 0;
  }
}

describe('rnnlens verify gradients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-verify-'));
  const ds = motifDataset({ n: 20, seed: 1, length: 30 });
  const model = new SequenceModel(buildModelConfig({ cell: 'gru', hidden: 6, layers: 1, embedding: 4 }, ds, 'classification'), { backend: 'ts', seed: 1 });
  saveModel(dir, model, { task: 'classification', classNames: ds.classNames, meta: { recipe: 'motif' } });

  it('passes a saved model (table output, exit code 0)', async () => {
    const r = await run(['verify', 'gradients', '--model', dir, '--samples', '2', '--per-tensor', '8']);
    assert.equal(r.code, 0);
    assert.match(r.out, /gru\/U/);
    assert.match(r.out, /^PASS: worst relative error/m);
  });

  it('--json with --data uses the recipe recorded in the model', async () => {
    const r = await run(['verify', 'gradients', '--model', dir, '--data', '--samples', '2', '--per-tensor', '4', '--json']);
    const j = JSON.parse(r.out);
    assert.equal(j.passed, true);
    assert.equal(j.batch, 2);
    assert.match(j.inputs, /2 items of motif/);
    assert.equal(j.tensors.length, model.parameters().length);
  });

  it('fails with exit code 1 when a tensor is above the threshold (a step so coarse that the differences are wrong)', async () => {
    const r = await run(['verify', 'gradients', '--model', dir, '--samples', '2', '--per-tensor', '4', '--eps', '0.5', '--threshold', '1e-6']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^FAIL: \d+ tensor\(s\) above 0.000001/m);
    await assert.rejects(run(['verify', 'gradients', '--model', dir, '--eps', '0']), /--eps expected a positive number, received 0/);
  });

  it('verify dataset: a saved model on a recipe\'s test part, metrics with bootstrap intervals', async () => {
    const parts = getRecipe('motif').load({ seed: 0 });
    const m = new SequenceModel(buildModelConfig({ cell: 'gru', hidden: 4, layers: 1, embedding: 4 }, parts.train, 'classification'), { backend: 'ts', seed: 2 });
    const mdir = join(dir, 'motif-model');
    saveModel(mdir, m, { task: 'classification', classNames: parts.train.classNames, preprocessing: parts.preprocessing });
    const j = JSON.parse((await run(['verify', 'dataset', '--model', mdir, '--recipe', 'motif', '--resamples', '100', '--json'])).out);
    assert.equal(j.n, parts.test.items.length);
    const want = evaluate(m, parts.test, 'classification').metrics;
    for (const [k, v] of Object.entries(want)) assert.ok(Math.abs(j.metrics[k] - v) < 1e-6, k);
    assert.ok(j.intervals.accuracy.low <= j.metrics.accuracy && j.metrics.accuracy <= j.intervals.accuracy.high);
    await assert.rejects(run(['verify', 'dataset', '--model', mdir, '--recipe', 'motif', '--part', 'train']), /--part expected test or all/);
  });

  it('after: clean up', () => rmSync(dir, { recursive: true, force: true }));
});
