import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InterruptedError, ProvisionerError } from '../errors.js';

/** S3 rejects a DeleteObjects request with more keys than this. */
export const DELETE_BATCH_LIMIT = 1000;

export interface EmptiedCounts {
  versions: number;
  uploads: number;
}

/**
 * Deletes every object version and delete marker and aborts every unfinished multipart upload, so
 * DeleteBucket can succeed (AWS refuses to delete a bucket that still holds any of these).
 */
export async function emptyBucket(s3: S3Client, bucket: string, signal?: AbortSignal): Promise<EmptiedCounts> {
  let uploads = 0;
  for await (const page of listMultipartUploads(s3, bucket)) {
    for (const upload of page.Uploads ?? []) {
      throwIfAborted(signal);
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
      uploads += 1;
    }
  }

  let versions = 0;
  let batch: ObjectIdentifier[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    throwIfAborted(signal);
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new ProvisionerError(
        `could not delete ${failed.length} objects from ${bucket}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
      );
    }
    versions += batch.length;
    batch = [];
  };

  for await (const page of listObjectVersions(s3, bucket)) {
    for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      batch.push({ Key: entry.Key, VersionId: entry.VersionId });
      if (batch.length === DELETE_BATCH_LIMIT) await flush();
    }
  }
  await flush();
  return { versions, uploads };
}

// The SDK ships no paginators for these two listings: follow their key and id markers by hand.
async function* listObjectVersions(s3: S3Client, bucket: string) {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker, VersionIdMarker }));
    yield page;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
    if (!page.IsTruncated) return;
  } while (KeyMarker !== undefined);
}

async function* listMultipartUploads(s3: S3Client, bucket: string) {
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker, UploadIdMarker }));
    yield page;
    ({ NextKeyMarker: KeyMarker, NextUploadIdMarker: UploadIdMarker } = page);
    if (!page.IsTruncated) return;
  } while (KeyMarker !== undefined);
}

export interface PrefixSummary {
  objects: number;
  bytes: number;
}

export async function summarizePrefix(s3: S3Client, bucket: string, prefix: string): Promise<PrefixSummary> {
  const summary: PrefixSummary = { objects: 0, bytes: 0 };
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) {
      summary.objects += 1;
      summary.bytes += object.Size ?? 0;
    }
  }
  return summary;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('interrupted while emptying the bucket');
}
