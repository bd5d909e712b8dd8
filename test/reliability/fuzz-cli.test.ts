// Every command's options through fast-check generators: whatever comes, a command exits 0 or 1
// with one-line errors, never a stack trace and never "unexpected error" (exit 2 is a bug).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Command } from 'commander';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/main.js';
import { SequenceModel } from '../../src/nn/model.js';
import { saveModel } from '../../src/train/checkpoint.js';

// Commands that would serve, or run for minutes when their options happen to be valid, are
// fuzzed only with options that are always invalid (a recipe name that does not exist).
const LONG = new Set(['serve', 'start', 'bench', 'train', 'cv', 'compare', 'explain-bench', 'sweep', 'worker', 'synthesize', 'dynamics', 'extract', 'probe', 'intervene', 'evaluate', 'internals']);

interface Cmd {
  path: string[];
  options: { flag: string; takesValue: boolean }[];
}

function commandList(): Cmd[] {
  const program = new Command();
  for (const r of commands) r(program);
  const out: Cmd[] = [];
  const walk = (c: Command, path: string[]) => {
    const opts = c.options.map((o) => ({ flag: o.long ?? o.short ?? '', takesValue: o.required || o.optional })).filter((o) => o.flag);
    if (c.commands.length === 0) out.push({ path, options: opts });
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  for (const c of program.commands) walk(c, [c.name()]);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'rnnlens-fuzz-'));
const model = join(dir, 'model');
saveModel(model, new SequenceModel({ input: { kind: 'numeric', features: 2 }, layers: [{ kind: 'gru', units: 2 }, { kind: 'dense', units: 2 }] }), { task: 'classification', classNames: ['a', 'b'] });
const input = join(dir, 'in.json');
writeFileSync(input, JSON.stringify({ inputs: [[[0.1, 0.2], [0.3, 0.4]]] }));
const garbage = join(dir, 'garbage.json');
writeFileSync(garbage, '{"inputs": [[[1, "x"');
const folder = join(dir, 'folder');
mkdirSync(folder);
// commands that record runs do so inside the temporary folder: relative paths among the values
// (runs, ../../etc) resolve below it, and --runs-dir always names a folder in it
const cwd = join(dir, 'a', 'b');
mkdirSync(cwd, { recursive: true });
process.chdir(cwd);
const runsDir = join(dir, 'runs');
const VALUES = ['', '0', '-1', '1', '2', '3.5', '1e309', '-1e309', 'NaN', '1e300', '99999999999999999999', 'x', '@@', '../../etc', '/nonexistent/path', folder, garbage, input, model, 'linf', 'l9', 'saliency', 'no-such-method', 'lstm', '2-1', 'a,b', '0xFF', '\u0000', 'no-such-recipe'];
const SAFE_FOR_LONG = ['no-such-recipe', '/nonexistent/path', garbage, folder];

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
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

describe('fuzzing every command\'s options', () => {
  const list = commandList();
  it('finds the commands', () => {
    assert.ok(list.length >= 15, `${list.length} commands`);
  });

  it('no stack trace, no unexpected error, exit 0 or 1', async () => {
    const arb = fc
      .record({
        cmd: fc.integer({ min: 0, max: list.length - 1 }),
        picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 5 }),
      })
      .map(({ cmd, picks }) => {
        const c = list[cmd]!;
        const long = LONG.has(c.path[0]!);
        const args = [...c.path];
        const pool = long ? SAFE_FOR_LONG : VALUES;
        // long commands always get an invalid recipe or model, so they stop at validation
        if (long) args.push(...(c.options.some((o) => o.flag === '--recipe') ? ['--recipe', 'no-such-recipe'] : ['--model', '/nonexistent/path']));
        for (const [o, v, drop] of picks) {
          if (c.options.length === 0) break;
          const opt = c.options[o % c.options.length]!;
          if (['--recipe', '--model', '--help', '--version', '--port'].includes(opt.flag) && long) continue;
          if (opt.flag === '--help') continue;
          args.push(opt.flag);
          if (opt.flag === '--runs-dir') args.push(runsDir);
          else if (opt.takesValue && !drop) args.push(pool[v % pool.length]!);
        }
        return args;
      });
    await fc.assert(
      fc.asyncProperty(arb, async (args) => {
        const r = await run(args);
        const msg = `rnnlens ${args.join(' ')} → ${r.code}\n${r.err}`;
        assert.ok(r.code === 0 || r.code === 1, msg);
        assert.doesNotMatch(r.err, /\n\s+at |unexpected error|RangeError|TypeError/, msg);
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
