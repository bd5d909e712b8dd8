/**
 * Runs the chunks of a dataset-wide command (`certify --dataset`, `explain --dataset`) on an
 * executor: progress in items over all chunks (a chunk's own progress counts as it comes), labels
 * naming the items of each chunk, and the `--timeout` deadline. Results come back per chunk, in
 * chunk order.
 */
import type { Command } from 'commander';
import { RnnlensError } from '../core/errors.js';
import { DEFAULT_QUEUE, type Executor } from '../distributed/executor.js';
import { intOption } from './options.js';
import type { JobKind } from '../distributed/handlers.js';

/** Default chunking: about 32 jobs, at most 16 items each (so a lost job costs little). */
export function chunkSize(n: number, chunk?: number): number {
  return chunk ?? Math.max(1, Math.min(16, Math.ceil(n / 32)));
}

/** [start, end) of each chunk of n items. */
export function chunkRanges(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < n; a += size) out.push([a, Math.min(n, a + size)]);
  return out;
}

export interface ChunkRun<S, I> {
  command: string;
  kind: JobKind;
  shared: S;
  items: I[];
  ranges: [number, number][];
  /** what an item is called in messages ("input", "sequence") */
  noun: string;
  onProgress: (p: { done: number; total: number; message?: string }) => void;
  timeoutSeconds?: number;
}

export async function runChunks<S, I, R>(executor: Executor, c: ChunkRun<S, I>): Promise<R[]> {
  const total = c.ranges.length ? c.ranges[c.ranges.length - 1]![1] : 0;
  const within = new Float64Array(c.items.length);
  const report = (message: string): void => {
    let done = 0;
    for (const d of within) done += d;
    c.onProgress({ done: Math.floor(done), total, message });
  };
  const name = (i: number): string => {
    const [a, b] = c.ranges[i]!;
    return b - a === 1 ? `${c.noun} ${a}` : `${c.noun}s ${a}–${b - 1}`;
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    c.timeoutSeconds === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RnnlensError(`${c.command}: stopped after --timeout ${c.timeoutSeconds} s (raise --timeout or reduce the work)`)), c.timeoutSeconds! * 1000);
        });
  try {
    const run = executor.run<S, I, R>({
      kind: c.kind,
      shared: c.shared,
      items: c.items,
      label: name,
      onProgress: (i, p) => {
        const [a, b] = c.ranges[i]!;
        within[i] = Math.max(within[i]!, p.total > 0 ? ((b - a) * p.done) / p.total : 0);
        report(name(i));
      },
      onDone: (i) => {
        const [a, b] = c.ranges[i]!;
        within[i] = b - a;
        report(`${name(i)} done`);
      },
    });
    run.catch(() => {}); // when the deadline wins, the run's own end is not awaited
    return await (deadline ? Promise.race([run, deadline]) : run);
  } finally {
    clearTimeout(timer);
  }
}

/** The options of a command run over a recipe split, spread over an executor. */
export function addDatasetOptions(cmd: Command, verb: string, noun: string): Command {
  return cmd
    .option('--dataset [recipe]', `${verb} the ${noun}s of a recipe's split instead of --input (default: the model's recorded recipe)`)
    .option('--data <path>', 'with --dataset: the data folder of recipes that need one (e.g. fsdd)')
    .option('--split <name>', 'with --dataset: train, validation or test', 'test')
    .option('--data-seed <n>', "with --dataset: seed of the recipe's data split (default: the model's recorded seed)", intOption('--data-seed', true))
    .option('--limit <n>', `with --dataset: the first N ${noun}s of the split`, intOption('--limit', false))
    .option('--executor <where>', `'local' (this machine) or redis://HOST:PORT (rnnlens worker processes take chunks of ${noun}s)`, 'local')
    .option('--parallel <n>', 'local executor: worker threads', intOption('--parallel'), 1)
    .option('--chunk <n>', `${noun}s per job when the work is spread (default: about 32 jobs)`, intOption('--chunk'))
    .option('--queue <name>', 'queue name on Redis', DEFAULT_QUEUE)
    .option('--artifacts <where>', 'folder or s3://BUCKET/PREFIX every worker can read, for models too large for Redis');
}
