/**
 * Runs the CLI in-process and captures what it writes: the command's exit code and its text on
 * stdout and stderr. Binary chunks are the test runner's own messages and pass through; the
 * runner's exit code (set when a test fails) is kept apart from the command's.
 */
import { runCli } from '../src/cli/main.js';

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((out += t), true) : w1(t, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((t: string | Uint8Array, ...rest: never[]) => (typeof t === 'string' ? ((err += t), true) : w2(t, ...rest))) as typeof process.stderr.write;
  const runnerCode = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = runnerCode;
  }
}
