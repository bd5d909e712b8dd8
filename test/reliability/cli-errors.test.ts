import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, reportError } from '../../src/cli/main.js';
import { parseModelInput } from '../../src/predict/input-file.js';
import { RnnlensError } from '../../src/core/errors.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';
import { maxOf, minOf } from '../../src/core/extent.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = 0;
  }
}

const NO_STACK = /\n\s+at |RangeError|Maximum call stack/;
const tmp = () => mkdtempSync(join(tmpdir(), 'rnnlens-errors-'));

function tinyModel(): string {
  const dir = join(tmp(), 'model');
  saveModel(dir, new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 3 }, { kind: 'dense', units: 2 }] }), { task: 'classification' });
  return dir;
}

describe('no stack trace for user errors', () => {
  it('predict --input <folder> names the folder (was EISDIR with a stack)', async () => {
    const r = await cli(['predict', '--model', tinyModel(), '--input', tmp()]);
    assert.equal(r.code, 1);
    assert.match(r.err, /--input .* is a folder; expected a JSON input file/);
    assert.doesNotMatch(r.err, NO_STACK);
  });

  it('200,000 sequences parse (was Math.max(...lengths): call stack exceeded)', () => {
    const n = 200_000;
    const sequences = Array.from({ length: n }, (_, i) => [[i % 7, 1]]);
    const x = parseModelInput({ inputs: sequences }, { kind: 'numeric', features: 2 });
    assert.equal(x.batch, n);
    assert.equal(x.steps, 1);
    const big = new Float32Array(300_000).map((_, i) => i - 5);
    assert.equal(maxOf(big), 299_994);
    assert.equal(minOf(big), -5);
    assert.ok(Number.isNaN(maxOf([1, NaN, 3])));
  });

  it('an index.sqlite that is a folder is a one-line error', async () => {
    const runs = tmp();
    mkdirSync(join(runs, 'index.sqlite'));
    const r = await cli(['runs', 'ls', '--runs-dir', runs]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /index.*index\.sqlite.*folder/);
    assert.doesNotMatch(r.err, NO_STACK);
  });

  it('the top-level rule: user errors exit 1 in one line, stacks only with --debug, bugs exit 2', () => {
    const capture = (f: () => number): { code: number; err: string } => {
      let err = '';
      const w = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((t: string) => ((err += t), true)) as typeof process.stderr.write;
      try {
        return { code: f(), err };
      } finally {
        process.stderr.write = w;
      }
    };
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/nope'"), { code: 'ENOENT', path: '/nope', syscall: 'open' });
    let r = capture(() => reportError(enoent, false));
    assert.equal(r.code, 1);
    assert.equal(r.err, 'rnnlens: cannot open /nope: ENOENT (no such file or directory)\n');
    r = capture(() => reportError(new RangeError('Invalid typed array length: 4000000000000'), false));
    assert.equal(r.code, 1);
    assert.match(r.err, /^rnnlens: a size or count is too large for this machine \(Invalid typed array length: 4000000000000\)[^\n]*\n$/);
    r = capture(() => reportError(new RnnlensError('bad thing'), true));
    assert.equal(r.code, 1);
    assert.match(r.err, /^rnnlens: bad thing\n.*Error: bad thing\n\s+at /s);
    r = capture(() => reportError(new TypeError('x is undefined'), false));
    assert.equal(r.code, 2);
    assert.equal(r.err, 'rnnlens: unexpected error: x is undefined (run with --debug for the stack trace)\n');
  });

  it('work caps and --timeout: clear messages instead of running on', async () => {
    const model = tinyModel();
    const input = join(tmp(), 'in.json');
    writeFileSync(input, JSON.stringify({ inputs: [[[0.1, 0.2], [0.3, 0.4]], [[0.5, -0.2]], [[0, 1], [1, 0], [0.5, 0.5]]] }));
    let r = await cli(['explain', '--no-record', '--model', model, '--input', input, '--method', 'integrated-gradients', '--steps', '100000000']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--steps expected an integer in \[1, 10,000\], received "100000000"/);
    r = await cli(['certify', '--no-record', '--model', model, '--input', input, '--eps', '1e300']);
    assert.equal(r.code, 1);
    assert.match(r.err, /--eps expected a number in \[0, 10000\].*received "1e300"/);
    r = await cli(['certify', '--no-record', '--model', model, '--input', input, '--eps', '0.01', '--timeout', '0.000001']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /certify: stopped after --timeout 0\.000001 s/);
    assert.doesNotMatch(r.err, NO_STACK);
  });
});
