import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sameConfig } from '../../src/train/run-recipe.js';
import { acquireModelLock, LOCK_FILE } from '../../src/train/model-lock.js';
import { loadModel } from '../../src/train/checkpoint.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test', 'reliability', 'cli-child.ts');
const TRAIN = ['train', '--recipe', 'motif', '--epochs', '4', '--hidden', '8', '--no-record', '--json'];

function cli(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function manifest(dir: string): { weights: { sha256: string }; trainState?: { file: string } } {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
}

describe('train --out and --resume through the CLI', () => {
  it('config equality is by value, whatever the key order', () => {
    assert.equal(sameConfig({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }), true);
    assert.equal(sameConfig({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [2, 1] } }), false);
  });

  it('a training killed with SIGKILL and resumed ends with the same weights as an uninterrupted one', async () => {
    const base = mkdtempSync(join(tmpdir(), 'rnnlens-resume-'));
    const full = join(base, 'full');
    const a = cli([...TRAIN, '--out', full]);
    assert.equal(a.code, 0, a.err);

    const killed = join(base, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...TRAIN, '--out', killed], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    // wait for the first end-of-epoch checkpoint, then kill without warning
    const deadline = Date.now() + 240_000;
    let sawCheckpoint = false;
    while (Date.now() < deadline) {
      if (existsSync(join(killed, 'model.json'))) {
        const m = manifest(killed);
        if (m.trainState) {
          sawCheckpoint = true;
          break;
        }
      }
      if (child.exitCode !== null) break;
      await sleep(20);
    }
    assert.ok(sawCheckpoint, 'the child wrote an end-of-epoch checkpoint before finishing');
    child.kill('SIGKILL');
    await exited;
    const state = JSON.parse(readFileSync(join(killed, manifest(killed).trainState!.file), 'utf8')) as { epoch: number };
    assert.ok(state.epoch < 4, `killed before the last epoch (checkpoint at epoch ${state.epoch})`);
    assert.ok(existsSync(join(killed, LOCK_FILE)), 'the killed writer left its lock behind');
    loadModel(killed); // the checkpoint left by the kill loads

    // without --resume or --force the folder is refused, and the checkpoint is untouched
    const before = manifest(killed).weights.sha256;
    const refused = cli([...TRAIN, '--out', killed]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /--out.*--resume.*--force/);
    assert.doesNotMatch(refused.err, /\n\s+at /, 'no stack trace');
    assert.equal(manifest(killed).weights.sha256, before);

    // the stale lock (dead pid) is taken over; the resumed run ends bit-identical
    const b = cli([...TRAIN, '--out', killed, '--resume']);
    assert.equal(b.code, 0, b.err);
    assert.equal(manifest(killed).weights.sha256, manifest(full).weights.sha256);
    assert.equal(existsSync(join(killed, LOCK_FILE)), false, 'the lock is released');
  });

  it('--force replaces a model; a live lock keeps a second writer out', () => {
    const base = mkdtempSync(join(tmpdir(), 'rnnlens-lock-'));
    const dir = join(base, 'm');
    const first = cli([...TRAIN, '--epochs', '1', '--out', dir]);
    assert.equal(first.code, 0, first.err);
    const again = cli([...TRAIN, '--epochs', '1', '--out', dir, '--resume']);
    assert.equal(again.code, 1);
    assert.match(again.err, /finished training \(use --force/);
    const release = acquireModelLock(dir); // this process holds the lock
    try {
      const second = cli([...TRAIN, '--epochs', '1', '--out', dir, '--force']);
      assert.equal(second.code, 1);
      assert.match(second.err, new RegExp(`being written by process ${process.pid}`));
    } finally {
      release();
    }
    const replaced = cli([...TRAIN, '--epochs', '1', '--seed', '5', '--out', dir, '--force']);
    assert.equal(replaced.code, 0, replaced.err);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });
});
