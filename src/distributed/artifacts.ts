/**
 * Content-addressed artifact store: what the jobs of a batch share (a pooled dataset, a model's
 * weights) is stored once under the SHA-256 of its bytes, so a worker on another machine can fetch
 * it without a shared disk, and fetches it once per batch however many jobs it runs.
 *
 * Small artifacts (up to `redisLimitBytes`, 64 MiB by default) live in Redis under
 * `rnnlens:artifact:<sha256>` with a TTL (7 days, refreshed on every read); larger ones go to a
 * directory that every worker can read (`--artifacts DIR`: a network file system or a mounted
 * bucket), as `DIR/<first two hex digits>/<sha256>`, written atomically. Every read checks the
 * hash, so a truncated or corrupt artifact is an error, never wrong numbers.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { RnnlensError } from '../core/errors.js';

export interface ArtifactRef {
  id: string;
  where: 'redis' | 'dir';
  bytes: number;
}

export const ARTIFACT_PREFIX = 'rnnlens:artifact:';
const TTL_SECONDS = 7 * 24 * 3600;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes of a structured-cloneable value (typed arrays, nested objects), and back. */
export const toBytes = (value: unknown): Buffer => serialize(value);
export const fromBytes = <T>(bytes: Buffer): T => deserialize(bytes) as T;

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

export class ArtifactStore {
  constructor(
    private readonly redis: Redis,
    readonly dir?: string,
    readonly redisLimitBytes = 64 * 1048576,
  ) {}

  async put(bytes: Buffer): Promise<ArtifactRef> {
    const id = sha256(bytes);
    if (bytes.length <= this.redisLimitBytes) {
      await this.redis.set(ARTIFACT_PREFIX + id, bytes, 'EX', TTL_SECONDS, 'NX');
      // NX keeps an existing copy; refresh its TTL
      await this.redis.expire(ARTIFACT_PREFIX + id, TTL_SECONDS);
      return { id, where: 'redis', bytes: bytes.length };
    }
    if (!this.dir) {
      throw new RnnlensError(`artifact of ${mib(bytes.length)} is above the ${mib(this.redisLimitBytes)} kept in Redis; pass --artifacts DIR (a folder every worker can read) to store it there`);
    }
    const path = this.pathOf(id);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, id.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return { id, where: 'dir', bytes: bytes.length };
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    let bytes: Buffer | null;
    if (ref.where === 'redis') {
      bytes = await this.redis.getBuffer(ARTIFACT_PREFIX + ref.id);
      if (!bytes) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is not in Redis (expired or deleted); run the command again to upload it`);
      await this.redis.expire(ARTIFACT_PREFIX + ref.id, TTL_SECONDS);
    } else {
      if (!this.dir) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} (${mib(ref.bytes)}) is in an artifact folder; start this worker with --artifacts DIR pointing at the folder the command used`);
      const path = this.pathOf(ref.id);
      if (!existsSync(path)) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is not in ${this.dir} (looked for ${path}); is --artifacts the folder the command used?`);
      bytes = readFileSync(path);
    }
    const got = sha256(bytes);
    if (got !== ref.id) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is corrupt: its ${bytes.length} bytes hash to ${got.slice(0, 12)}`);
    return bytes;
  }

  private pathOf(id: string): string {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new RnnlensError(`artifact id expected 64 hex digits, received ${JSON.stringify(id)}`);
    return join(this.dir!, id.slice(0, 2), id);
  }
}
