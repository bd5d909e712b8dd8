/**
 * `rnnlens explain-bench [--datasets a,b] [--methods x,y] [--no-tsr] [--executor local|redis://…]
 * [--parallel N] [--json] [--out DIR]`: the ground-truth benchmark of attribution methods
 * (Ismail-style series and the motif task). With `--parallel` or `--executor redis://…` each
 * dataset is one job (worker threads here, or `rnnlens worker` processes); the rows are the same. `--json`
 * prints {"results": [{"dataset", "method", "aup", "aur", "aupr", "deletionAuc", "sanityRho"}]}
 * with a `random` row per dataset; `--out` writes results.json, table.md and the method × dataset
 * figures (SVG and PNG).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BENCHMARK_DATASETS } from '../verify/explanations/benchmark-data.js';
import {
  runBenchmark,
  type BenchmarkOptions,
  type BenchmarkResult,
} from '../verify/explanations/benchmark.js';
import {
  benchmarkFigure,
  benchmarkMatrix,
  benchmarkTable,
  writeFigure,
} from '../verify/explanations/report.js';
import { DEFAULT_QUEUE, openExecutor } from '../distributed/executor.js';
import { addRecordOptions, recordAnalysis, recordedLine } from '../pipeline/analysis-run.js';
import { intOption } from './options.js';
import { createProgressRenderer } from './progress.js';

export interface ExplainBenchCliOptions {
  datasets?: string[];
  methods?: string[];
  tsr: boolean;
  tsrAll?: boolean;
  trainSize?: number;
  testSize?: number;
  epochs?: number;
  seed: number;
  json?: boolean;
  out?: string;
  quiet?: boolean;
  executor: string;
  parallel: number;
  queue: string;
  artifacts?: string;
  runsDir: string;
  record: boolean;
}

const list = (v: string, prev: string[] = []): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** The `--json` rows: exactly the documented fields. */
export function jsonRows(r: BenchmarkResult): {
  results: Record<string, string | number | null>[];
} {
  const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    results: r.results.map((x) => ({
      dataset: x.dataset,
      method: x.method,
      aup: num(x.aup),
      aur: num(x.aur),
      aupr: num(x.aupr),
      deletionAuc: num(x.deletionAuc),
      sanityRho: num(x.sanityRho),
    })),
  };
}

/** results.json, table.md and the figures into `dir`. */
export async function writeBenchmark(r: BenchmarkResult, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'results.json'), join(dir, 'table.md')];
  writeFileSync(files[0]!, JSON.stringify(r, null, 1));
  const md = [
    `# Explanation benchmark`,
    '',
    `${r.results.length} rows, ${r.seconds.toFixed(0)} s. Test accuracy per dataset: ${r.datasets.map((d) => `${d.name} ${d.testAccuracy.toFixed(3)}`).join(', ')}.`,
    '',
    '## AUPR against the ground truth (features × steps; tokens for motif)',
    '',
    benchmarkMatrix(r, 'aupr'),
    '',
    '## Deletion AUC (lower = more faithful)',
    '',
    benchmarkMatrix(r, 'deletionAuc'),
    '',
    '## Sanity: Spearman ρ of |map| before vs after randomising every weight (|ρ| <= 0.5 passes)',
    '',
    benchmarkMatrix(r, 'sanityRho'),
    '',
    '## Data randomisation: Spearman ρ of |map| vs a model trained on permuted labels',
    '',
    benchmarkMatrix(r, 'dataSanityRho'),
    '',
    '## All metrics',
    '',
    benchmarkTable(r),
    '',
  ].join('\n');
  writeFileSync(files[1]!, md);
  files.push(...(await writeFigure(dir, 'benchmark-aupr', 'heatmap', benchmarkFigure(r, 'aupr'))));
  files.push(
    ...(await writeFigure(dir, 'benchmark-deletion', 'heatmap', benchmarkFigure(r, 'deletionAuc'))),
  );
  return files;
}

export function register(program: Command): void {
  addRecordOptions(program
    .command('explain-bench')
    .description(
      'benchmark attribution methods against known ground truth (Ismail et al. series, motif task)',
    )
    .option(
      '--datasets <names>',
      `comma-separated (default ${DEFAULT_BENCHMARK_DATASETS.join(',')})`,
      list,
    )
    .option(
      '--methods <names>',
      'comma-separated attribution methods (default: every applicable one)',
      list,
    )
    .option('--no-tsr', 'skip the Temporal Saliency Rescaling rows')
    .option('--tsr-all', 'wrap every method in TSR (slow for sampling methods)')
    .option(
      '--train-size <n>',
      'training sequences per dataset (default 400)',
      intOption('--train-size'),
    )
    .option(
      '--test-size <n>',
      'explained test sequences per dataset (default 40)',
      intOption('--test-size'),
    )
    .option('--epochs <n>', 'training epochs (default 12)', intOption('--epochs'))
    .option('--seed <n>', 'seed of data, models and methods', intOption('--seed', true), 0)
    .option('--json', 'print {"results": [...]}')
    .option('--out <dir>', 'write results.json, table.md and figures')
    .option('--quiet', 'no progress output')
    .option(
      '--parallel <n>',
      'datasets benchmarked at once in worker threads (local executor)',
      intOption('--parallel'),
      1,
    )
    .option(
      '--executor <where>',
      "'local' (this machine) or redis://HOST:PORT (rnnlens worker processes take one dataset each)",
      'local',
    )
    .option('--queue <name>', 'queue name on Redis', DEFAULT_QUEUE)
    .option('--artifacts <where>', 'folder or s3://BUCKET/PREFIX every worker can read, for data too large for Redis'), 'explain-bench')
    .action(async (o: ExplainBenchCliOptions) => {
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      const spread = o.executor !== 'local' || o.parallel > 1;
      const executor = spread
        ? await openExecutor(o.executor, {
            threads: o.parallel,
            queue: o.queue,
            artifacts: o.artifacts,
            onWarning: (m) => void process.stderr.write(`warning: ${m}\n`),
          })
        : undefined;
      try {
        const opts: BenchmarkOptions = {
          seed: o.seed,
          tsr: o.tsr,
          onProgress: (p) => progress.callback({ task: 'explain-bench', ...p }),
        };
        if (o.datasets) opts.datasets = o.datasets;
        if (o.methods) opts.methods = o.methods;
        if (o.tsrAll) opts.tsrAll = true;
        if (o.trainSize) opts.trainSize = o.trainSize;
        if (o.testSize) opts.testSize = o.testSize;
        if (o.epochs) opts.epochs = o.epochs;
        if (executor) opts.executor = executor;
        const r = await runBenchmark(opts);
        progress.stop();
        if (o.out) await writeBenchmark(r, o.out);
        const rows = jsonRows(r);
        const config = { datasets: o.datasets ?? DEFAULT_BENCHMARK_DATASETS, methods: o.methods ?? null, tsr: o.tsr, tsrAll: !!o.tsrAll, trainSize: o.trainSize ?? null, testSize: o.testSize ?? null, epochs: o.epochs ?? null, executor: executor?.name ?? 'local' };
        const run = await recordAnalysis(o, undefined, { kind: 'explain-bench', config, seed: o.seed }, (w) => {
          w.writeJson('results.json', rows);
          w.writeText('table.md', benchmarkMatrix(r, 'aupr') + '\n');
          w.writeFigure('fig-benchmark-aupr.json', { figure: 'heatmap', data: benchmarkFigure(r, 'aupr') });
          w.writeFigure('fig-benchmark-deletion.json', { figure: 'heatmap', data: benchmarkFigure(r, 'deletionAuc') });
          // per method, the mean AUPR over the datasets
          const m: Record<string, number> = { rows: r.results.length, seconds: r.seconds };
          const byMethod = new Map<string, number[]>();
          for (const x of r.results) if (Number.isFinite(x.aupr)) byMethod.set(x.method, [...(byMethod.get(x.method) ?? []), x.aupr]);
          for (const [k, v] of byMethod) m[`aupr_${k.replace(/[^A-Za-z0-9]+/g, '_')}`] = v.reduce((a, b) => a + b, 0) / v.length;
          return m;
        });
        if (o.json) process.stdout.write(JSON.stringify(run.id ? { ...rows, run: run.id } : rows) + '\n');
        else
          process.stdout.write(
            benchmarkMatrix(r, 'aupr') +
              '\n\n' +
              `${r.results.length} rows in ${r.seconds.toFixed(0)} s\n` +
              recordedLine(run),
          );
      } finally {
        await executor?.close();
      }
    });
}
