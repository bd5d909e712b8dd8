import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '../../src/nn/config.js';
import { SequenceModel } from '../../src/nn/model.js';
import { countParameters } from '../../src/nn/param-count.js';
import { getLimit, setLimit } from '../../src/core/limits.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';
import { writeTfjs } from '../../src/io/tfjs/write.js';
import { loadTfjs } from '../../src/io/tfjs/load.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test', 'reliability', 'cli-child.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'rnnlens-limits-'));

const CONFIGS: ModelConfig[] = [
  { input: { kind: 'numeric', features: 3 }, layers: [{ kind: 'lstm', units: 5 }, { kind: 'dense', units: 2 }] },
  { input: { kind: 'numeric', features: 4 }, layers: [{ kind: 'gru', units: 3, returnSequences: true }, { kind: 'simple_rnn', units: 2 }, { kind: 'dense', units: 3 }] },
  { input: { kind: 'tokens', vocabSize: 11 }, layers: [{ kind: 'embedding', vocabSize: 11, dim: 4 }, { kind: 'bidirectional', layer: { kind: 'lstm', units: 3, returnSequences: true } }, { kind: 'head', pool: 'mean' }, { kind: 'dropout', rate: 0.1 }, { kind: 'dense', units: 2 }] },
  { input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'bidirectional', merge: 'sum', layer: { kind: 'gru', units: 4, resetAfter: false } }, { kind: 'dense', units: 1 }] },
];

function modelJson(dir: string): { config: ModelConfig } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
}

describe('sizes are checked before anything is allocated', () => {
  it('countParameters equals the parameters the model builds', () => {
    for (const cfg of CONFIGS) {
      const m = new SequenceModel(cfg);
      const built = m.parameters().reduce((s, p) => s + p.value.length, 0);
      assert.equal(countParameters(cfg), built, JSON.stringify(cfg.layers.map((l) => l.kind)));
    }
  });

  it('a 1 KB model.json declaring units: 8000 fails at once, naming the sizes', () => {
    const dir = tmp();
    saveModel(dir, new SequenceModel(CONFIGS[0]!), { task: 'classification' });
    const f = modelJson(dir);
    (f.config.layers[0] as { units: number }).units = 8000;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(f));
    const t0 = Date.now();
    assert.throws(() => loadModel(dir), /parameters.*limit.*RNNLENS_MAX_PARAMETERS/);
    (f.config.layers[0] as { units: number }).units = 900; // under the limits: the bytes present decide
    writeFileSync(join(dir, 'model.json'), JSON.stringify(f));
    assert.throws(() => loadModel(dir), /weights-[0-9a-f]+\.bin.*expected \d+ bytes.*from the config.*received \d+ bytes/);
    assert.ok(Date.now() - t0 < 20_000, 'nothing large was built');
    // and through the CLI: one line, exit 1
    const input = join(dir, 'in.json');
    writeFileSync(input, JSON.stringify({ inputs: [[[0, 0, 0]]] }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'predict', '--model', dir, '--input', input], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^rnnlens: .*expected \d+ bytes .*from the config.*received \d+ bytes\n$/);
  });

  it('a TF.js topology declaring units: 8000 beside a tiny weight file is refused', () => {
    const dir = tmp();
    writeTfjs(new SequenceModel(CONFIGS[0]!), dir);
    const path = join(dir, 'model.json');
    const text = readFileSync(path, 'utf8');
    const big = text.replace(/"units":\s*5\b/, '"units": 8000');
    assert.notEqual(big, text);
    writeFileSync(path, big);
    assert.throws(() => loadTfjs(path), /parameters/);
    writeFileSync(path, text.replace(/"units":\s*5\b/, '"units": 900'));
    assert.throws(() => loadTfjs(path), /declare [\d,]+ parameters but the weight files hold only [\d,]+ values/);
  });

  it('limits are overridable', () => {
    const cfg = CONFIGS[0]!;
    setLimit('parameters', 10);
    try {
      assert.throws(() => new SequenceModel(cfg), /at most 10 \(the parameters limit/);
    } finally {
      setLimit('parameters', undefined);
    }
    assert.equal(getLimit('parameters'), 100_000_000);
    assert.doesNotThrow(() => new SequenceModel(cfg));
  });

  it('train --hidden 1000000000 is a one-line error, not a RangeError', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'train', '--recipe', 'motif', '--hidden', '1000000000', '--no-record', '--out', join(tmp(), 'm')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /units.*at most 65,536.*RNNLENS_MAX_UNITS.*1,000,000,000/);
    assert.doesNotMatch(r.stderr, /RangeError|\n\s+at /);
  });
});
