/**
 * Where artifacts too large for Redis go (`--artifacts LOCATION`), addressed by their SHA-256:
 * - a folder every worker can read (a network file system or a mounted bucket):
 *   `DIR/<first two hex digits>/<sha256>`, written atomically (temporary file, then rename);
 * - an S3 bucket or any S3-compatible object store, `s3://BUCKET[/PREFIX]`, through the AWS SDK
 *   (`@aws-sdk/client-s3`): objects `PREFIX/<sha256>`. Credentials and region come from the usual
 *   AWS configuration (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION, default
 *   us-east-1); another S3-compatible server (MinIO, Ceph, Garage, R2, ...) is named by
 *   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL and addressed path-style.
 * `get` returns null when the object is absent; the caller checks the hash of what it got.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RnnlensError } from '../core/errors.js';

export interface LargeStore {
  /** the location as the user gave it, for messages */
  readonly location: string;
  /** 'dir' or 's3' (recorded in each artifact reference) */
  readonly kind: 'dir' | 's3';
  /** stores `bytes` under `id` unless it is already there */
  put(id: string, bytes: Buffer): Promise<void>;
  get(id: string): Promise<Buffer | null>;
  /** where `id` is (or would be), for messages */
  describe(id: string): string;
}

function checkId(id: string): void {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new RnnlensError(`artifact id expected 64 hex digits, received ${JSON.stringify(id)}`);
}

export class DirStore implements LargeStore {
  readonly kind = 'dir' as const;
  constructor(readonly location: string) {}

  describe(id: string): string {
    checkId(id);
    return join(this.location, id.slice(0, 2), id);
  }

  async put(id: string, bytes: Buffer): Promise<void> {
    const path = this.describe(id);
    if (existsSync(path)) return;
    mkdirSync(join(this.location, id.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  }

  async get(id: string): Promise<Buffer | null> {
    const path = this.describe(id);
    return existsSync(path) ? readFileSync(path) : null;
  }
}

/** `s3://bucket/prefix` → bucket and prefix (no leading or trailing slash). */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(location);
  // bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!)) {
    throw new RnnlensError(`--artifacts expected a folder or s3://BUCKET[/PREFIX] with a valid bucket name (3-63 lower-case letters, digits, '.', '-'), received ${JSON.stringify(location)}`);
  }
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

type S3Module = typeof import('@aws-sdk/client-s3');

export class S3Store implements LargeStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  private client?: Promise<{ s3: S3Module; client: InstanceType<S3Module['S3Client']> }>;

  constructor(readonly location: string) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Location(location));
  }

  describe(id: string): string {
    return `s3://${this.bucket}/${this.key(id)}`;
  }

  private key(id: string): string {
    checkId(id);
    return this.prefix ? `${this.prefix}/${id}` : id;
  }

  private connect(): Promise<{ s3: S3Module; client: InstanceType<S3Module['S3Client']> }> {
    this.client ??= (async () => {
      // the SDK warns on every process about Node versions it will stop supporting; not the user's concern here
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const s3 = await import('@aws-sdk/client-s3');
      const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
      const client = new s3.S3Client({
        region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        // plain checksummed uploads that every S3-compatible server understands
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 3,
      });
      return { s3, client };
    })();
    return this.client;
  }

  private failure(what: string, id: string, e: unknown): RnnlensError {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : '';
    return new RnnlensError(`artifact store ${this.location}: could not ${what} ${this.describe(id)}: ${err.name ?? 'error'}${status}${err.message && err.message !== err.name ? `: ${err.message}` : ''}`);
  }

  async put(id: string, bytes: Buffer): Promise<void> {
    const { s3, client } = await this.connect();
    const Key = this.key(id);
    try {
      await client.send(new s3.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return; // content-addressed: already there means the same bytes
    } catch (e) {
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw this.failure('check', id, e);
    }
    try {
      await client.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length }));
    } catch (e) {
      throw this.failure('upload', id, e);
    }
  }

  async get(id: string): Promise<Buffer | null> {
    const { s3, client } = await this.connect();
    try {
      const r = await client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(id) }));
      if (!r.Body) return null;
      return Buffer.from(await r.Body.transformToByteArray());
    } catch (e) {
      const code = (e as { name?: string; $metadata?: { httpStatusCode?: number } });
      if (code.name === 'NoSuchKey' || (code.$metadata?.httpStatusCode === 404 && code.name !== 'NoSuchBucket')) return null;
      throw this.failure('read', id, e);
    }
  }
}

/** The store for `--artifacts LOCATION`: s3://… or a folder. */
export function largeStoreOf(location: string): LargeStore {
  return location.startsWith('s3://') ? new S3Store(location) : new DirStore(location);
}
