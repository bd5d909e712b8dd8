/**
 * `rnnlens sweep --recipe NAME --param lr=0.001,0.003,0.01 --param hidden=16,32 [--param epochs=2..6]
 * [--search grid|random] [--trials N] [--metric NAME] [--direction max|min] [--max-points N]
 * [cv options: --folds K --seed S --executor local|redis://HOST:PORT --parallel N ...] [--json]`:
 * a hyperparameter search, every point scored by a cross-validation on the same folds (see
 * src/verify/sweep.ts), a table sorted best first and the best configuration; records a `sweep`
 * run with the table as `sweep.json`. `--json` prints `{ metric, direction, search, points: [{
 * index, params, status, mean, sd, ci, scores, seconds, summary, error? }], best }` (points best
 * first; `best` is the first point, or null when none has a score).
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { RunStore } from '../runs/store.js';
import { DEFAULT_MAX_POINTS, defaultMetric, generatePoints, knownParams, parseSearchSpace, runSweep, type Direction, type SweepPointResult, type SweepResult } from '../verify/sweep.js';
import { addCvOptions, executorFromCli, fingerprintOfPool, prepareFromCli, type CvCliOptions } from './cv.js';
import { intOption } from './options.js';
import { createProgressRenderer } from './progress.js';

export interface SweepCliOptions extends CvCliOptions {
  param?: string[];
  search: string;
  trials?: number;
  metric?: string;
  direction?: string;
  maxPoints: number;
}

const round = (v: number, digits = 6): number => Number(v.toPrecision(digits));

function pointJson(p: SweepPointResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    index: p.index,
    params: p.params,
    status: p.status,
    mean: p.mean,
    sd: p.sd,
    ci: p.ci,
    scores: p.scores,
    seconds: round(p.seconds, 4),
    summary: p.summary,
  };
  if (p.error !== undefined) out.error = p.error;
  return out;
}

/** The `--json` shape (see the file comment). */
export function sweepJson(r: SweepResult): Record<string, unknown> {
  return { metric: r.metric, direction: r.direction, search: r.search, points: r.points.map(pointJson), best: r.best ? pointJson(r.best) : null };
}

const fmtValue = (v: unknown): string => (typeof v === 'number' ? String(Number.isInteger(v) ? v : round(v, 4)) : String(v));
const fmt = (v: number | null, d = 4): string => (v === null || !Number.isFinite(v) ? '-' : Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(d));
const setting = (p: SweepPointResult): string => Object.entries(p.params).map(([k, v]) => `${k}=${fmtValue(v)}`).join(' ');

export function sweepText(r: SweepResult): string {
  const names = r.space.map((s) => s.name);
  const head = ['rank', ...names, r.metric, '95% CI', 'sd', 'seconds'];
  const rows = r.points.map((p, i) => [
    String(i + 1),
    ...names.map((n) => fmtValue(p.params[n])),
    p.status === 'failed' ? 'failed' : fmt(p.mean),
    p.ci ? `[${fmt(p.ci[0])}, ${fmt(p.ci[1])}]` : '-',
    fmt(p.sd),
    p.seconds.toFixed(1),
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(w[c]!)).join('  ');
  const better = r.direction === 'max' ? 'higher is better' : 'lower is better';
  const lines = [
    `${r.recipe ?? 'dataset'}: ${r.search} search, ${r.points.length} points × ${r.folds} folds (${r.splitter}, the same folds for every point), ${r.poolSize} items, ${r.metric} (${better}), ${r.seconds.toFixed(1)} s`,
    line(head),
    ...rows.map(line),
  ];
  for (const p of r.points) if (p.status === 'failed') lines.push(`point ${setting(p)} failed: ${p.error}`);
  lines.push(r.best ? `best: ${setting(r.best)}  ${r.metric} ${fmt(r.best.mean)} ± ${fmt(r.best.sd)}  [${fmt(r.best.ci![0])}, ${fmt(r.best.ci![1])}]` : `best: none (no point has a ${r.metric} score)`);
  return lines.join('\n') + '\n';
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function register(program: Command): void {
  addCvOptions(program.command('sweep').description('hyperparameter search (grid or random), every point scored by cross-validation on the same folds'))
    .option('--param <name=values>', `a parameter and its values, repeatable: a comma list (lr=0.001,0.01), an integer range (epochs=2..6), for --search random also lo..hi (uniform) and log:lo..hi (log-uniform). Parameters: ${knownParams()}`, collect)
    .option('--search <kind>', 'grid | random', 'grid')
    .option('--trials <n>', 'random search: points drawn (default 20)', intOption('--trials'))
    .option('--metric <name>', 'metric to optimise (default: accuracy; rmse for regression, stepAccuracy for tagging, bpc for language models)')
    .option('--direction <d>', 'max | min (default: min for loss, logLoss, rmse, mae, bpc, perplexity; else max)')
    .option('--max-points <n>', 'refuse searches with more points', intOption('--max-points'), DEFAULT_MAX_POINTS)
    .action(async (o: SweepCliOptions) => {
      if (o.search !== 'grid' && o.search !== 'random') throw new RnnlensError(`sweep: --search expected grid or random, received ${JSON.stringify(o.search)}`);
      if (o.direction !== undefined && o.direction !== 'max' && o.direction !== 'min') throw new RnnlensError(`sweep: --direction expected max or min, received ${JSON.stringify(o.direction)}`);
      // the search space is checked before any data is loaded or executor opened
      const space = parseSearchSpace(o.param ?? []);
      generatePoints(space, { search: o.search, trials: o.trials, seed: o.seed, maxPoints: o.maxPoints });
      const progress = createProgressRenderer();
      const warn = (m: string): void => void process.stderr.write(`warning: ${m}\n`);
      // a parameter also given as a plain option: the sweep's values win
      for (const [flag, value, name] of [['--lr', o.lr, 'lr'], ['--epochs', o.epochs, 'epochs'], ['--hidden', o.hidden, 'hidden'], ['--batch-size', o.batchSize, 'batchSize']] as const) {
        if (value !== undefined && space.some((p) => p.spec.name === name)) warn(`sweep: --param ${name} overrides ${flag} ${value}`);
      }
      const executor = await executorFromCli(o, warn);
      let store: RunStore | undefined;
      try {
        const prep = prepareFromCli(o, progress.callback, warn);
        progress.stop();
        // opened once the options and data are good: a failed start leaves no runs/ folder behind
        store = o.record ? RunStore.open(o.runsDir) : undefined;
        const model = o.hidden !== undefined ? { hidden: o.hidden } : undefined;
        const sweepOpts = { params: space, search: o.search as 'grid' | 'random', trials: o.trials, seed: o.seed, metric: o.metric, direction: o.direction as Direction | undefined, maxPoints: o.maxPoints, model, executor };
        const writer = store?.createRun({
          kind: 'sweep',
          config: { recipe: o.recipe, params: o.param, search: o.search, trials: o.trials ?? null, metric: o.metric ?? null, direction: o.direction ?? null, splitter: prep.splitter, folds: o.folds, repeats: o.repeats, groupBy: o.groupBy ?? null, executor: executor.name, backend: prep.setup.backend, modelConfig: prep.setup.modelConfig, train: prep.setup.trainConfig },
          seed: o.seed,
          dataFingerprint: fingerprintOfPool(prep),
          tags: [o.recipe],
        });
        try {
          const r = await runSweep(prep, {
            ...sweepOpts,
            onProgress: progress.callback,
            onWarning: warn,
            onPoint: (p) => {
              if (writer && p.mean !== null && Number.isFinite(p.mean)) writer.logMetric(`point_${o.metric ?? defaultMetric(prep.setup.task)}`, p.mean, p.index + 1);
            },
          });
          progress.stop();
          const json = sweepJson(r);
          if (writer) {
            writer.writeJson('sweep.json', { ...json, recipe: r.recipe ?? null, folds: r.folds, splitter: r.splitter, space: r.space, seconds: round(r.seconds, 4), warnings: r.warnings });
            // the dashboard's view of the table: the best points' scores with their intervals
            const scored = r.points.filter((p) => p.mean !== null && Number.isFinite(p.mean) && p.ci !== null && Number.isFinite(p.ci[0]) && Number.isFinite(p.ci[1])).slice(0, 30);
            if (scored.length > 0)
              writer.writeFigure('fig-sweep.json', {
                figure: 'error-bars',
                title: `${r.search} search: ${r.metric} (${r.direction === 'max' ? 'higher' : 'lower'} is better) of ${scored.length === r.points.length ? 'every' : `the best ${scored.length} of ${r.points.length}`} point${r.points.length > 1 ? 's' : ''}, mean over ${r.folds} folds with ${'95%'} CI`,
                data: { metric: r.metric, rows: scored.map((p) => ({ group: setting(p), value: p.mean!, lower: Math.min(p.ci![0], p.mean!), upper: Math.max(p.ci![1], p.mean!) })) },
              });
            const flat: Record<string, number> = { points: r.points.length, failed_points: r.points.filter((p) => p.status === 'failed').length };
            if (r.best) {
              Object.assign(flat, { [`best_${r.metric}_mean`]: r.best.mean!, [`best_${r.metric}_sd`]: r.best.sd!, [`best_${r.metric}_ci_low`]: r.best.ci![0], [`best_${r.metric}_ci_high`]: r.best.ci![1] });
              for (const [k, v] of Object.entries(r.best.params)) if (typeof v === 'number') flat[`best_${k}`] = v;
            }
            writer.finish('finished', { metrics: flat });
          }
          process.stdout.write(o.json ? JSON.stringify(json) + '\n' : sweepText(r) + (writer ? `run ${writer.id}\n` : ''));
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
