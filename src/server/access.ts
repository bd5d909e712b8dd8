/**
 * Reading the run store on behalf of a request: every way a read can fail becomes an HttpError
 * with the right status (404 unknown run or artifact or a deleted file, 409 a run still being
 * written or a file changed since it was indexed, 413 larger than the limit).
 */
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { checkArtifactName, checkRunId } from '../runs/ids.js';
import type { RunStore } from '../runs/store.js';
import type { ArtifactRecord, RunRecord } from '../runs/types.js';
import { HttpError } from './errors.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The run, or 404. The id was schema-checked already; the store's own check runs again. */
export function requireRun(store: RunStore, id: string): RunRecord {
  checkRunId('server', id);
  if (!store.has(id))
    throw new HttpError(404, 'unknown_run', `no run with id '${id}' in this run store`);
  return store.get(id);
}

/** The run, or 409 while it is still being written (its artifacts may be incomplete). */
export function requireFinishedRun(store: RunStore, id: string): RunRecord {
  const run = requireRun(store, id);
  if (run.status === 'running') {
    const why = processAlive(run.pid)
      ? `process ${run.pid} is still writing it`
      : `its writer (process ${run.pid}) stopped without finishing it`;
    throw new HttpError(
      409,
      'run_in_progress',
      `run '${id}' is still being written (${why}); its artifacts can be read once it has finished`,
    );
  }
  return run;
}

/** An artifact's index record and file path; 404 when unknown or its file is gone. */
export function requireArtifact(
  store: RunStore,
  id: string,
  name: string,
): { record: ArtifactRecord; file: string; size: number } {
  checkArtifactName('server', name);
  requireFinishedRun(store, id);
  const record = store.artifacts(id).find((a) => a.name === name);
  if (!record)
    throw new HttpError(404, 'unknown_artifact', `run '${id}' has no artifact '${name}'`);
  const file = join(store.root, id, name);
  if (!existsSync(file)) {
    throw new HttpError(
      404,
      'artifact_missing',
      `artifact '${name}' of run '${id}' is listed in the index but its file is missing (deleted?)`,
    );
  }
  // only a regular file inside the run's own folder is served: no symbolic links out of it
  const runDir = realpathSync(join(store.root, id));
  if (lstatSync(file).isSymbolicLink() || !realpathSync(file).startsWith(runDir + sep) || !statSync(file).isFile()) {
    throw new HttpError(403, 'forbidden', `artifact '${name}' of run '${id}' is not a regular file inside the run folder; it is not served`);
  }
  const size = statSync(file).size;
  if (size !== record.bytes) {
    throw new HttpError(
      409,
      'artifact_changed',
      `artifact '${name}' of run '${id}' has ${size} bytes on disk but ${record.bytes} in the index (changed after it was written)`,
    );
  }
  return { record, file, size };
}

/** Bytes of an artifact no larger than `maxBytes`, verified against the index's sha256. */
export function readArtifactBytes(
  store: RunStore,
  id: string,
  name: string,
  maxBytes: number,
): { record: ArtifactRecord; bytes: Buffer } {
  const { size } = requireArtifact(store, id, name);
  if (size > maxBytes) {
    throw new HttpError(
      413,
      'too_large',
      `artifact '${name}' of run '${id}' has ${size} bytes, more than the ${maxBytes} this endpoint parses; download it with ?raw=true`,
    );
  }
  try {
    return store.readArtifact(id, name);
  } catch (err) {
    throw new HttpError(409, 'artifact_changed', (err as Error).message);
  }
}

/** A JSON (or figure) artifact parsed; 400-free: a file that is not JSON is a 500 naming it. */
export function readJsonArtifact(
  store: RunStore,
  id: string,
  name: string,
  maxBytes: number,
): unknown {
  const { bytes } = readArtifactBytes(store, id, name, maxBytes);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new HttpError(
      500,
      'internal',
      `artifact '${name}' of run '${id}' is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** True when the (finished) run has an artifact of this name whose file is present. */
export function hasArtifact(store: RunStore, id: string, name: string): boolean {
  return store.artifacts(id).some((a) => a.name === name) && existsSync(join(store.root, id, name));
}
