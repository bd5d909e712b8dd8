/** The list of CLI commands; each module registers one command (or a group) on the program. */
import type { Command } from 'commander';
import { register as registerRuns } from './runs.js';
import { register as registerReport } from './report.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [];
commands.push(registerRuns);
commands.push(registerReport);
