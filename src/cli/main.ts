/**
 * The `rnnlens` command line. Each command lives in its own file under src/cli/ and exports
 * `register(program)`; this file only wires them together and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { commands } from './commands.js';
import '../io/register.js'; // every --model option also accepts TF.js model.json and .onnx files

/** Errors of the operating system that a user's path or machine caused (no stack trace needed). */
const USER_ERRNO = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'EEXIST', 'ENOSPC', 'EROFS', 'EMFILE', 'ENAMETOOLONG', 'ELOOP', 'EBUSY', 'ENOTEMPTY', 'EADDRINUSE', 'EADDRNOTAVAIL', 'ECONNREFUSED']);

/**
 * The one top-level rule: a user error prints one line and exits 1, with the stack trace only
 * under `--debug`; a bug prints one line, says how to see the stack, and exits 2.
 */
export function reportError(err: unknown, debug: boolean): number {
  const write = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');
  const e = err as (Error & { code?: string; path?: string; syscall?: string }) | undefined;
  const stack = debug && e?.stack ? `\n${e.stack}` : '';
  if (err instanceof RnnlensError) {
    write(`rnnlens: ${err.message}${stack}`);
    return 1;
  }
  if (e && typeof e.code === 'string' && USER_ERRNO.has(e.code)) {
    const what = e.path ? ` ${e.path}` : '';
    write(`rnnlens: cannot ${e.syscall ?? 'access'}${what}: ${e.code} (${(e.message ?? '').replace(/^[A-Z]+: /, '').split(',')[0]})${stack}`);
    return 1;
  }
  if (err instanceof RangeError) {
    write(`rnnlens: a size or count is too large for this machine (${err.message}); check the sizes in the model and options${stack}`);
    return 1;
  }
  write(`rnnlens: unexpected error: ${e?.message ?? String(err)}${stack || ' (run with --debug for the stack trace)'}`);
  return 2;
}

let pipeGuard = false;

export async function runCli(argv: string[]): Promise<number> {
  if (!pipeGuard) {
    pipeGuard = true;
    // output piped into a reader that stops early (`| head`) is not an error: stop quietly
    for (const s of [process.stdout, process.stderr])
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
        throw e;
      });
  }
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const program = new Command();
  program
    .name('rnnlens')
    .description('Train, explain and verify recurrent neural networks (SimpleRNN, LSTM, GRU)')
    .version(VERSION)
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit with code 0; usage errors were already printed by commander
      return err.exitCode;
    }
    return reportError(err, debug);
  }
}

// Run directly (node dist/src/cli/main.js, or tsx src/cli/main.ts)
const invoked = process.argv[1] ?? '';
if (/[\\/]cli[\\/]main\.(ts|js)$/.test(invoked)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
