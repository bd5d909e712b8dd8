/**
 * Runs PyTorch's timings of the same cases (../shared/tools/torch_ref.py beside the checkout,
 * Debian python3-torch) so `rnnlens bench --compare` prints both columns and the ratio in one run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RnnlensError } from '../src/core/errors.js';

/** The package root: the nearest folder above this file with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new RnnlensError('bench: cannot find the package root');
    dir = up;
  }
  return dir;
}

export function torchRefPath(): string {
  return resolve(packageRoot(), '..', 'shared', 'tools', 'torch_ref.py');
}

/** The project's own reference script for the cases torch_ref.py does not time. */
export function moreRefPath(): string {
  return join(packageRoot(), 'bench', 'reference.py');
}

/** The cases ../shared/tools/torch_ref.py times; bench/reference.py times every other case. */
const SHARED_CASES = new Set([
  'train-lstm-b32-t50-d16-h128',
  'train-gru-b32-t50-d16-h128',
  'train-lstm-text-b32-t100-v5000-e64-h128',
  'infer-lstm-b256-t50-d16-h128',
  'ig-lstm-t50-d16-h128-s50',
]);

export interface TorchOptions {
  cases: readonly string[];
  reps?: number;
  threads?: number;
  python?: string;
  /** A checkout of auto_LiRPA for the CROWN case's reference (else RNNLENS_AUTO_LIRPA). */
  lirpa?: string;
}

/** { case: median ms } measured by PyTorch (throws a clear RnnlensError when it cannot run). */
export function runTorchReference(opts: TorchOptions): Record<string, number> {
  const shared = opts.cases.filter((c) => SHARED_CASES.has(c));
  const own = opts.cases.filter((c) => !SHARED_CASES.has(c));
  const out: Record<string, number> = {};
  if (shared.length) Object.assign(out, runScript(torchRefPath(), shared, opts));
  if (own.length)
    Object.assign(
      out,
      runScript(moreRefPath(), own, opts, opts.lirpa ? ['--lirpa', opts.lirpa] : []),
    );
  return out;
}

function runScript(
  script: string,
  cases: readonly string[],
  opts: TorchOptions,
  extra: string[] = [],
): Record<string, number> {
  if (!existsSync(script))
    throw new RnnlensError(
      `bench --compare: ${script} not found (the shared tools folder beside the checkout)`,
    );
  const python = opts.python ?? '/usr/bin/python3';
  const args = [
    script,
    ...cases,
    '--reps',
    String(opts.reps ?? 20),
    '--threads',
    String(opts.threads ?? 1),
    ...extra,
  ];
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 1_800_000 });
  if (r.error) throw new RnnlensError(`bench --compare: cannot run ${python}: ${r.error.message}`);
  if (r.status !== 0)
    throw new RnnlensError(
      `bench --compare: ${python} ${script} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`,
    );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, number>;
  } catch {
    throw new RnnlensError(
      `bench --compare: unexpected output from ${script}: ${JSON.stringify(line.slice(0, 200))}`,
    );
  }
}
