/**
 * `rnnlens cv --recipe NAME [--data PATH] [--folds K] [--splitter stratified|kfold|group|time]
 * [--group-by FIELD] [--repeats R] [--seed N] [--epochs N] [--parallel N] [--json]`:
 * cross-validate a recipe's model (a fresh model per fold), print a table of the folds and the
 * summary per metric with its confidence interval, and record a `cv` run in the run store.
 * `--json` prints `{ folds: [{ train, test, metrics, fitSeconds }], summary: { metric: { mean,
 * sd, ci } }, oof: { indices, labels, probabilities } }` (regression: `values` in place of
 * `probabilities`, true values as `labels`), and `run` (the recorded run's id) when it records one.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import type { BackendName } from '../core/backends.js';
import { dataFingerprint } from '../runs/fingerprint.js';
import { RunStore } from '../runs/store.js';
import { RECIPES } from '../train/recipes.js';
import { prepareCrossValidation, runCrossValidation, SPLITTERS, type CrossValidation, type PreparedCv, type SplitterName } from '../verify/cv.js';
import { openExecutor, DEFAULT_QUEUE, type Executor } from '../distributed/executor.js';
import { intOption } from './options.js';
import { createProgressRenderer } from './progress.js';

const round = (v: number, digits = 6): number => Number(v.toPrecision(digits));

/** The `--json` shape of a cross-validation (see the file comment). */
export function cvJson(cv: CrossValidation): Record<string, unknown> {
  const folds = cv.folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test), metrics: f.metrics, fitSeconds: round(f.fitSeconds, 4) }));
  const summary = Object.fromEntries(Object.entries(cv.summary).map(([k, s]) => [k, { mean: s.mean, sd: s.sd, ci: s.ci }]));
  const out: Record<string, unknown> = { folds, summary };
  const o = cv.oof;
  if (o) {
    const rows = (a: Float64Array, w: number): number[][] => Array.from({ length: a.length / w }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w), (v) => round(v)));
    const tw = o.truth.length / o.indices.length;
    out.oof =
      cv.task === 'classification'
        ? { indices: Array.from(o.indices), labels: Array.from(o.truth), probabilities: rows(o.outputs, o.width) }
        : { indices: Array.from(o.indices), labels: tw === 1 ? Array.from(o.truth) : rows(o.truth, tw), values: rows(o.outputs, o.width) };
  }
  return out;
}

/** Columns shown in the fold table: the task's headline metrics that exist. */
function headline(cv: CrossValidation): string[] {
  const prefer = ['accuracy', 'balancedAccuracy', 'f1', 'rocAuc', 'logLoss', 'rmse', 'mae', 'r2', 'stepAccuracy', 'bpc', 'loss'];
  return prefer.filter((m) => m in cv.summary).slice(0, 5);
}

export function cvText(cv: CrossValidation): string {
  const cols = headline(cv);
  const head = ['fold', 'train', 'test', 'fit s', ...cols];
  const rows = cv.folds.map((f) => [
    cv.folds.some((g) => g.repeat > 0) ? `${f.repeat + 1}.${f.fold + 1}` : String(f.fold + 1),
    String(f.train.length),
    String(f.test.length),
    f.fitSeconds.toFixed(1),
    ...cols.map((c) => (f.metrics[c] === undefined ? '-' : f.metrics[c]!.toFixed(4))),
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(w[c]!)).join('  ');
  const level = Object.values(cv.summary)[0]?.confidenceLevel ?? 0.95;
  const lines = [
    `${cv.recipe ?? 'dataset'}: ${cv.folds.length} folds (${cv.splitter}), ${cv.poolSize} items, ${cv.trainConfig.epochs} epochs max, backend ${cv.backend}, ${cv.seconds.toFixed(1)} s`,
    line(head),
    ...rows.map(line),
    `summary (mean ± sd, ${Math.round(level * 100)}% CI corrected for overlapping training sets, Nadeau–Bengio):`,
    ...Object.entries(cv.summary).map(([k, s]) => `  ${k.padEnd(16)} ${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}  [${s.ci[0].toFixed(4)}, ${s.ci[1].toFixed(4)}]`),
  ];
  return lines.join('\n') + '\n';
}

export interface CvCliOptions {
  recipe: string;
  data?: string;
  folds: number;
  splitter?: SplitterName;
  groupBy?: string;
  repeats: number;
  seed: number;
  epochs?: number;
  hidden?: number;
  batchSize?: number;
  lr?: number;
  parallel: number;
  executor: string;
  queue: string;
  artifacts?: string;
  backend?: BackendName;
  runsDir: string;
  record: boolean;
  json?: boolean;
}

/** Options shared by `cv` and `compare`. */
export function addCvOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--recipe <name>', `recipe (${Object.keys(RECIPES).join(', ')})`)
    .option('--data <path>', 'data folder or file (recipes that need one, e.g. fsdd)')
    .option('--folds <k>', 'folds', intOption('--folds'), 5)
    .option('--splitter <name>', SPLITTERS.join(' | ') + ' (default: stratified for classification, kfold otherwise, group with --group-by)')
    .option('--group-by <field>', 'metadata field whose groups never span train and test (e.g. speaker)')
    .option('--repeats <r>', 'repeat the k folds with new shuffles', intOption('--repeats'), 1)
    .option('--seed <n>', 'random seed', intOption('--seed', true), 0)
    .option('--epochs <n>', 'epochs per fold (default: the recipe)', intOption('--epochs'))
    .option('--hidden <n>', 'hidden units (default: the recipe)', intOption('--hidden'))
    .option('--batch-size <n>', 'batch size', intOption('--batch-size'))
    .option('--lr <x>', 'learning rate', parseFloat)
    .option('--parallel <n>', 'folds trained at once in worker threads (local executor)', intOption('--parallel'), 1)
    .option('--executor <where>', "'local' (this machine) or redis://HOST:PORT (rnnlens worker processes take the folds)", 'local')
    .option('--queue <name>', 'queue name on Redis', DEFAULT_QUEUE)
    .option('--artifacts <where>', 'folder or s3://BUCKET/PREFIX every worker can read, for data too large for Redis')
    .option('--backend <name>', 'wasm | ts | ts64 (default: wasm when it loads)')
    .option('--runs-dir <dir>', 'run store folder', 'runs')
    .option('--no-record', 'do not record a run')
    .option('--json', 'print one JSON object');
}

export function prepareFromCli(o: CvCliOptions, onProgress?: Parameters<typeof prepareCrossValidation>[0]['onProgress'], onWarning?: (m: string) => void): PreparedCv {
  if (o.splitter !== undefined && !SPLITTERS.includes(o.splitter)) throw new RnnlensError(`--splitter expected one of ${SPLITTERS.join(', ')}, received ${JSON.stringify(o.splitter)}`);
  if (o.lr !== undefined && !(o.lr > 0)) throw new RnnlensError(`--lr expected a positive number, received ${o.lr}`);
  const trainConfig: Record<string, unknown> = {};
  if (o.epochs !== undefined) trainConfig.epochs = o.epochs;
  if (o.batchSize !== undefined) trainConfig.batchSize = o.batchSize;
  const model = o.hidden !== undefined ? { hidden: o.hidden } : undefined;
  const prep = prepareCrossValidation({ recipe: o.recipe, data: o.data, folds: o.folds, splitter: o.splitter, groupBy: o.groupBy, repeats: o.repeats, seed: o.seed, trainConfig, model, backend: o.backend, onProgress, onWarning });
  if (o.lr !== undefined) prep.setup.trainConfig.optimizer = { ...(prep.setup.trainConfig.optimizer ?? { type: 'adam' }), lr: o.lr };
  return prep;
}

/** The executor the CLI options ask for (validated before any data is loaded). */
export function executorFromCli(o: CvCliOptions, warn: (m: string) => void): Promise<Executor> {
  return openExecutor(o.executor, { threads: o.parallel, queue: o.queue, artifacts: o.artifacts, onWarning: warn });
}

export function fingerprintOfPool(prep: PreparedCv): string {
  const ds = prep.setup.dataset;
  return dataFingerprint(ds.name, ds.items.length, ...ds.items.slice(0, 2000).map((it) => it.x));
}

export function register(program: Command): void {
  addCvOptions(program.command('cv').description('cross-validate a recipe: a fresh model per fold, metrics with confidence intervals')).action(async (o: CvCliOptions) => {
    const progress = createProgressRenderer();
    const warn = (m: string): void => void process.stderr.write(`warning: ${m}\n`);
    const executor = await executorFromCli(o, warn);
    const store = o.record ? RunStore.open(o.runsDir) : undefined;
    try {
      const prep = prepareFromCli(o, progress.callback, warn);
      progress.stop();
      const writer = store?.createRun({ kind: 'cv', config: { recipe: o.recipe, splitter: prep.splitter, folds: o.folds, repeats: o.repeats, groupBy: o.groupBy ?? null, executor: executor.name, backend: prep.setup.backend, modelConfig: prep.setup.modelConfig, train: prep.setup.trainConfig }, seed: o.seed, dataFingerprint: fingerprintOfPool(prep), tags: [o.recipe] });
      try {
        // each fold's metrics as soon as it finishes (on whichever worker): the dashboard draws them
        // while the run is running
        const onFold = (f: { index: number; metrics: Record<string, number> }): void => {
          for (const [k, v] of Object.entries(f.metrics)) if (Number.isFinite(v)) writer?.logMetric(`fold_${k}`, v, f.index + 1);
        };
        const cv = await runCrossValidation(prep, { executor, onProgress: progress.callback, onWarning: warn, onFold });
        progress.stop();
        const json = cvJson(cv);
        if (writer) {
          writer.writeJson('cv.json', json);
          const flat: Record<string, number> = {};
          for (const [k, s] of Object.entries(cv.summary)) Object.assign(flat, { [`${k}_mean`]: s.mean, [`${k}_sd`]: s.sd, [`${k}_ci_low`]: s.ci[0], [`${k}_ci_high`]: s.ci[1] });
          writer.finish('finished', { metrics: flat });
        }
        process.stdout.write(o.json ? JSON.stringify(writer ? { ...json, run: writer.id } : json) + '\n' : cvText(cv) + (writer ? `run ${writer.id}\n` : ''));
      } catch (err) {
        writer?.fail(err);
        throw err;
      }
    } finally {
      progress.stop();
      store?.close();
      await executor.close();
    }
  });
}
