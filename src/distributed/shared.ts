/**
 * How the shared part of a batch travels to workers on other machines. A job carries a small JSON
 * reference, never the data itself:
 * - a built-in recipe that needs no data folder is named (`{ recipe, seed, fingerprint }`) and the
 *   worker loads it itself; the fingerprint (SHA-256 of the pooled dataset's bytes) must match,
 *   or the job fails with a message saying the worker runs different code or data;
 * - anything else (a dataset from `--data`, a user's files) goes into the artifact store once and
 *   is referenced by its hash.
 * Workers cache what they resolved, by reference, so the jobs of a batch fetch it once.
 */
import { RnnlensError } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import { getRecipe } from '../train/recipes.js';
import { mergePool } from '../verify/cv/plan.js';
import { createHash } from 'node:crypto';
import { fromBytes, toBytes, type ArtifactRef, type ArtifactStore } from './artifacts.js';
import type { CvFoldShared, JobKind, ModelJobShared } from './handlers.js';

/** Where a built-in dataset comes from, when the worker can rebuild it by name. */
export interface DatasetSource {
  recipe: string;
  seed: number;
}

export type DatasetRef = { recipe: string; seed: number; fingerprint: string } | { artifact: ArtifactRef };

export interface CvFoldSharedRef {
  dataset: DatasetRef;
  setup: Omit<CvFoldShared['setup'], 'dataset'>;
  keepWeights: boolean;
}

/** The shared part of a cv-fold batch, with where its dataset comes from (if built in). */
export interface CvFoldSharedWithSource extends CvFoldShared {
  source?: DatasetSource;
}

/**
 * A canonical hash of a dataset's content: its description as JSON and every item's arrays as
 * bytes. (Not the hash of v8.serialize's bytes: those depend on how V8 happens to hold a string,
 * one byte or two per character, which differs between processes.)
 */
export function datasetFingerprint(ds: Dataset): string {
  const h = createHash('sha256');
  const { items, ...about } = ds;
  h.update(JSON.stringify(about));
  const bytes = (a: ArrayBufferView | undefined): void => {
    h.update(a ? String(a.byteLength) : '-');
    if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  for (const it of items) {
    h.update(JSON.stringify([it.steps, it.label ?? null, it.meta ?? null, it.x.constructor.name]));
    bytes(it.x);
    bytes(it.values);
    bytes(it.tags);
    bytes(it.truth);
  }
  return h.digest('hex');
}

/** Loads a recipe's data and pools it as a cross-validation does. */
export function pooledRecipeData(recipe: string, seed: number): Dataset {
  const r = getRecipe(recipe);
  const parts = r.load({ seed });
  return mergePool([parts.train, parts.validation, parts.test], r.name);
}

/** A model package with its files in the artifact store. */
export interface ModelJobSharedRef {
  model: { hash: string; entry: string; artifact: ArtifactRef };
  options: unknown;
}

export async function packShared(kind: JobKind, shared: unknown, store: ArtifactStore): Promise<unknown> {
  switch (kind) {
    case 'certify-chunk':
    case 'explain-chunk': {
      const s = shared as ModelJobShared<unknown>;
      const { files, ...about } = s.model;
      return { model: { ...about, artifact: await store.put(toBytes(files)) }, options: s.options } satisfies ModelJobSharedRef;
    }
    case 'cv-fold': {
      const s = shared as CvFoldSharedWithSource;
      const { dataset, ...setup } = s.setup;
      const ref: DatasetRef = s.source ? { recipe: s.source.recipe, seed: s.source.seed, fingerprint: datasetFingerprint(dataset) } : { artifact: await store.put(toBytes(dataset)) };
      return { dataset: ref, setup, keepWeights: s.keepWeights } satisfies CvFoldSharedRef;
    }
    // plain options: the worker generates the benchmark's synthetic datasets itself, by name and seed
    case 'explain-bench-dataset':
      return shared;
    default:
      return unknownKind(kind);
  }
}

function unknownKind(kind: never): never {
  throw new RnnlensError(`job kind '${String(kind)}' has no rule for its shared part`);
}

export async function unpackShared(kind: JobKind, ref: unknown, store: ArtifactStore): Promise<unknown> {
  switch (kind) {
    case 'certify-chunk':
    case 'explain-chunk': {
      const r = ref as ModelJobSharedRef;
      const { artifact, ...about } = r.model;
      return { model: { ...about, files: fromBytes<Record<string, Uint8Array>>(await store.get(artifact)) }, options: r.options } satisfies ModelJobShared<unknown>;
    }
    case 'cv-fold': {
      const r = ref as CvFoldSharedRef;
      let dataset: Dataset;
      if ('artifact' in r.dataset) dataset = fromBytes<Dataset>(await store.get(r.dataset.artifact));
      else {
        const d = r.dataset;
        dataset = pooledRecipeData(d.recipe, d.seed);
        const got = datasetFingerprint(dataset);
        if (got !== d.fingerprint) {
          throw new RnnlensError(`recipe '${d.recipe}' (seed ${d.seed}) gives different data on this worker (fingerprint ${got.slice(0, 12)}, the command's ${d.fingerprint.slice(0, 12)}): the worker runs another rnnlens version or other data`);
        }
      }
      return { setup: { ...r.setup, dataset }, keepWeights: r.keepWeights } satisfies CvFoldShared;
    }
    case 'explain-bench-dataset':
      return ref;
    default:
      return unknownKind(kind);
  }
}
