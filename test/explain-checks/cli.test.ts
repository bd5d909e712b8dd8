import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { register as registerExplain } from '../../src/cli/explain.js';
import { register as registerBench } from '../../src/cli/explain-bench.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { prepareTask } from '../../src/verify/explanations/benchmark-data.js';
import { numericInput, trainedTask } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one command on a fresh program; returns what it printed on stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerExplain(program);
  registerBench(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  // The CLI writes strings; the test runner's own reports (binary) pass through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync([...args, '--no-record'], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out;
}

async function numericModel(): Promise<{ model: string; input: string }> {
  const task = await trainedTask();
  const model = join(dir, 'numeric-model');
  if (!existsSync(model))
    saveModel(model, task.model, { task: 'classification', classNames: ['0', '1'] });
  const x = numericInput(task);
  const seqs = [0, 1, 2].map((b) =>
    Array.from({ length: 20 }, (_, t) =>
      Array.from(x.data.subarray(b * 200 + t * 10, b * 200 + t * 10 + 10)),
    ),
  );
  const input = join(dir, 'numeric-input.json');
  writeFileSync(input, JSON.stringify({ inputs: seqs }));
  return { model, input };
}

describe('rnnlens explain', () => {
  it('--json prints method, targets, attributions, outputs, delta', async () => {
    const { model, input } = await numericModel();
    const j = JSON.parse(
      await run([
        'explain',
        '--model',
        model,
        '--input',
        input,
        '--method',
        'integrated-gradients',
        '--steps',
        '64',
        '--json',
      ]),
    );
    // numeric input: no tokens; the model's class names when it has them
    assert.deepEqual(Object.keys(j).slice(0, 5), ['method', 'targets', 'attributions', 'outputs', 'delta']);
    assert.ok(Object.keys(j).slice(5).every((k) => k === 'classNames'), Object.keys(j).join(', '));
    assert.equal(j.method, 'integrated-gradients');
    assert.equal(j.attributions.length, 3);
    assert.equal(j.attributions[0].length, 20);
    assert.equal(j.attributions[0][0].length, 10);
    assert.equal(j.delta.length, 3);
    // completeness: Σ attributions ≈ F(x) − F(0) up to the reported delta
    assert.ok(j.delta.every((d: number) => Math.abs(d) < 0.5));
  });

  it('--tsr --check --out adds the scorecard and writes a figure per sequence', async () => {
    const { model, input } = await numericModel();
    const out = join(dir, 'explain-out');
    const j = JSON.parse(
      await run([
        'explain',
        '--model',
        model,
        '--input',
        input,
        '--method',
        'saliency',
        '--tsr',
        '--target',
        '1',
        '--check',
        '--json',
        '--out',
        out,
      ]),
    );
    assert.equal(j.method, 'tsr(saliency)');
    assert.deepEqual(
      j.targets.map((t: { index: number }) => t.index),
      [1, 1, 1],
    );
    assert.deepEqual(
      j.scorecard.entries.map((e: { check: string }) => e.check),
      ['completeness', 'deletion', 'sanity'],
    );
    for (const b of [0, 1, 2])
      for (const ext of ['svg', 'png']) assert.ok(existsSync(join(out, `sequence-${b}.${ext}`)));
    assert.match(readFileSync(join(out, 'sequence-0.svg'), 'utf8'), /<svg/);
    assert.equal(
      JSON.parse(readFileSync(join(out, 'explanation.json'), 'utf8')).scorecard.entries.length,
      3,
    );
  });

  it('token models: --baseline pad, tokens coloured by attribution; bad options are clear errors', async () => {
    const task = await prepareTask('motif', { trainSize: 120, testSize: 4, epochs: 2, seed: 0 });
    const model = join(dir, 'motif-model');
    saveModel(model, task.model, { task: 'classification', classNames: ['motif0', 'motif1'] });
    const input = join(dir, 'tokens.json');
    const ids = 'ids' in task.input ? task.input.ids : new Int32Array();
    writeFileSync(
      input,
      JSON.stringify({
        tokens: [Array.from(ids.subarray(0, 30)), Array.from(ids.subarray(30, 60))],
      }),
    );
    const out = join(dir, 'tokens-out');
    const text = await run([
      'explain',
      '--model',
      model,
      '--input',
      input,
      '--method',
      'occlusion',
      '--baseline',
      'pad',
      '--out',
      out,
      '--quiet',
    ]);
    assert.match(text, /^0: target \d {2}output /m);
    assert.ok(existsSync(join(out, 'sequence-1.png')));
    assert.match(readFileSync(join(out, 'sequence-0.svg'), 'utf8'), /#2\d/); // token labels
    await assert.rejects(
      run(['explain', '--model', model, '--input', input, '--method', 'nope']),
      /--method expected one of .*integrated-gradients.*received "nope"/,
    );
    await assert.rejects(
      run([
        'explain',
        '--model',
        model,
        '--input',
        input,
        '--method',
        'saliency',
        '--baseline',
        'mean',
      ]),
      /--baseline expected zeros, a number, pad, unk or token:<id> for a token model/,
    );
    await assert.rejects(
      run(['explain', '--model', model, '--input', input, '--method', 'saliency', '--target', '7']),
      /--target expected an output index in \[0, 2\), received 7/,
    );
  });
});

describe('rnnlens explain-bench', () => {
  it('--json prints the documented rows with a random row per dataset; --out writes table and figures', async () => {
    const out = join(dir, 'bench-out');
    const j = JSON.parse(
      await run([
        'explain-bench',
        '--datasets',
        'ismail-RareFeature-gaussian',
        '--methods',
        'saliency,integrated-gradients',
        '--no-tsr',
        '--train-size',
        '200',
        '--test-size',
        '12',
        '--epochs',
        '8',
        '--json',
        '--out',
        out,
      ]),
    );
    assert.deepEqual(
      j.results.map((r: { method: string }) => r.method),
      ['random', 'saliency', 'integrated-gradients'],
    );
    for (const r of j.results) {
      assert.deepEqual(Object.keys(r), [
        'dataset',
        'method',
        'aup',
        'aur',
        'aupr',
        'deletionAuc',
        'sanityRho',
      ]);
      assert.equal(r.dataset, 'ismail-RareFeature-gaussian');
    }
    const ig = j.results[2];
    assert.ok(ig.aupr > j.results[0].aupr + 0.2, `IG ${ig.aupr} vs random ${j.results[0].aupr}`);
    assert.match(readFileSync(join(out, 'table.md'), 'utf8'), /\| integrated-gradients \|/);
    assert.match(readFileSync(join(out, 'table.md'), 'utf8'), /## Data randomisation/);
    const full = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.ok(full.results.every((r: { dataSanityRho: number }) => Number.isFinite(r.dataSanityRho)));
    for (const f of [
      'results.json',
      'benchmark-aupr.svg',
      'benchmark-aupr.png',
      'benchmark-deletion.png',
    ])
      assert.ok(existsSync(join(out, f)), f);
  });
});
