/** Reading input files with clear errors for the usual mistakes (missing, a folder, empty). */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { RnnlensError } from '../core/errors.js';

/** The file's bytes; errors name the file when it is missing, a directory or empty. */
export function readInputFile(path: string, what = 'input file'): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new RnnlensError(`${what} not found: ${path}`);
  }
  if (st.isDirectory()) throw new RnnlensError(`${what} is a folder, expected a file: ${path}`);
  if (st.size === 0) throw new RnnlensError(`${what} is empty: ${path}`);
  return readFileSync(path);
}

export function readInputText(path: string, what = 'input file'): string {
  const text = readInputFile(path, what).toString('utf8');
  if (text.trim().length === 0) throw new RnnlensError(`${what} contains only whitespace: ${path}`);
  return text;
}

/** Entries of a folder, sorted by name; errors when the folder is missing or not a folder. */
export function listFolder(path: string, what = 'folder'): { name: string; isDir: boolean }[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new RnnlensError(`${what} not found: ${path}`);
  }
  if (!st.isDirectory()) throw new RnnlensError(`${what} is not a folder: ${path}`);
  return readdirSync(path, { withFileTypes: true })
    .map((e) => ({ name: e.name, isDir: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Parses a number cell; NaN, empty and non-numeric cells are errors naming file, line and column. */
export function parseNumber(cell: string, source: string, line: number, column: string): number {
  const s = cell.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) {
    throw new RnnlensError(
      `${source}: line ${line}, column ${JSON.stringify(column)}: expected a finite number, found ${JSON.stringify(cell)}`,
    );
  }
  return v;
}
