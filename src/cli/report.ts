/**
 * `rnnlens report RUN... --out report.html`: one self-contained HTML file with every figure of
 * the runs; `--figures-dir` also writes each figure as SVG and PNG.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { buildReport } from '../report/build-report.js';
import { exportFigures } from '../report/export-figures.js';
import { RunStore } from '../runs/store.js';
import { createProgressRenderer } from './progress.js';
import type { CliOutput } from './runs.js';

const stdout: CliOutput = { write: (t) => void process.stdout.write(t) };

interface ReportCliOptions {
  out: string;
  runsDir: string;
  title?: string;
  figuresDir?: string;
  static?: boolean;
  quiet?: boolean;
}

export function registerReport(program: Command, out: CliOutput = stdout): void {
  program
    .command('report')
    .description('write a self-contained HTML report (opens offline) with every figure of the runs')
    .argument('<runs...>', "run ids, unique prefixes or 'latest' (see rnnlens runs ls)")
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--runs-dir <dir>', 'folder of the run store', 'runs')
    .option('--title <title>', 'report title')
    .option('--figures-dir <dir>', 'also write every figure as SVG and PNG into this folder')
    .option('--static', 'pre-rendered SVG figures only (no inline vega scripts; smaller file)')
    .option('--quiet', 'no progress output')
    .action(async (refs: string[], o: ReportCliOptions) => {
      const store = RunStore.open(o.runsDir, { mustExist: true });
      let runs: string[];
      try {
        runs = refs.map((r) => store.resolve(r));
      } catch (err) {
        store.close();
        throw err;
      }
      const progress = createProgressRenderer({ quiet: o.quiet });
      try {
        const html = await buildReport(runs, store, {
          title: o.title,
          liveFigures: !o.static,
          onProgress: progress.callback,
        });
        try {
          writeFileSync(o.out, html);
        } catch (err) {
          throw new RnnlensError(`report: cannot write '${o.out}': ${(err as Error).message}`);
        }
        out.write(
          `wrote ${o.out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${runs.length} run${runs.length > 1 ? 's' : ''})\n`,
        );
        if (o.figuresDir) {
          const files = await exportFigures(runs, store, o.figuresDir, progress.callback);
          out.write(`wrote ${files.length / 2} figures (SVG + PNG) to ${o.figuresDir}\n`);
        }
      } finally {
        progress.stop();
        store.close();
      }
    });
}

export const register = (program: Command): void => registerReport(program);
