/**
 * Worker-thread entry of the thread pool. Messages from the pool:
 * - `{ type: 'shared', key, value }`: keep `value` (a batch's shared part) under `key`;
 * - `{ type: 'drop', key }`: forget it;
 * - `{ type: 'job', id, kind, key, item }`: run the job with the shared part `key`.
 * Replies carry the job id: progress events, the result, or the error (with whether it is a
 * user error, which is not worth retrying).
 */
import { parentPort } from 'node:worker_threads';
import { RnnlensError } from '../core/errors.js';
import { runJob } from './handlers.js';

export type ThreadMessage =
  | { type: 'shared'; key: string; value: unknown }
  | { type: 'drop'; key: string }
  | { type: 'job'; id: number; kind: string; key: string; item: unknown };

export type ThreadReply =
  | { type: 'progress'; id: number; task: string; done: number; total: number; values?: Record<string, number | string>; message?: string }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string; userError: boolean };

const port = parentPort;
if (!port) throw new RnnlensError('rnnlens job thread: this file runs only as a worker thread');
const shared = new Map<string, unknown>();

port.on('message', (m: ThreadMessage) => {
  if (m.type === 'shared') shared.set(m.key, m.value);
  else if (m.type === 'drop') shared.delete(m.key);
  else {
    if (!shared.has(m.key)) {
      port.postMessage({ type: 'error', id: m.id, message: `job thread: shared part '${m.key}' was never sent`, userError: false } satisfies ThreadReply);
      return;
    }
    runJob(m.kind, shared.get(m.key), m.item, {
      onProgress: (p) => port.postMessage({ type: 'progress', id: m.id, task: p.task, done: p.done, total: p.total, values: p.values, message: p.message } satisfies ThreadReply),
    }).then(
      (result) => port.postMessage({ type: 'done', id: m.id, result } satisfies ThreadReply),
      (err: unknown) => port.postMessage({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err), userError: err instanceof RnnlensError } satisfies ThreadReply),
    );
  }
});
