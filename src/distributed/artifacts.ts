/**
 * Content-addressed artifact store: what the jobs of a batch share (a pooled dataset, a model's
 * weights) is stored once under the SHA-256 of its bytes, so a worker on another machine can fetch
 * it without a shared disk, and fetches it once per batch however many jobs it runs.
 *
 * Small artifacts (up to `redisLimitBytes`, 64 MiB by default) live in Redis under
 * `rnnlens:artifact:<sha256>` with a TTL (7 days, refreshed on every read); larger ones go to
 * `--artifacts LOCATION`: a folder every worker can read, or an S3 / S3-compatible bucket
 * (`s3://BUCKET/PREFIX`; see large-store.ts). Every read checks the hash, so a truncated or
 * corrupt artifact is an error, never wrong numbers.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { RnnlensError } from '../core/errors.js';
import { largeStoreOf, type LargeStore } from './large-store.js';

export interface ArtifactRef {
  id: string;
  where: 'redis' | 'dir' | 's3';
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
  private readonly large?: LargeStore;

  /** `location`: the folder or s3:// bucket for artifacts above `redisLimitBytes` */
  constructor(
    private readonly redis: Redis,
    readonly location?: string,
    readonly redisLimitBytes = 64 * 1048576,
  ) {
    if (location !== undefined) this.large = largeStoreOf(location);
  }

  async put(bytes: Buffer): Promise<ArtifactRef> {
    const id = sha256(bytes);
    if (bytes.length <= this.redisLimitBytes) {
      await this.redis.set(ARTIFACT_PREFIX + id, bytes, 'EX', TTL_SECONDS, 'NX');
      // NX keeps an existing copy; refresh its TTL
      await this.redis.expire(ARTIFACT_PREFIX + id, TTL_SECONDS);
      return { id, where: 'redis', bytes: bytes.length };
    }
    if (!this.large) {
      throw new RnnlensError(`artifact of ${mib(bytes.length)} is above the ${mib(this.redisLimitBytes)} kept in Redis; pass --artifacts DIR (a folder every worker can read) or --artifacts s3://BUCKET/PREFIX to store it there`);
    }
    await this.large.put(id, bytes);
    return { id, where: this.large.kind, bytes: bytes.length };
  }

  async get(ref: ArtifactRef): Promise<Buffer> {
    let bytes: Buffer | null;
    if (ref.where === 'redis') {
      bytes = await this.redis.getBuffer(ARTIFACT_PREFIX + ref.id);
      if (!bytes) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is not in Redis (expired or deleted); run the command again to upload it`);
      await this.redis.expire(ARTIFACT_PREFIX + ref.id, TTL_SECONDS);
    } else {
      const want = ref.where === 's3' ? 'an s3://BUCKET/PREFIX' : 'a folder';
      if (!this.large || this.large.kind !== ref.where) {
        throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} (${mib(ref.bytes)}) is in ${want} artifact store; start this worker with --artifacts pointing at the ${ref.where === 's3' ? 'bucket' : 'folder'} the command used`);
      }
      bytes = await this.large.get(ref.id);
      if (!bytes) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is not in ${this.large.location} (looked for ${this.large.describe(ref.id)}); is --artifacts the ${ref.where === 's3' ? 'bucket' : 'folder'} the command used?`);
    }
    const got = sha256(bytes);
    if (got !== ref.id) throw new RnnlensError(`artifact ${ref.id.slice(0, 12)} is corrupt: its ${bytes.length} bytes hash to ${got.slice(0, 12)}`);
    return bytes;
  }
}
