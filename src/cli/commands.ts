/** The list of CLI commands; each module registers one command (or a group) on the program. */
import type { Command } from 'commander';

export type Register = (program: Command) => void;

export const commands: Register[] = [];
