/**
 * `rnnlens worker --redis URL [--concurrency N] [--queue NAME] [--artifacts DIR|s3://BUCKET/PREFIX]
 * [--lock-seconds S]`: run distributed jobs until stopped (SIGTERM/SIGINT: finish the active
 * jobs, then exit). `rnnlens queue status --redis URL [--queue NAME] [--json]`: waiting, active,
 * completed and failed jobs, and the workers connected.
 */
import type { Command } from 'commander';
import { DEFAULT_QUEUE } from '../distributed/executor.js';
import type { QueueStatus } from '../distributed/redis.js';
import { intOption, secondsOption } from './options.js';

export function queueStatusText(s: QueueStatus): string {
  const c = s.counts;
  const lines = [
    `queue '${s.queue}' at ${s.url}`,
    `  waiting ${(c.waiting ?? 0) + (c.prioritized ?? 0)}  active ${c.active ?? 0}  delayed ${c.delayed ?? 0}  completed ${c.completed ?? 0}  failed ${c.failed ?? 0}`,
    `  workers alive: ${s.workers.length}`,
    ...s.workers.map((w) => `    ${w.name.padEnd(28)} ${w.addr.padEnd(22)} connected ${w.ageSeconds} s, idle ${w.idleSeconds} s`),
  ];
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run distributed jobs (cv folds, sweep points) from a Redis queue until stopped')
    .requiredOption('--redis <url>', 'Redis server, e.g. redis://127.0.0.1:6379')
    .option('--concurrency <n>', 'jobs run at once (one worker thread each)', intOption('--concurrency'), 1)
    .option('--queue <name>', 'queue name', DEFAULT_QUEUE)
    .option('--artifacts <where>', 'folder or s3://BUCKET/PREFIX for artifacts too large for Redis (the one the commands use)')
    .option('--lock-seconds <s>', "job lock: a dead worker's job is retried elsewhere after this long", secondsOption('--lock-seconds'), 30)
    .action(async (o: { redis: string; concurrency: number; queue: string; artifacts?: string; lockSeconds: number }) => {
      const { startJobWorker } = await import('../distributed/worker.js');
      const w = await startJobWorker({ redis: o.redis, concurrency: o.concurrency, queue: o.queue, artifacts: o.artifacts, lockSeconds: o.lockSeconds });
      await w.stopped;
    });

  const queue = program.command('queue').description('the distributed job queue');
  queue
    .command('status')
    .description('waiting, active, completed and failed jobs, and the workers alive')
    .requiredOption('--redis <url>', 'Redis server, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'queue name', DEFAULT_QUEUE)
    .option('--json', 'print one JSON object')
    .action(async (o: { redis: string; queue: string; json?: boolean }) => {
      const { queueStatus } = await import('../distributed/redis.js');
      const s = await queueStatus(o.redis, o.queue);
      process.stdout.write(o.json ? JSON.stringify(s) + '\n' : queueStatusText(s));
    });
}
