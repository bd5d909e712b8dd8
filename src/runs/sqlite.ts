/**
 * The SQLite index of the run store (better-sqlite3 12). The package ships no TypeScript types
 * and @types/better-sqlite3 is not a dependency, so the small part used here is typed below.
 *
 * Concurrency: WAL mode lets readers run beside one writer; busy_timeout makes a second writer
 * wait instead of failing; every write is a `BEGIN IMMEDIATE` transaction so two processes never
 * deadlock upgrading read locks to write locks.
 */
import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { RnnlensError } from '../core/errors.js';

export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface Transaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
}

export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): Database;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R>;
  close(): void;
  readonly open: boolean;
}

type DatabaseCtor = new (file: string, options?: { timeout?: number; readonly?: boolean }) => Database;

const require = createRequire(import.meta.url);

/** How long a writer waits for another process's transaction before giving up (ms). */
export const BUSY_TIMEOUT_MS = 15000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
  created TEXT NOT NULL,
  finished TEXT,
  config TEXT NOT NULL,
  seed INTEGER,
  versions TEXT NOT NULL,
  data_fingerprint TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  summary TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  pid INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_kind ON runs (kind, created);
CREATE TABLE IF NOT EXISTS artifacts (
  run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (run, name)
);
CREATE TABLE IF NOT EXISTS metrics (
  run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  step INTEGER,
  value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics (run, name);
CREATE TABLE IF NOT EXISTS series (
  run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  step INTEGER NOT NULL,
  epoch REAL NOT NULL,
  wall REAL NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS series_run ON series (run, name, step);
`;

/** Opens (creating if needed) the index at `file` with WAL, busy_timeout and the schema. */
export function openIndex(file: string): Database {
  let Ctor: DatabaseCtor;
  try {
    Ctor = require('better-sqlite3') as DatabaseCtor;
  } catch (err) {
    throw new RnnlensError(`run store: cannot load better-sqlite3 (${(err as Error).message}); run 'npm rebuild better-sqlite3'`);
  }
  let db: Database;
  try {
    db = new Ctor(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    const what = existsSync(file) && statSync(file).isDirectory() ? 'it is a folder, not a SQLite file' : (err as Error).message;
    throw new RnnlensError(`run store: cannot open the index ${file}: ${what}`);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => db.exec(SCHEMA)).immediate();
  } catch (err) {
    db.close();
    throw new RnnlensError(`run store: cannot open the index ${file}: ${(err as Error).message}`);
  }
  return db;
}
