import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerRuns } from '../../src/cli/runs.js';
import { RunStore } from '../../src/runs/store.js';

async function cli(args: string[]): Promise<string> {
  let text = '';
  const program = new Command().exitOverride();
  registerRuns(program, { write: (t) => (text += t) });
  await program.parseAsync(args, { from: 'user' });
  return text;
}

test('rnnlens runs ls|show|rm on a store with two runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-cli-runs-'));
  try {
    const store = RunStore.open(dir);
    const a = store.createRun({ kind: 'train', config: { hidden: 16 }, seed: 3 });
    a.logMetric('loss', 0.25, 0);
    a.writeJson('history.json', [1, 2]);
    a.finish('finished', { metrics: { accuracy: 0.9 } });
    const b = store.createRun({ kind: 'certify' });
    b.finish();
    store.close();

    const ls = await cli(['runs', 'ls', '--runs-dir', dir]);
    assert.match(ls, /^id\s+kind\s+status\s+created\s+metrics\n/);
    assert.ok(ls.indexOf(b.id) < ls.indexOf(a.id), 'newest first');
    assert.match(ls, /accuracy=0\.9000/);
    const lsTrain = JSON.parse(await cli(['runs', 'ls', '--kind', 'train', '--json', '--runs-dir', dir]));
    assert.deepEqual(lsTrain.map((r: { id: string }) => r.id), [a.id]);

    const show = await cli(['runs', 'show', a.id, '--runs-dir', dir]);
    assert.match(show, /kind\s+train/);
    assert.match(show, /"hidden": 16/);
    assert.match(show, /accuracy = 0\.9/);
    assert.match(show, /loss: 1 points, last 0\.25/);
    assert.match(show, /history\.json\s+json\s+10/);
    const showJson = JSON.parse(await cli(['runs', 'show', a.id, '--json', '--runs-dir', dir]));
    assert.equal(showJson.run.seed, 3);
    assert.equal(showJson.artifacts[0].name, 'history.json');

    await assert.rejects(cli(['runs', 'show', 'no-such-run', '--runs-dir', dir]), /no run with id 'no-such-run'/);
    await assert.rejects(cli(['runs', 'rm', a.id, 'missing', '--runs-dir', dir]), /no run with id 'missing'/);
    assert.match(await cli(['runs', 'ls', '--runs-dir', dir]), new RegExp(a.id), 'nothing removed when one id is unknown');
    assert.equal(await cli(['runs', 'rm', a.id, b.id, '--runs-dir', dir]), `removed ${a.id}\nremoved ${b.id}\n`);
    assert.equal(await cli(['runs', 'ls', '--runs-dir', dir]), 'no runs\n');
    assert.equal(await cli(['runs', 'ls', '--runs-dir', join(dir, 'absent')]), 'no runs\n');
    await assert.rejects(cli(['runs', 'show', a.id, '--runs-dir', join(dir, 'absent')]), /no run store at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
