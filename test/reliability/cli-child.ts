// Runs the CLI in a child process from the TypeScript sources (for tests that kill it).
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
