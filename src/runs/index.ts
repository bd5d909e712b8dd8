/** The run store: a folder per run plus an SQLite index. */
export { RunStore, INDEX_FILE } from './store.js';
export type { RunDetails } from './store.js';
export { RunWriter, RUN_META_FILE } from './writer.js';
export type { FigureArtifact, FinishOptions } from './writer.js';
export { newRunId, checkRunId, checkArtifactName } from './ids.js';
export { canonicalJson, dataFingerprint } from './fingerprint.js';
export type { ArtifactKind, ArtifactRecord, CreateRunOptions, ListRunsFilter, MetricPoint, RunKind, RunRecord, RunStatus, SeriesPoint } from './types.js';
