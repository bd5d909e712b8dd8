/**
 * `rnnlens bench [--case NAME...] [--json] [--reps N] [--threads N] [--backend NAME] [--compare]`:
 * times the benchmark cases (bench/cases.ts) through the real layers, loss and optimiser, and
 * prints the median ms per case; `--json` prints one object { case: ms }; `--compare` also runs
 * PyTorch on the same cases (../shared/tools/torch_ref.py) and prints both columns and the ratio.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CASE_NAMES, runBench } from '../../bench/cases.js';
import { runTorchReference } from '../../bench/torch-compare.js';
import { runExplainBench } from '../../bench/explain-cases.js';
import type { Backend } from '../core/backend.js';
import { getBackend, type BackendName } from '../core/backends.js';
import { ArgumentError } from '../core/errors.js';
import { createWasmBackend, type WasmBackend } from '../core/wasm-backend.js';
import { createProgressRenderer } from './progress.js';

interface BenchCliOptions {
  case?: string[];
  json?: boolean;
  reps: string;
  threads?: string;
  backend: string;
  compare?: boolean;
  lirpa?: string;
  quiet?: boolean;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError('bench', name, 'an integer >= 1', JSON.stringify(v));
  return n;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return (
    rows
      .map((r) =>
        r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '),
      )
      .join('\n') + '\n'
  );
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'time the benchmark cases (median ms after warm-up) through the real training/inference path',
    )
    .option('--case <name...>', `cases to run (default all): ${CASE_NAMES.join(', ')}`)
    .option('--json', 'print one JSON object { "<case>": <median ms> }')
    .option('--reps <n>', 'timed repetitions per case', '20')
    .option('--threads <n>', 'threads of the wasm backend (default: up to 2)')
    .option('--backend <name>', "backend: 'wasm', 'ts' or 'ts64'", 'wasm')
    .option(
      '--compare',
      'also time the cases in PyTorch (../shared/tools/torch_ref.py) and print the ratio',
    )
    .option(
      '--lirpa <dir>',
      'a checkout of auto_LiRPA: the reference of the CROWN case with --compare (else $RNNLENS_AUTO_LIRPA)',
    )
    .option('--quiet', 'no progress output')
    .option('--explain', "time the attribution methods on the benchmark LSTM instead, next to Captum's reference times")
    .action((o: BenchCliOptions & { explain?: boolean }) => {
      const reps = positiveInt('--reps', o.reps);
      if (o.explain) {
        const be = o.backend === 'wasm' ? createWasmBackend() : getBackend(o.backend as BackendName);
        try {
          const r = runExplainBench(be, Math.min(reps, 5));
          if (o.json) {
            process.stdout.write(JSON.stringify(r) + '\n');
            return;
          }
          const rows = [['case', 'rnnlens ms', 'captum ms', 'ratio'], ...Object.entries(r).map(([k, v]) => [k, v.ms.toFixed(1), v.captumMs.toFixed(1), (v.ms / v.captumMs).toFixed(2)])];
          process.stdout.write(table(rows));
          process.stdout.write("captum ms: Captum's times on the same benchmark LSTM from ../shared/docs/reference.md (PyTorch 1.13, one thread, a machine of this kind), not measured in this run\n");
        } finally {
          if (o.backend === 'wasm') (be as WasmBackend).close();
        }
        return;
      }
      const only = o.case ?? [];
      for (const c of only) {
        if (!CASE_NAMES.includes(c))
          throw new ArgumentError(
            'bench',
            '--case',
            `one of ${CASE_NAMES.join(', ')}`,
            JSON.stringify(c),
          );
      }
      if (o.lirpa !== undefined && !existsSync(join(o.lirpa, 'auto_LiRPA', '__init__.py')))
        throw new ArgumentError(
          'bench',
          '--lirpa',
          'a folder holding an auto_LiRPA checkout (with auto_LiRPA/__init__.py)',
          JSON.stringify(o.lirpa),
        );
      let backend: Backend;
      let owned: WasmBackend | null = null;
      if (o.backend === 'wasm') {
        owned = createWasmBackend(
          o.threads === undefined ? {} : { threads: positiveInt('--threads', o.threads) },
        );
        backend = owned;
      } else {
        backend = getBackend(o.backend as BackendName);
      }
      const progress = createProgressRenderer({ quiet: o.quiet || o.json });
      const names = only.length ? CASE_NAMES.filter((n) => only.includes(n)) : CASE_NAMES;
      const ours: Record<string, number> = {};
      const torch: Record<string, number> | null = o.compare ? {} : null;
      try {
        // case by case, PyTorch right after rnnlens, so both see the same machine load
        names.forEach((name, i) => {
          progress.callback({ task: 'bench', done: i, total: names.length, message: name });
          Object.assign(ours, runBench({ backend, only: [name], reps }));
          if (torch) Object.assign(torch, runTorchReference({ cases: [name], reps, lirpa: o.lirpa }));
        });
        progress.callback({ task: 'bench', done: names.length, total: names.length });
      } finally {
        progress.stop();
        owned?.close();
      }
      if (o.json) {
        process.stdout.write(
          JSON.stringify(torch ? { rnnlens: ours, pytorch: torch } : ours) + '\n',
        );
        return;
      }
      const threads = owned ? owned.threads : 1;
      const variant = owned ? ` ${owned.kernels} kernels,` : '';
      const head = torch ? ['case', 'rnnlens ms', 'pytorch ms', 'ratio'] : ['case', 'median ms'];
      const rows = [head];
      for (const n of names) {
        const r = [n, ours[n]!.toFixed(2)];
        if (torch)
          r.push(
            torch[n] !== undefined ? torch[n]!.toFixed(2) : '-',
            torch[n] ? (ours[n]! / torch[n]!).toFixed(2) : '-',
          );
        rows.push(r);
      }
      process.stdout.write(table(rows));
      process.stdout.write(
        `backend ${backend.name} (${threads} thread${threads > 1 ? 's' : ''},${variant} ${reps} reps); ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}\n`,
      );
      if (torch)
        process.stdout.write(
          'pytorch ms: measured in this run, one thread (../shared/tools/torch_ref.py, bench/reference.py; the crown case: auto_LiRPA CROWN, "-" without --lirpa)\n',
        );
    });
}
