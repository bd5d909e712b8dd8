/** Plain records of the run store: what the SQLite index holds and what `runs show` prints. */

/** What produced a run. Known kinds are listed; other lowercase words are accepted too. */
export type RunKind =
  | 'train'
  | 'cv'
  | 'compare'
  | 'explain'
  | 'internals'
  | 'certify'
  | 'explain-bench'
  | 'sweep'
  | 'dynamics'
  | 'extract'
  | 'intervene'
  | 'probe'
  | (string & {});

export type RunStatus = 'running' | 'finished' | 'failed';

/** How an artifact's bytes are to be read back. */
export type ArtifactKind = 'json' | 'f32' | 'text' | 'file' | 'figure';

export interface RunVersions {
  rnnlens: string;
  node: string;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  status: RunStatus;
  /** ISO 8601 times (UTC). */
  created: string;
  finished: string | null;
  config: unknown;
  seed: number | null;
  versions: RunVersions;
  dataFingerprint: string | null;
  tags: string[];
  /** Final (summary) metrics, name → value. */
  metrics: Record<string, number>;
  /** Message of the error that failed the run. */
  error: string | null;
  /** Process that wrote (or is writing) the run; used to tell a live writer from a crashed one. */
  pid: number;
}

export interface ArtifactRecord {
  run: string;
  name: string;
  kind: ArtifactKind;
  bytes: number;
  sha256: string;
  /** Kind-specific metadata: the shape of an f32 array, the figure kind of a figure. */
  meta: Record<string, unknown>;
}

export interface MetricPoint {
  name: string;
  step: number | null;
  value: number;
}

/**
 * One point of a training series with all three x axes: the optimiser step (minibatch) it was
 * taken at, the epoch (fractional within an epoch for per-step values), and the wall-clock time
 * (ms since 1970).
 */
export interface SeriesPoint {
  name: string;
  step: number;
  epoch: number;
  wall: number;
  value: number;
}

export interface CreateRunOptions {
  kind: RunKind;
  config?: unknown;
  seed?: number | null;
  dataFingerprint?: string | null;
  tags?: string[];
}

export interface ListRunsFilter {
  kind?: string;
  status?: RunStatus;
  tag?: string;
  /** Newest first; at most this many. */
  limit?: number;
}

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed'];
