/**
 * RunWriter: the handle a command holds while it produces a run. Artifacts are written atomically
 * into the run's folder and then recorded in the index (name, kind, bytes, sha256); metrics go
 * straight to the index. `finish` closes the run; after that the writer refuses to write.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, RnnlensError, describe } from '../core/errors.js';
import { atomicWriteFile } from './atomic.js';
import { checkArtifactName } from './ids.js';
import type { Database } from './sqlite.js';
import type { ArtifactKind, ArtifactRecord, RunStatus, SeriesPoint } from './types.js';

/** The file in every run folder that describes the run itself (not an artifact). */
export const RUN_META_FILE = 'run.json';

export interface FinishOptions {
  /** Final metrics, merged into the run's summary. */
  metrics?: Record<string, number>;
  /** Why the run failed (status 'failed'). */
  error?: string;
}

/** Data for one figure: which figure function draws it (see src/report/figures) and its input. */
export interface FigureArtifact {
  figure: string;
  title?: string;
  data: unknown;
}

export class RunWriter {
  private closed = false;

  constructor(
    readonly id: string,
    readonly dir: string,
    private readonly db: Database,
    /** Called after every change so the run folder's run.json stays current. */
    private readonly refreshMeta: () => void,
  ) {}

  get finished(): boolean {
    return this.closed;
  }

  /** Writes `value` as pretty JSON. */
  writeJson(name: string, value: unknown, meta: Record<string, unknown> = {}): ArtifactRecord {
    const text = JSON.stringify(value, null, 1);
    if (text === undefined) throw new ArgumentError('RunWriter.writeJson', 'value', 'a JSON value', describe(value));
    return this.put(name, 'json', Buffer.from(text, 'utf8'), meta);
  }

  writeText(name: string, text: string): ArtifactRecord {
    if (typeof text !== 'string') throw new ArgumentError('RunWriter.writeText', 'text', 'a string', describe(text));
    return this.put(name, 'text', Buffer.from(text, 'utf8'), {});
  }

  /** Raw little-endian float32 bytes; `shape` (if given) must multiply to the length. */
  writeFloat32(name: string, data: Float32Array, shape: number[] = [data?.length ?? 0]): ArtifactRecord {
    if (!(data instanceof Float32Array)) {
      throw new ArgumentError('RunWriter.writeFloat32', 'data', 'a Float32Array', describe(data));
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || size !== data.length) {
      throw new ArgumentError('RunWriter.writeFloat32', 'shape', `non-negative integers multiplying to ${data.length}`, `[${shape.join(', ')}]`);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return this.put(name, 'f32', bytes, { dtype: 'float32', shape });
  }

  /** Copies an existing file (a saved model, a PNG) into the run. */
  writeFile(name: string, sourcePath: string): ArtifactRecord {
    let bytes: Buffer;
    try {
      bytes = readFileSync(sourcePath);
    } catch (err) {
      throw new RnnlensError(`RunWriter.writeFile: cannot read '${sourcePath}': ${(err as Error).message}`);
    }
    return this.put(name, 'file', bytes, {});
  }

  /** Stores the data of one figure; the report draws every figure artifact of a run. */
  writeFigure(name: string, figure: FigureArtifact): ArtifactRecord {
    if (!figure || typeof figure.figure !== 'string' || figure.figure.length === 0) {
      throw new ArgumentError('RunWriter.writeFigure', 'figure.figure', 'the name of a figure kind', describe(figure?.figure));
    }
    const text = JSON.stringify(figure);
    return this.put(name, 'figure', Buffer.from(text, 'utf8'), { figure: figure.figure });
  }

  /** One point of a metric series (e.g. loss per epoch); `step` null for an unordered value. */
  logMetric(name: string, value: number, step: number | null = null): void {
    this.checkOpen('logMetric');
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new ArgumentError('RunWriter.logMetric', 'name', 'a non-empty string of at most 200 characters', describe(name));
    }
    if (typeof value !== 'number' || Number.isNaN(value)) {
      // ±Infinity is a legitimate (diverged) loss; NaN is stored as SQL NULL by SQLite, so refuse it
      throw new ArgumentError('RunWriter.logMetric', 'value', 'a number (not NaN)', describe(value));
    }
    if (step !== null && !Number.isInteger(step)) {
      throw new ArgumentError('RunWriter.logMetric', 'step', 'an integer or null', describe(step));
    }
    this.db
      .transaction(() => this.db.prepare('INSERT INTO metrics (run, name, step, value) VALUES (?, ?, ?, ?)').run(this.id, name, step, value))
      .immediate();
  }

  /**
   * Points of training series (step, epoch and wall time each). With `replace`, the series named
   * there are emptied first in the same transaction (a thinned series rewritten whole).
   */
  logSeries(points: readonly SeriesPoint[], replace: readonly string[] = []): void {
    this.checkOpen('logSeries');
    for (const p of points) {
      if (typeof p.name !== 'string' || p.name.length === 0 || p.name.length > 200) {
        throw new ArgumentError('RunWriter.logSeries', 'name', 'a non-empty string of at most 200 characters', describe(p.name));
      }
      if (!Number.isInteger(p.step) || p.step < 0) throw new ArgumentError('RunWriter.logSeries', `${p.name} step`, 'an integer >= 0', describe(p.step));
      for (const k of ['epoch', 'wall'] as const) {
        if (!Number.isFinite(p[k])) throw new ArgumentError('RunWriter.logSeries', `${p.name} ${k}`, 'a finite number', describe(p[k]));
      }
      if (typeof p.value !== 'number' || Number.isNaN(p.value)) throw new ArgumentError('RunWriter.logSeries', `${p.name} value`, 'a number (not NaN)', describe(p.value));
    }
    this.db
      .transaction(() => {
        const del = this.db.prepare('DELETE FROM series WHERE run = ? AND name = ?');
        for (const n of replace) del.run(this.id, n);
        const ins = this.db.prepare('INSERT INTO series (run, name, step, epoch, wall, value) VALUES (?, ?, ?, ?, ?, ?)');
        for (const p of points) ins.run(this.id, p.name, p.step, p.epoch, p.wall, p.value);
      })
      .immediate();
  }

  /** Merges final metrics into the run's summary (may be called several times). */
  setMetrics(metrics: Record<string, number>): void {
    this.checkOpen('setMetrics');
    this.mergeSummary(metrics);
    this.refreshMeta();
  }

  /** Closes the run with status 'finished' (default) or 'failed'. */
  finish(status: Exclude<RunStatus, 'running'> = 'finished', options: FinishOptions = {}): void {
    this.checkOpen('finish');
    if (status !== 'finished' && status !== 'failed') {
      throw new ArgumentError('RunWriter.finish', 'status', "'finished' or 'failed'", describe(status));
    }
    if (options.metrics) this.mergeSummary(options.metrics);
    const error = status === 'failed' ? (options.error ?? 'failed (no message)') : null;
    this.db
      .transaction(() =>
        this.db.prepare('UPDATE runs SET status = ?, finished = ?, error = ? WHERE id = ?').run(status, new Date().toISOString(), error, this.id),
      )
      .immediate();
    this.closed = true;
    this.refreshMeta();
  }

  /** Closes the run as failed with the error's message. */
  fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.finish('failed', { error: message });
  }

  private mergeSummary(metrics: Record<string, number>): void {
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== 'number' || Number.isNaN(v)) {
        throw new ArgumentError('RunWriter.setMetrics', `metrics.${k}`, 'a number (not NaN)', describe(v));
      }
    }
    this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT summary FROM runs WHERE id = ?').get(this.id) as { summary: string } | undefined;
        if (!row) throw new RnnlensError(`run store: run '${this.id}' was removed while it was being written`);
        const merged = { ...(JSON.parse(row.summary) as Record<string, number>), ...metrics };
        this.db.prepare('UPDATE runs SET summary = ? WHERE id = ?').run(JSON.stringify(merged), this.id);
      })
      .immediate();
  }

  private put(name: string, kind: ArtifactKind, bytes: Uint8Array, meta: Record<string, unknown>): ArtifactRecord {
    this.checkOpen('write');
    checkArtifactName(`RunWriter.write (${kind})`, name);
    if (name === RUN_META_FILE) {
      throw new ArgumentError('RunWriter.write', 'artifact name', `any name but '${RUN_META_FILE}' (reserved)`, describe(name));
    }
    atomicWriteFile(join(this.dir, name), bytes);
    const rec: ArtifactRecord = {
      run: this.id,
      name,
      kind,
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      meta,
    };
    this.db
      .transaction(() =>
        this.db
          .prepare('INSERT OR REPLACE INTO artifacts (run, name, kind, bytes, sha256, meta) VALUES (?, ?, ?, ?, ?, ?)')
          .run(rec.run, rec.name, rec.kind, rec.bytes, rec.sha256, JSON.stringify(meta)),
      )
      .immediate();
    return rec;
  }

  private checkOpen(what: string): void {
    if (this.closed) throw new RnnlensError(`RunWriter.${what}: run '${this.id}' is already finished; it cannot change any more`);
  }
}
