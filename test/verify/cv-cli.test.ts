/** `rnnlens cv` and `rnnlens compare` on a fresh commander program: JSON shape, run store records. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register as registerCv } from '../../src/cli/cv.js';
import { register as registerCompare } from '../../src/cli/compare.js';
import { RunStore } from '../../src/runs/store.js';

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerCv(program);
  registerCompare(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  // the test runner reports through stdout with Buffers: only the command's strings are captured
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((out += s), true) : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await program.parseAsync(args, { from: 'user' });
    return out;
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

const small = ['--recipe', 'motif', '--folds', '2', '--epochs', '1', '--hidden', '4', '--batch-size', '64', '--backend', 'ts'];

describe('rnnlens cv / compare', () => {
  const runs = mkdtempSync(join(tmpdir(), 'rnnlens-cv-cli-'));

  it('cv --json prints the documented shape and records a cv run', async () => {
    const j = JSON.parse(await run(['cv', ...small, '--json', '--runs-dir', runs]));
    assert.deepEqual(Object.keys(j), ['folds', 'summary', 'oof', 'run']);
    assert.equal(j.folds.length, 2);
    assert.deepEqual(Object.keys(j.folds[0]), ['train', 'test', 'metrics', 'fitSeconds']);
    assert.equal(j.folds[0].train.length + j.folds[0].test.length, 2000);
    assert.deepEqual(Object.keys(j.summary.accuracy), ['mean', 'sd', 'ci']);
    assert.equal(j.summary.accuracy.ci.length, 2);
    assert.deepEqual(Object.keys(j.oof), ['indices', 'labels', 'probabilities']);
    assert.equal(j.oof.indices.length, 2000);
    assert.equal(j.oof.probabilities[0].length, 2);
    const store = RunStore.open(runs);
    try {
      const [rec] = store.list({ kind: 'cv' });
      assert.equal(rec!.status, 'finished');
      assert.equal(j.run, rec!.id, 'the --json line names the recorded run');
      assert.ok(Math.abs(rec!.metrics.accuracy_mean! - j.summary.accuracy.mean) < 1e-12);
      const { run: _id, ...recorded } = j;
      assert.deepEqual(store.readJson(rec!.id, 'cv.json'), recorded);
    } finally {
      store.close();
    }
  });

  it('cv prints a fold table and the summary with intervals', async () => {
    const out = await run(['cv', ...small, '--no-record']);
    assert.match(out, /motif: 2 folds \(stratified\), 2000 items/);
    assert.match(out, /^ *fold +train +test +fit s +accuracy/m);
    assert.match(out, /^ {2}accuracy +\d\.\d{4} ± \d\.\d{4} +\[-?\d\.\d{4}, \d\.\d{4}\]$/m);
  });

  it('compare --against baseline --json says whether the RNN is better, with test, statistic and p-value', async () => {
    const j = JSON.parse(await run(['compare', ...small, '--against', 'baseline', '--trees', '3', '--json', '--runs-dir', runs]));
    assert.equal(j.metric, 'accuracy');
    assert.deepEqual(j.contenders.map((c: { name: string }) => c.name), ['random-forest', 'majority']);
    const p = j.comparisons[0];
    for (const k of ['test', 'statistic', 'pvalue', 'meanDifference', 'ci', 'significant', 'rnnBetter', 'mcnemar']) assert.ok(k in p, k);
    assert.equal(p.test, 'nadeau-bengio-t');
    const store = RunStore.open(runs);
    try {
      const [rec] = store.list({ kind: 'compare' });
      assert.equal(j.run, rec!.id, 'the --json line names the recorded run');
      // the RNN's out-of-fold scores, one row per item, for the dashboard's curves
      const saved = store.readJson(rec!.id, 'compare.json') as { oof: { indices: number[]; probabilities: number[][] } };
      assert.equal(saved.oof.indices.length, 2000);
      assert.equal(saved.oof.probabilities[0]!.length, 2);
      assert.deepEqual(saved.oof, j.oof);
    } finally {
      store.close();
    }
  });

  it('bad options are clear errors', async () => {
    await assert.rejects(run(['cv', ...small, '--splitter', 'loo', '--no-record']), /--splitter expected one of stratified, kfold, group, time/);
    await assert.rejects(run(['cv', ...small, '--group-by', 'speaker', '--no-record']), /groupBy.*'speaker', missing on item 0/);
    await assert.rejects(run(['compare', ...small, '--against', 'baseline', '--test', 'sign', '--no-record']), /--test expected nadeau-bengio or 5x2cv/);
  });

  it('after: clean up', () => rmSync(runs, { recursive: true, force: true }));
});
