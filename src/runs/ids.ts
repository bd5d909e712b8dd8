/**
 * Run ids and artifact names. Both end up in file paths and URLs, so both are validated
 * everywhere they come in: only [A-Za-z0-9_-] for ids (no dots, no slashes: no path traversal).
 */
import { randomBytes } from 'node:crypto';
import { ArgumentError, describe } from '../core/errors.js';

const RUN_ID = /^[A-Za-z0-9_-]{1,128}$/;
// Artifact names may carry one extension-like dot, never start with a dot and never contain '..'.
const ARTIFACT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;
const KIND = /^[a-z][a-z0-9-]{0,31}$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * A new run id: UTC time to the millisecond, then 8 random hex digits, e.g.
 * `20261128-080512-345-9f3a61c0`. Lexicographic order is creation order (to the millisecond);
 * the random tail keeps two processes starting in the same millisecond apart.
 */
export function newRunId(now: Date = new Date()): string {
  const d = now;
  const stamp =
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}-` +
    `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}-` +
    pad(d.getUTCMilliseconds(), 3);
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

/** Throws unless `id` is a well-formed run id; returns it. */
export function checkRunId(where: string, id: unknown): string {
  if (typeof id !== 'string' || !RUN_ID.test(id)) {
    throw new ArgumentError(where, 'run id', '1 to 128 characters of [A-Za-z0-9_-]', describe(id));
  }
  return id;
}

/** Throws unless `name` is a safe artifact file name; returns it. */
export function checkArtifactName(where: string, name: unknown): string {
  if (typeof name !== 'string' || !ARTIFACT_NAME.test(name) || name.includes('..')) {
    throw new ArgumentError(
      where,
      'artifact name',
      "1 to 128 characters of [A-Za-z0-9_.-], not starting with '.' and without '..'",
      describe(name),
    );
  }
  return name;
}

/** Throws unless `kind` is a lowercase word such as 'train' or 'explain-bench'; returns it. */
export function checkRunKind(where: string, kind: unknown): string {
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw new ArgumentError(where, 'kind', "a lowercase word such as 'train' or 'explain-bench'", describe(kind));
  }
  return kind;
}
