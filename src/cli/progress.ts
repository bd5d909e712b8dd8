/**
 * Renders Progress events: a cli-progress bar (with ETA) when stderr is a terminal, otherwise
 * plain lines at most every `intervalMs` (and always the last one of a task).
 */
import cliProgress from 'cli-progress';
import type { Progress, ProgressCallback } from '../core/progress.js';

function formatValues(values: Progress['values']): string {
  if (!values) return '';
  return Object.entries(values)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join('  ');
}

export interface ProgressRenderer {
  callback: ProgressCallback;
  /** Ends the current bar (if any). */
  stop(): void;
}

export function createProgressRenderer(opts: { quiet?: boolean; intervalMs?: number } = {}): ProgressRenderer {
  if (opts.quiet) return { callback: () => {}, stop: () => {} };
  const tty = Boolean(process.stderr.isTTY);
  const intervalMs = opts.intervalMs ?? 2000;
  let bar: cliProgress.SingleBar | null = null;
  let currentTask = '';
  let lastPrint = 0;

  const stop = (): void => {
    if (bar) bar.stop();
    bar = null;
    currentTask = '';
  };

  const callback: ProgressCallback = (p) => {
    const info = [p.message ?? '', formatValues(p.values)].filter(Boolean).join('  ');
    if (tty) {
      if (p.task !== currentTask) {
        stop();
        currentTask = p.task;
        bar = new cliProgress.SingleBar(
          {
            format: `${p.task.padEnd(14)} [{bar}] {value}/{total}  eta {eta_formatted}  {info}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done, { info });
      } else {
        bar!.setTotal(p.total);
        bar!.update(p.done, { info });
      }
      if (p.done >= p.total) stop();
      return;
    }
    const now = Date.now();
    const finished = p.done >= p.total;
    if (p.task !== currentTask || finished || now - lastPrint >= intervalMs) {
      currentTask = finished ? '' : p.task;
      lastPrint = now;
      process.stderr.write(`${p.task}: ${p.done}/${p.total}${info ? '  ' + info : ''}\n`);
    }
  };
  return { callback, stop };
}
