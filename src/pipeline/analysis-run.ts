/**
 * Analyses run from the command line as runs of the run store: the `--runs-dir` / `--no-record`
 * options every analysing command shares, the training run a model came from (so the analysis
 * links to it), and recording a run around a command's result with its artifacts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunStore } from '../runs/store.js';
import type { RunWriter } from '../runs/writer.js';
import type { CreateRunOptions } from '../runs/types.js';

export interface RecordCli {
  runsDir: string;
  record: boolean;
}

/** Adds `--runs-dir DIR` (default `runs`) and `--no-record` to a command. */
export function addRecordOptions(cmd: Command, kind: string): Command {
  return cmd
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', `do not record a run (by default: a run of kind ${kind} in --runs-dir)`);
}

function modelMetaRun(modelPath: string): string | undefined {
  try {
    const file = statSync(modelPath).isDirectory() ? join(modelPath, 'model.json') : modelPath;
    if (basename(file) !== 'model.json' || !existsSync(file)) return undefined;
    const run = (JSON.parse(readFileSync(file, 'utf8')) as { meta?: { run?: unknown } }).meta?.run;
    return typeof run === 'string' ? run : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The id of the training run in `store` that produced the model at `modelPath`: the run the
 * model records (`meta.run`, written by `train`), or the run whose folder holds it
 * (`RUNS/<id>/model`). Undefined when the model came from elsewhere.
 */
export function trainingRunOf(store: RunStore, modelPath: string): string | undefined {
  const candidates: string[] = [];
  const meta = modelMetaRun(modelPath);
  if (meta) candidates.push(meta);
  let dir = resolve(modelPath);
  if (basename(dir) === 'model.json') dir = dirname(dir);
  if (basename(dir) === 'model' && dirname(dirname(dir)) === store.root) candidates.push(basename(dirname(dir)));
  for (const id of candidates) {
    try {
      if (store.has(id) && store.get(id).kind === 'train') return id;
    } catch {
      // not a well-formed id: not a run of this store
    }
  }
  return undefined;
}

export interface AnalysisRun {
  /** The run's id (null with --no-record). */
  id: string | null;
  /** The training run the model came from, when there is one in the store. */
  parent: string | null;
}

/**
 * Records a run of `options.kind` (unless `--no-record`) whose `body` writes the artifacts and
 * returns the final metrics; the model's training run becomes a tag and `config.modelRun`. A
 * failing body fails the run and rethrows.
 */
export async function recordAnalysis(
  cli: RecordCli,
  modelPath: string | undefined,
  options: CreateRunOptions,
  body: (w: RunWriter) => Record<string, number> | void | Promise<Record<string, number> | void>,
): Promise<AnalysisRun> {
  if (!cli.record) return { id: null, parent: null };
  const store = RunStore.open(cli.runsDir);
  try {
    const parent = modelPath !== undefined ? trainingRunOf(store, modelPath) ?? null : null;
    const config = { ...((options.config as Record<string, unknown> | undefined) ?? {}), ...(modelPath !== undefined ? { model: modelPath, modelRun: parent } : {}) };
    const tags = [...(options.tags ?? []), ...(parent && !(options.tags ?? []).includes(parent) ? [parent] : [])];
    const w = store.createRun({ ...options, config, tags });
    try {
      const metrics = await body(w);
      const finite = Object.fromEntries(Object.entries(metrics ?? {}).filter(([, v]) => Number.isFinite(v)));
      w.finish('finished', { metrics: finite });
    } catch (err) {
      w.fail(err);
      throw err;
    }
    return { id: w.id, parent };
  } finally {
    store.close();
  }
}

/** The line a command prints after recording (nothing with --no-record). */
export function recordedLine(run: AnalysisRun): string {
  if (!run.id) return '';
  return `recorded run ${run.id}${run.parent ? ` (model from training run ${run.parent})` : ''}\n`;
}
