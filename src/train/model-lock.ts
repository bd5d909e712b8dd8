/**
 * One writer per model folder: a lock file created exclusively (`wx`) holding the writer's pid
 * and host. A lock whose process no longer runs on this host is stale and is taken over; a live
 * one makes the second writer fail at once with a message naming the folder and the holder.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { RnnlensError } from '../core/errors.js';

export const LOCK_FILE = '.rnnlens-lock';

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isInteger(v?.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock (creating the folder); returns the function that releases it. */
export function acquireModelLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(path);
      const stale = held === undefined ? attempt > 0 : held.host === info.host && !alive(held.pid);
      if (!stale) {
        const who = held ? `process ${held.pid} on ${held.host} since ${held.since}` : 'another process';
        throw new RnnlensError(
          `model folder ${dir} is being written by ${who} (lock ${path}); wait for it to finish, use another --out, or delete the lock file if that process is gone`,
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(info));
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = readLock(path);
      if (now && now.pid === info.pid && now.host === info.host) rmSync(path, { force: true });
    };
  }
  throw new RnnlensError(`model folder ${dir}: could not take the lock ${path}`);
}
