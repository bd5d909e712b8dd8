/**
 * The `rnnlens` command line. Each command lives in its own file under src/cli/ and exports
 * `register(program)`; this file only wires them together and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { commands } from './commands.js';
import '../io/register.js'; // every --model option also accepts TF.js model.json and .onnx files

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('rnnlens')
    .description('Train, explain and verify recurrent neural networks (SimpleRNN, LSTM, GRU)')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit with code 0; usage errors were already printed by commander
      return err.exitCode;
    }
    if (err instanceof RnnlensError) {
      process.stderr.write(`rnnlens: ${err.message}\n`);
      return 1;
    }
    const e = err as Error;
    process.stderr.write(`rnnlens: unexpected error: ${e?.stack ?? String(err)}\n`);
    return 2;
  }
}

// Run directly (node dist/src/cli/main.js, or tsx src/cli/main.ts)
const invoked = process.argv[1] ?? '';
if (/[\\/]cli[\\/]main\.(ts|js)$/.test(invoked)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
