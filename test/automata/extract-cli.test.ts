import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equivalent } from '../../src/automata/dfa.js';
import { tomitaDfa } from '../../src/automata/tomita.js';
import { RunStore } from '../../src/runs/store.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

test('extract: a trained tomita4 network gives the minimal DFA of "no 000"; properties and bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-extract-'));
  try {
    const model = join(dir, 'model');
    const t = cli(['train', '--recipe', 'tomita4', '--out', model, '--runs-dir', join(dir, 'runs'), '--json']);
    assert.equal(t.status, 0, t.stderr);
    const x = cli(['extract', '--model', model, '--property', '(0|1)*1', '--runs-dir', join(dir, 'runs'), '--json']);
    assert.equal(x.status, 0, x.stderr);
    const r = JSON.parse(x.stdout);
    assert.ok(equivalent(r.dfa, tomitaDfa(4)), JSON.stringify(r.dfa));
    assert.equal(r.dfa.states, 4);
    assert.ok(r.fidelity > 0.99);
    assert.deepEqual([r.property.holds, r.property.counterexample, r.property.confirmed], [false, '', true]);
    const store = RunStore.open(join(dir, 'runs'), { mustExist: true });
    try {
      const run = store.get(r.run);
      assert.equal(run.kind, 'extract');
      assert.equal(run.metrics['states'], 4);
      assert.deepEqual(store.artifacts(r.run).map((a) => a.name).sort(), ['dfa.dot', 'dfa.json', 'fig-dfa.json']);
    } finally {
      store.close();
    }
    const ex = cli(['extract', '--model', model, '--property', '.*000.*', '--property-kind', 'exclusion', '--no-record', '--json']);
    assert.equal(JSON.parse(ex.stdout).property.holds, true);
    const bad = cli(['extract', '--model', model, '--property', '(01', '--no-record']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /expected '\)' at position 3 of "\(01"/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    const foreign = cli(['extract', '--model', model, '--alphabet', '0a', '--no-record']);
    assert.equal(foreign.status, 1);
    assert.match(foreign.stderr, /alphabet' expected symbols of the model's vocabulary .*received "a"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
