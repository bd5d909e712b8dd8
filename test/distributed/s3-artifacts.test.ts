/**
 * Artifacts in an S3-compatible bucket (`--artifacts s3://BUCKET/PREFIX`): a real S3 server for
 * tests (s3rver, on a free loopback port, reached through the AWS SDK exactly as a bucket would
 * be) and a private Redis. Data too large for Redis reaches a worker process through the bucket
 * and the cross-validation gives the same numbers as locally; missing objects, a missing bucket
 * and bad locations are clear errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import S3rver from 's3rver';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ArtifactStore, toBytes } from '../../src/distributed/artifacts.js';
import { parseS3Location } from '../../src/distributed/large-store.js';
import { RedisExecutor } from '../../src/distributed/redis.js';
import { prepareCrossValidation, runCrossValidation } from '../../src/verify/cv.js';
import { createDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/core/rng.js';
import { buildModelConfig } from '../../src/train/recipes.js';
import { SKIP_REDIS, startRedis, startWorkerProc, type RedisServer, type WorkerProc } from './redis-server.js';

const BUCKET = 'rnnlens-artifacts';

describe('S3 artifact store', { skip: SKIP_REDIS, timeout: 300_000 }, () => {
  let redis: RedisServer;
  let s3: S3rver;
  let endpoint = '';
  const dir = mkdtempSync(join(tmpdir(), 'rnnlens-s3-'));
  const saved = { ...process.env };
  const workers: WorkerProc[] = [];

  before(async () => {
    redis = await startRedis();
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    // what a user sets for an S3-compatible server; the worker processes inherit it
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  });
  after(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
    await s3?.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads s3:// locations and refuses bad bucket names', () => {
    assert.deepEqual(parseS3Location('s3://my-bucket/a/b/'), { bucket: 'my-bucket', prefix: 'a/b' });
    assert.deepEqual(parseS3Location('s3://my-bucket'), { bucket: 'my-bucket', prefix: '' });
    assert.throws(() => parseS3Location('s3://B/x'), /--artifacts expected a folder or s3:\/\/BUCKET\[\/PREFIX\].*"s3:\/\/B\/x"/);
  });

  it('large data reaches a worker through the bucket: same numbers as locally, one object per artifact', async () => {
    const rng = new Rng(5);
    const items = Array.from({ length: 60 }, (_, i) => {
      const x = new Float32Array(8 * 2).map(() => rng.normal());
      x[0] = i % 2 ? 2 : -2;
      return { x, steps: 8, label: i % 2 };
    });
    const dataset = createDataset({ name: 'toy', input: 'numeric', features: 2, target: 'class', classNames: ['a', 'b'], items });
    const modelConfig = buildModelConfig({ cell: 'gru', hidden: 4, layers: 1 }, dataset, 'classification');
    const prep = () => prepareCrossValidation({ dataset, modelConfig, trainConfig: { epochs: 2, batchSize: 16 }, folds: 2 });
    const local = await runCrossValidation(prep());
    const location = `s3://${BUCKET}/cv`;
    const w = await startWorkerProc(redis.url, ['--lock-seconds', '2', '--artifacts', location]);
    workers.push(w);
    const ex = await RedisExecutor.connect(redis.url, { artifacts: location, redisArtifactLimit: 1024 });
    try {
      const remote = await runCrossValidation(prep(), { executor: ex });
      assert.deepEqual(remote.folds.map((f) => f.metrics), local.folds.map((f) => f.metrics));
      assert.deepEqual(remote.summary, local.summary);
    } finally {
      await ex.close();
    }
    const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1' });
    const list = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'cv/' }));
    client.destroy();
    assert.equal(list.KeyCount, 1);
    assert.match(list.Contents![0]!.Key!, /^cv\/[0-9a-f]{64}$/);
    assert.match(w.log(), /done/);
  });

  it('missing objects, a missing bucket and the wrong kind of store are clear errors', async () => {
    const conn = new Redis(redis.url);
    try {
      const store = new ArtifactStore(conn, `s3://${BUCKET}/errors`, 16);
      const ref = await store.put(toBytes({ big: new Float64Array(100) }));
      assert.equal(ref.where, 's3');
      assert.equal((await store.get(ref)).length, ref.bytes);
      await assert.rejects(store.get({ ...ref, id: 'a'.repeat(64) }), /is not in s3:\/\/rnnlens-artifacts\/errors \(looked for s3:\/\/rnnlens-artifacts\/errors\/a{64}\)/);
      await assert.rejects(new ArtifactStore(conn, dir).get(ref), /is in an s3:\/\/BUCKET\/PREFIX artifact store; start this worker with --artifacts pointing at the bucket/);
      const noBucket = new ArtifactStore(conn, 's3://no-such-bucket/x', 16);
      await assert.rejects(noBucket.put(toBytes({ big: new Float64Array(100) })), (e: Error) => /artifact store s3:\/\/no-such-bucket\/x: could not .* s3:\/\/no-such-bucket\/x\/[0-9a-f]{64}/.test(e.message) && !/\n\s+at /.test(e.message));
    } finally {
      conn.disconnect();
    }
  });
});
