import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type DeleteObjectsCommandInput,
  type ListObjectVersionsCommandInput,
} from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError, ProvisionerError } from '../../../src/core/errors.js';
import { DELETE_BATCH_LIMIT } from '../../../src/aws/limits.js';
import { emptyBucket, summarizePrefix } from '../../../src/resources/bucket-contents.js';
import { mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

interface StoredVersion {
  Key: string;
  VersionId: string;
  marker: boolean;
}

/**
 * A versioned bucket in memory behind the S3 mock: listings honour MaxKeys (unless told to ignore
 * it, as some emulators do), deletions and aborts really remove entries, and every call is logged.
 */
function simulateBucket(t: MockedStack, options: { versions: number; markers: number; uploads: number; ignoreMaxKeys?: boolean }) {
  const versions: StoredVersion[] = [];
  for (let i = 0; i < options.versions; i++) versions.push({ Key: `raw/file-${i % 700}.csv`, VersionId: `v${i}`, marker: false });
  for (let i = 0; i < options.markers; i++) versions.push({ Key: `raw/gone-${i}.csv`, VersionId: `m${i}`, marker: true });
  const uploads = Array.from({ length: options.uploads }, (_, i) => ({ Key: `raw/big-${i}.csv`, UploadId: `u${i}` }));
  const log: string[] = [];
  const deletedKeys: string[] = [];

  t.s3.on(ListMultipartUploadsCommand).callsFake(() => {
    log.push('list-uploads');
    return uploads.length > 0 ? { Uploads: [...uploads], IsTruncated: false } : {};
  });
  t.s3.on(AbortMultipartUploadCommand).callsFake((input: { Key: string; UploadId: string }) => {
    log.push('abort');
    const at = uploads.findIndex((u) => u.UploadId === input.UploadId && u.Key === input.Key);
    if (at >= 0) uploads.splice(at, 1);
    return {};
  });
  t.s3.on(ListObjectVersionsCommand).callsFake((input: ListObjectVersionsCommandInput) => {
    log.push('list-versions');
    const limit = options.ignoreMaxKeys ? versions.length : Math.min(input.MaxKeys ?? 1000, 1000);
    const page = versions.slice(0, limit);
    return {
      Versions: page.filter((v) => !v.marker).map(({ Key, VersionId }) => ({ Key, VersionId, Size: 10 })),
      DeleteMarkers: page.filter((v) => v.marker).map(({ Key, VersionId }) => ({ Key, VersionId })),
      IsTruncated: versions.length > limit,
      ...(versions.length > limit ? { NextKeyMarker: versions[limit]!.Key, NextVersionIdMarker: versions[limit]!.VersionId } : {}),
    };
  });
  t.s3.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
    log.push('delete');
    for (const { Key, VersionId } of input.Delete?.Objects ?? []) {
      const at = versions.findIndex((v) => v.Key === Key && v.VersionId === VersionId);
      if (at >= 0) versions.splice(at, 1);
      deletedKeys.push(`${Key}@${VersionId}`);
    }
    return {};
  });
  return { versions, uploads, log, deletedKeys };
}

describe('emptyBucket', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = mockedStack();
  });

  it('deletes 2,500 versions and delete markers in batches of at most 1,000 keys, each exactly once', async () => {
    const bucket = simulateBucket(t, { versions: 2_000, markers: 500, uploads: 0 });
    const counts = await emptyBucket(t.ctx.aws.s3, 'b');

    const batches = t.s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects ?? []);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const batch of batches) {
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(DELETE_BATCH_LIMIT);
    }
    expect(bucket.deletedKeys).toHaveLength(2_500);
    expect(new Set(bucket.deletedKeys).size).toBe(2_500);
    expect(bucket.deletedKeys.filter((k) => k.includes('@m'))).toHaveLength(500);
    expect(bucket.versions).toHaveLength(0);
    expect(counts).toEqual({ versions: 2_500, uploads: 0 });
    for (const call of t.s3.commandCalls(DeleteObjectsCommand)) {
      expect(call.args[0].input).toMatchObject({ Bucket: 'b', Delete: { Quiet: true } });
    }
  });

  it('sends each delete with a version id, so versioned objects are really gone', async () => {
    simulateBucket(t, { versions: 3, markers: 2, uploads: 0 });
    await emptyBucket(t.ctx.aws.s3, 'b');
    const objects = t.s3.commandCalls(DeleteObjectsCommand).flatMap((call) => call.args[0].input.Delete?.Objects ?? []);
    expect(objects).toHaveLength(5);
    for (const object of objects) expect(object.VersionId).toMatch(/^[vm]\d+$/);
  });

  it('still batches by 1,000 when a listing returns more than asked for', async () => {
    const bucket = simulateBucket(t, { versions: 2_300, markers: 200, uploads: 0, ignoreMaxKeys: true });
    await emptyBucket(t.ctx.aws.s3, 'b');
    const sizes = t.s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects?.length ?? 0);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(bucket.versions).toHaveLength(0);
  });

  it('aborts every unfinished multipart upload before any DeleteObjects', async () => {
    const bucket = simulateBucket(t, { versions: 1_200, markers: 0, uploads: 3 });
    const counts = await emptyBucket(t.ctx.aws.s3, 'b');
    const firstDelete = bucket.log.indexOf('delete');
    const lastAbort = bucket.log.lastIndexOf('abort');
    expect(lastAbort).toBeGreaterThanOrEqual(0);
    expect(firstDelete).toBeGreaterThan(lastAbort);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'b', Key: 'raw/big-0.csv', UploadId: 'u0' },
      { Bucket: 'b', Key: 'raw/big-1.csv', UploadId: 'u1' },
      { Bucket: 'b', Key: 'raw/big-2.csv', UploadId: 'u2' },
    ]);
    expect(bucket.uploads).toHaveLength(0);
    expect(counts).toEqual({ versions: 1_200, uploads: 3 });
  });

  it('lists again until the listing comes back empty', async () => {
    const bucket = simulateBucket(t, { versions: 1_500, markers: 0, uploads: 1 });
    await emptyBucket(t.ctx.aws.s3, 'b');
    // One listing per 1,000 entries plus the empty one that ends each loop.
    expect(bucket.log.filter((e) => e === 'list-versions')).toHaveLength(3);
    expect(bucket.log.filter((e) => e === 'list-uploads')).toHaveLength(2);
    const requests = t.s3.commandCalls(ListObjectVersionsCommand).map((c) => c.args[0].input);
    for (const request of requests) expect(request).toMatchObject({ Bucket: 'b', MaxKeys: DELETE_BATCH_LIMIT });
  });

  it('does nothing but look when the bucket is already empty', async () => {
    simulateBucket(t, { versions: 0, markers: 0, uploads: 0 });
    await expect(emptyBucket(t.ctx.aws.s3, 'b')).resolves.toEqual({ versions: 0, uploads: 0 });
    expect(sentCommands(t)).toEqual(['ListMultipartUploadsCommand', 'ListObjectVersionsCommand']);
  });

  it('throws when a DeleteObjects response reports errors, and deletes nothing more', async () => {
    simulateBucket(t, { versions: 2_500, markers: 0, uploads: 0 });
    t.s3.on(DeleteObjectsCommand).resolves({
      Errors: [
        { Key: 'raw/file-1.csv', VersionId: 'v1', Code: 'AccessDenied', Message: 'Access Denied' },
        { Key: 'raw/file-2.csv', VersionId: 'v2', Code: 'AccessDenied', Message: 'Access Denied' },
      ],
    });
    const failure = await emptyBucket(t.ctx.aws.s3, 'b').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect((failure as Error).message).toMatch(/could not delete 2 objects from b, e\.g\. raw\/file-1\.csv: AccessDenied Access Denied/);
    expect(t.s3.commandCalls(DeleteObjectsCommand)).toHaveLength(1);
  });

  it('stops before deleting anything when interrupted', async () => {
    simulateBucket(t, { versions: 10, markers: 0, uploads: 0 });
    const controller = new AbortController();
    controller.abort();
    await expect(emptyBucket(t.ctx.aws.s3, 'b', controller.signal)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });
});

describe('summarizePrefix', () => {
  it('counts objects and bytes under the prefix across pages', async () => {
    const t = mockedStack();
    t.s3
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'raw/a', Size: 100 }, { Key: 'raw/b', Size: 23 }], IsTruncated: true, NextContinuationToken: 'next' })
      .resolvesOnce({ Contents: [{ Key: 'raw/c', Size: 7 }, { Key: 'raw/d' }], IsTruncated: false });
    await expect(summarizePrefix(t.ctx.aws.s3, 'b', 'raw/')).resolves.toEqual({ objects: 4, bytes: 130 });
    const requests = t.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(requests[0]).toMatchObject({ Bucket: 'b', Prefix: 'raw/' });
    expect(requests[1]).toMatchObject({ Bucket: 'b', Prefix: 'raw/', ContinuationToken: 'next' });
  });
});
