/**
 * RunStore: a folder per run under one root (default `runs/` in the working directory) plus an
 * SQLite index (`index.sqlite`) of runs, artifacts and metrics. Readers get clear errors for
 * unknown runs, runs still being written and artifacts whose files are gone or changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { VERSION } from '../version.js';
import { atomicWriteFile } from './atomic.js';
import { checkArtifactName, checkRunId, checkRunKind, newRunId } from './ids.js';
import { openIndex, type Database } from './sqlite.js';
import { RUN_STATUSES, type ArtifactRecord, type CreateRunOptions, type ListRunsFilter, type MetricPoint, type RunRecord, type SeriesPoint } from './types.js';
import { RUN_META_FILE, RunWriter } from './writer.js';

export const INDEX_FILE = 'index.sqlite';

interface RunRow {
  id: string;
  kind: string;
  status: RunRecord['status'];
  created: string;
  finished: string | null;
  config: string;
  seed: number | null;
  versions: string;
  data_fingerprint: string | null;
  tags: string;
  summary: string;
  error: string | null;
  pid: number;
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    created: r.created,
    finished: r.finished,
    config: JSON.parse(r.config) as unknown,
    seed: r.seed,
    versions: JSON.parse(r.versions) as RunRecord['versions'],
    dataFingerprint: r.data_fingerprint,
    tags: JSON.parse(r.tags) as string[],
    metrics: JSON.parse(r.summary) as Record<string, number>,
    error: r.error,
    pid: r.pid,
  };
}

/** True when a process with this id exists (on this machine). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunDetails {
  run: RunRecord;
  artifacts: ArtifactRecord[];
  metrics: MetricPoint[];
  /** A run still 'running' whose writing process is gone (it crashed or was killed). */
  stale: boolean;
}

export class RunStore {
  private constructor(
    readonly root: string,
    private readonly db: Database,
  ) {}

  /** True when `root` holds a run store (its index file exists). */
  static exists(root: string = join(process.cwd(), 'runs')): boolean {
    return existsSync(join(resolve(root), INDEX_FILE));
  }

  /**
   * Opens the store at `root`, creating it if missing; with `mustExist` a missing store is an
   * error instead (commands that only read should not leave an empty runs/ folder behind).
   */
  static open(root: string = join(process.cwd(), 'runs'), options: { mustExist?: boolean } = {}): RunStore {
    if (typeof root !== 'string' || root.length === 0) {
      throw new ArgumentError('RunStore.open', 'root', 'a folder path', describe(root));
    }
    const dir = resolve(root);
    if (options.mustExist && !RunStore.exists(dir)) {
      throw new RnnlensError(`run store: no run store at '${dir}' (no ${INDEX_FILE}); pass --runs-dir or record a run first`);
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new RnnlensError(`RunStore.open: cannot create the runs folder '${dir}': ${(err as Error).message}`);
    }
    const file = join(dir, INDEX_FILE);
    let db: Database;
    try {
      db = openIndex(file);
    } catch (err) {
      // a corrupt index (not a database) is set aside and rebuilt from the run folders
      if (!existsSync(file) || statSync(file).isDirectory() || !/not a database|malformed|file is encrypted/i.test((err as Error).message)) throw err;
      const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, aside + ext);
      db = openIndex(file);
    }
    const store = new RunStore(dir, db);
    store.rebuildIfEmpty();
    return store;
  }

  /**
   * An empty index beside run folders (a deleted, truncated or set-aside index.sqlite) is rebuilt
   * from each folder's run.json, which carries the run's record, artifacts and metrics. Never
   * "no runs" beside runs. Returns how many runs were restored.
   */
  rebuildIfEmpty(): number {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    if (count > 0) return 0;
    let restored = 0;
    const insertRun = this.db.prepare(
      `INSERT OR IGNORE INTO runs (id, kind, status, created, finished, config, seed, versions, data_fingerprint, tags, summary, error, pid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertArtifact = this.db.prepare('INSERT OR REPLACE INTO artifacts (run, name, kind, bytes, sha256, meta) VALUES (?, ?, ?, ?, ?, ?)');
    const insertMetric = this.db.prepare('INSERT INTO metrics (run, name, step, value) VALUES (?, ?, ?, ?)');
    const insertSeries = this.db.prepare('INSERT INTO series (run, name, step, epoch, wall, value) VALUES (?, ?, ?, ?, ?, ?)');
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return 0;
    }
    this.db
      .transaction(() => {
        for (const name of names) {
          const meta = join(this.root, name, RUN_META_FILE);
          if (!existsSync(meta)) continue;
          let r: RunRecord & { artifacts?: ArtifactRecord[]; metricPoints?: MetricPoint[]; seriesPoints?: SeriesPoint[] };
          try {
            r = JSON.parse(readFileSync(meta, 'utf8'));
            checkRunId('RunStore.rebuild', r.id);
          } catch {
            continue; // a torn or foreign folder is skipped, not fatal
          }
          if (r.id !== name || !(RUN_STATUSES as readonly string[]).includes(r.status)) continue;
          insertRun.run(r.id, r.kind, r.status, r.created, r.finished ?? null, JSON.stringify(r.config ?? {}), r.seed ?? null, JSON.stringify(r.versions ?? {}), r.dataFingerprint ?? null, JSON.stringify(r.tags ?? []), JSON.stringify(r.metrics ?? {}), r.error ?? null, Number.isInteger(r.pid) ? r.pid : 0);
          for (const a of r.artifacts ?? []) {
            if (existsSync(join(this.root, name, a.name))) insertArtifact.run(r.id, a.name, a.kind, a.bytes, a.sha256, JSON.stringify(a.meta ?? {}));
          }
          for (const m of r.metricPoints ?? []) insertMetric.run(r.id, m.name, m.step ?? null, m.value);
          for (const p of r.seriesPoints ?? []) insertSeries.run(r.id, p.name, p.step, p.epoch, p.wall, p.value);
          restored++;
        }
      })
      .immediate();
    return restored;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The folder of a run (validated id; the folder may not exist). */
  runDir(id: string): string {
    return join(this.root, checkRunId('RunStore.runDir', id));
  }

  /** Starts a run: makes its folder, indexes it as 'running' and returns its writer. */
  createRun(options: CreateRunOptions): RunWriter {
    const where = 'RunStore.createRun';
    if (!options || typeof options !== 'object') throw new ArgumentError(where, 'options', 'an object', describe(options));
    const kind = checkRunKind(where, options.kind);
    const seed = options.seed ?? null;
    if (seed !== null && !Number.isSafeInteger(seed)) throw new ArgumentError(where, 'seed', 'an integer or null', describe(seed));
    const tags = options.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
      throw new ArgumentError(where, 'tags', 'an array of strings', describe(tags));
    }
    const configText = JSON.stringify(options.config ?? {});
    if (configText === undefined) throw new ArgumentError(where, 'config', 'a JSON value', describe(options.config));
    const fp = options.dataFingerprint ?? null;
    if (fp !== null && typeof fp !== 'string') throw new ArgumentError(where, 'dataFingerprint', 'a string or null', describe(fp));

    // mkdir without `recursive` fails on an existing folder: a (very unlikely) id clash retries
    let id = '';
    for (let attempt = 0; ; attempt++) {
      id = newRunId();
      try {
        mkdirSync(join(this.root, id));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 10) throw err;
      }
    }
    const versions = JSON.stringify({ rnnlens: VERSION, node: process.version });
    this.db
      .transaction(() =>
        this.db
          .prepare(
            `INSERT INTO runs (id, kind, status, created, config, seed, versions, data_fingerprint, tags, summary, pid)
             VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, '{}', ?)`,
          )
          .run(id, kind, new Date().toISOString(), configText, seed, versions, fp, JSON.stringify(tags), process.pid),
      )
      .immediate();
    const writer = new RunWriter(id, join(this.root, id), this.db, () => this.writeMeta(id));
    this.writeMeta(id);
    return writer;
  }

  /**
   * Runs `body` with a new run's writer: finishes it when `body` resolves, marks it failed (with
   * the error's message) and rethrows when `body` throws.
   */
  async record<T>(options: CreateRunOptions, body: (run: RunWriter) => Promise<T> | T): Promise<{ id: string; result: T }> {
    const run = this.createRun(options);
    try {
      const result = await body(run);
      if (!run.finished) run.finish('finished');
      return { id: run.id, result };
    } catch (err) {
      if (!run.finished) run.fail(err);
      throw err;
    }
  }

  /** Runs, newest first, optionally filtered by kind, status or tag. */
  list(filter: ListRunsFilter = {}): RunRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(checkRunKind('RunStore.list', filter.kind));
    }
    if (filter.status !== undefined) {
      if (!RUN_STATUSES.includes(filter.status)) {
        throw new ArgumentError('RunStore.list', 'status', RUN_STATUSES.join(' | '), describe(filter.status));
      }
      where.push('status = ?');
      params.push(filter.status);
    }
    const limit = filter.limit ?? -1;
    const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created DESC, rowid DESC LIMIT ?`;
    let runs = (this.db.prepare(sql).all(...params, limit) as RunRow[]).map(toRecord);
    if (filter.tag !== undefined) runs = runs.filter((r) => r.tags.includes(filter.tag!));
    return runs;
  }

  /** One run; throws a clear error for an unknown id. */
  /**
   * The id a user's reference names: an id, `latest` (the newest run, or the newest of a kind
   * with `latest:KIND`), or a unique prefix of an id. Ambiguous or unknown references are errors
   * listing what matched.
   */
  resolve(ref: string): string {
    if (typeof ref !== 'string' || ref.length === 0) throw new ArgumentError('run', 'id', "a run id, a unique prefix of one, or 'latest'", describe(ref));
    const latest = /^latest(?::([a-z][a-z0-9-]*))?$/.exec(ref);
    if (latest) {
      const runs = this.list(latest[1] ? { kind: latest[1] } : {});
      if (runs.length === 0) throw new RnnlensError(`run store: no ${latest[1] ? `${latest[1]} ` : ''}runs in ${this.root}, so '${ref}' names none`);
      return runs[0]!.id;
    }
    const exact = this.db.prepare('SELECT id FROM runs WHERE id = ?').get(ref) as { id: string } | undefined;
    if (exact) return exact.id;
    const matches = (this.db.prepare("SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY created DESC").all(ref.length, ref) as { id: string }[]).map((r) => r.id);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new RnnlensError(`run store: '${ref}' is the start of ${matches.length} run ids (${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}); give more characters`);
    throw new RnnlensError(`run store: no run with id '${ref}' (or starting with it) in ${this.root} (see 'rnnlens runs ls'; 'latest' names the newest)`);
  }

  get(id: string): RunRecord {
    checkRunId('RunStore.get', id);
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new RnnlensError(`run store: no run with id '${id}' in ${this.root} (see 'rnnlens runs ls')`);
    return toRecord(row);
  }

  has(id: string): boolean {
    checkRunId('RunStore.has', id);
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  /** The run, its artifacts and its metric series. */
  show(id: string): RunDetails {
    const run = this.get(id);
    return {
      run,
      artifacts: this.artifacts(id),
      metrics: this.metrics(id),
      stale: run.status === 'running' && !processAlive(run.pid),
    };
  }

  artifacts(id: string): ArtifactRecord[] {
    this.get(id);
    const rows = this.db.prepare('SELECT * FROM artifacts WHERE run = ? ORDER BY name').all(id) as (Omit<ArtifactRecord, 'meta'> & { meta: string })[];
    return rows.map((r) => ({ ...r, meta: JSON.parse(r.meta) as Record<string, unknown> }));
  }

  /** Metric points in the order they were logged, optionally only one metric. */
  metrics(id: string, name?: string): MetricPoint[] {
    this.get(id);
    const sql = `SELECT name, step, value FROM metrics WHERE run = ? ${name === undefined ? '' : 'AND name = ?'} ORDER BY rowid`;
    return this.db.prepare(sql).all(...(name === undefined ? [id] : [id, name])) as MetricPoint[];
  }

  /** Training series points (step, epoch, wall time), by series name and step. */
  series(id: string): SeriesPoint[] {
    this.get(id);
    return this.db.prepare('SELECT name, step, epoch, wall, value FROM series WHERE run = ? ORDER BY name, step, rowid').all(id) as SeriesPoint[];
  }

  /**
   * The bytes of a finished run's artifact, checked against the index. Errors: unknown run,
   * run still being written, unknown artifact, file deleted, file changed since it was written.
   */
  readArtifact(id: string, name: string): { record: ArtifactRecord; bytes: Buffer } {
    const run = this.get(id);
    checkArtifactName('RunStore.readArtifact', name);
    if (run.status === 'running') {
      const why = processAlive(run.pid) ? `process ${run.pid} is still writing it` : `its writer (process ${run.pid}) is gone without finishing it`;
      throw new RnnlensError(`run store: run '${id}' is still being written (${why}); its artifacts can be read once it is finished`);
    }
    const record = this.artifacts(id).find((a) => a.name === name);
    if (!record) throw new RnnlensError(`run store: run '${id}' has no artifact '${name}'`);
    const file = join(this.root, id, name);
    if (!existsSync(file)) {
      throw new RnnlensError(`run store: artifact '${name}' of run '${id}' is in the index but its file ${file} is missing (deleted?)`);
    }
    const bytes = readFileSync(file);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== record.sha256) {
      throw new RnnlensError(`run store: artifact '${name}' of run '${id}' changed after it was written (sha256 ${sha.slice(0, 12)}…, index has ${record.sha256.slice(0, 12)}…)`);
    }
    return { record, bytes };
  }

  readJson(id: string, name: string): unknown {
    const { record, bytes } = this.readArtifact(id, name);
    if (record.kind !== 'json' && record.kind !== 'figure') {
      throw new RnnlensError(`run store: artifact '${name}' of run '${id}' is ${record.kind}, not json`);
    }
    return JSON.parse(bytes.toString('utf8')) as unknown;
  }

  readText(id: string, name: string): string {
    return this.readArtifact(id, name).bytes.toString('utf8');
  }

  readFloat32(id: string, name: string): { data: Float32Array; shape: number[] } {
    const { record, bytes } = this.readArtifact(id, name);
    if (record.kind !== 'f32') throw new RnnlensError(`run store: artifact '${name}' of run '${id}' is ${record.kind}, not f32`);
    // copy into a fresh, aligned buffer (a Buffer's byteOffset need not be a multiple of 4)
    const data = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(data.buffer).set(bytes);
    return { data, shape: (record.meta.shape as number[] | undefined) ?? [data.length] };
  }

  /**
   * Removes a run's folder and index rows. A run whose writer is still alive is refused unless
   * `force` (removing it would make that writer fail).
   */
  remove(id: string, options: { force?: boolean } = {}): void {
    const run = this.get(id);
    if (run.status === 'running' && processAlive(run.pid) && !options.force) {
      throw new RnnlensError(`run store: run '${id}' is still being written by process ${run.pid}; wait for it to finish (or force)`);
    }
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM metrics WHERE run = ?').run(id);
        this.db.prepare('DELETE FROM series WHERE run = ?').run(id);
        this.db.prepare('DELETE FROM artifacts WHERE run = ?').run(id);
        this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
      })
      .immediate();
    rmSync(join(this.root, id), { recursive: true, force: true });
  }

  /** SQLite's own consistency check of the index: 'ok' when sound. */
  integrityCheck(): string {
    const rows = this.db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  }

  /** Keeps `<run>/run.json` (a self-description of the folder) in step with the index. */
  private writeMeta(id: string): void {
    const run = this.get(id);
    const self = { ...run, artifacts: this.artifacts(id), metricPoints: this.metrics(id), seriesPoints: this.series(id) };
    atomicWriteFile(join(this.root, id, RUN_META_FILE), JSON.stringify(self, null, 1));
  }
}
