/**
 * `rnnlens runs ls|show|rm`: list, inspect and remove recorded runs.
 */
import { processAlive } from '../runs/store.js';
import type { Command } from 'commander';
import { RunStore, type RunDetails } from '../runs/store.js';
import type { RunRecord, RunStatus } from '../runs/types.js';
import { keyMetrics } from '../runs/metric-order.js';

export interface CliOutput {
  write(text: string): void;
}

const stdout: CliOutput = { write: (t) => void process.stdout.write(t) };

function withStore<T>(runsDir: string | undefined, fn: (store: RunStore) => T): T {
  const store = RunStore.open(runsDir ?? 'runs', { mustExist: true });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** The run's most telling metrics (see metric-order.ts), at most `limit`, and how many are left out. */
function formatMetrics(m: Record<string, number>, limit = Infinity): string {
  const names = keyMetrics(Object.keys(m), limit);
  const more = Object.keys(m).length - names.length;
  return (
    names.map((k) => `${k}=${Number.isInteger(m[k]!) ? m[k] : m[k]!.toPrecision(4)}`).join(' ') +
    (more > 0 ? ` (+${more} more: rnnlens runs show ID)` : '')
  );
}

/** A plain fixed-width table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function lsText(runs: RunRecord[]): string {
  if (runs.length === 0) return 'no runs\n';
  return table(
    ['id', 'kind', 'status', 'created', 'metrics'],
    runs.map((r) => [
      r.id,
      r.kind,
      r.status === 'running' && !processAlive(r.pid) ? 'interrupted' : r.status,
      r.created.replace('T', ' ').slice(0, 19),
      formatMetrics(r.metrics, 6),
    ]),
  );
}

function showText(d: RunDetails): string {
  const r = d.run;
  const lines = [
    `run       ${r.id}`,
    `kind      ${r.kind}`,
    `status    ${r.status}${d.stale ? ` (stale: writer process ${r.pid} is gone)` : ''}`,
    `created   ${r.created}`,
    `finished  ${r.finished ?? '-'}`,
    `seed      ${r.seed ?? '-'}`,
    `data      ${r.dataFingerprint ?? '-'}`,
    `versions  rnnlens ${r.versions.rnnlens}, node ${r.versions.node}`,
    `tags      ${r.tags.join(', ') || '-'}`,
  ];
  if (r.error) lines.push(`error     ${r.error}`);
  lines.push(
    'config',
    ...JSON.stringify(r.config, null, 2)
      .split('\n')
      .map((l) => '  ' + l),
  );
  lines.push(
    'metrics',
    ...(Object.keys(r.metrics).length
      ? Object.entries(r.metrics).map(([k, v]) => `  ${k} = ${v}`)
      : ['  -']),
  );
  const series = new Map<string, number>();
  for (const m of d.metrics) series.set(m.name, (series.get(m.name) ?? 0) + 1);
  if (series.size)
    lines.push(
      'logged',
      ...[...series].map(
        ([k, n]) =>
          `  ${k}: ${n} points, last ${d.metrics.filter((m) => m.name === k).at(-1)!.value}`,
      ),
    );
  lines.push('artifacts');
  if (d.artifacts.length === 0) lines.push('  -');
  else
    lines.push(
      ...table(
        ['name', 'kind', 'bytes', 'sha256'],
        d.artifacts.map((a) => [a.name, a.kind, String(a.bytes), a.sha256.slice(0, 16)]),
      )
        .trimEnd()
        .split('\n')
        .map((l) => '  ' + l),
    );
  return lines.join('\n') + '\n';
}

export function registerRuns(program: Command, out: CliOutput = stdout): void {
  const runs = program.command('runs').description('list, show and remove recorded runs');
  const dirOpt = ['--runs-dir <dir>', 'folder of the run store', 'runs'] as const;

  runs
    .command('ls')
    .description('list runs, newest first')
    .option('--kind <kind>', 'only runs of this kind (train, cv, explain, ...)')
    .option('--status <status>', 'only runs with this status (running, finished, failed)')
    .option('--json', 'print JSON')
    .option(...dirOpt)
    .action((o: { kind?: string; status?: RunStatus; json?: boolean; runsDir?: string }) => {
      const list = RunStore.exists(o.runsDir)
        ? withStore(o.runsDir, (s) => s.list({ kind: o.kind, status: o.status }))
        : [];
      out.write(o.json ? JSON.stringify(list, null, 2) + '\n' : lsText(list));
    });

  runs
    .command('show')
    .description('show one run: config, metrics and artifacts')
    .argument('<id>', "run id, a unique prefix, or 'latest'")
    .option('--json', 'print JSON')
    .option(...dirOpt)
    .action((id: string, o: { json?: boolean; runsDir?: string }) => {
      const d = withStore(o.runsDir, (s) => s.show(s.resolve(id)));
      out.write(o.json ? JSON.stringify(d, null, 2) + '\n' : showText(d));
    });

  runs
    .command('rm')
    .description('remove runs (their folders and index rows)')
    .argument('<ids...>', "run ids (or unique prefixes, or 'latest')")
    .option('--force', 'also remove runs that are still being written')
    .option(...dirOpt)
    .action((ids: string[], o: { force?: boolean; runsDir?: string }) => {
      withStore(o.runsDir, (s) => {
        const resolved = ids.map((id) => s.resolve(id)); // all must exist before anything is removed
        for (const id of resolved) {
          s.remove(id, { force: o.force });
          out.write(`removed ${id}\n`);
        }
      });
    });
}

export const register = (program: Command): void => registerRuns(program);
