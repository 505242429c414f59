import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  paginateListObjectsV2,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { hasName } from '../aws/errors.js';
import { DELETE_BATCH_LIMIT } from '../aws/limits.js';
import { InterruptedError, ProvisionerError } from '../core/errors.js';


export interface EmptiedCounts {
  versions: number;
  uploads: number;
}

/**
 * Deletes every object version and delete marker and aborts every unfinished multipart upload, so
 * DeleteBucket can succeed (AWS refuses to delete a bucket that still holds any of these).
 */
export async function emptyBucket(s3: S3Client, bucket: string, signal?: AbortSignal): Promise<EmptiedCounts> {
  const counts: EmptiedCounts = { versions: 0, uploads: 0 };
  // Each pass lists from the start again instead of following markers: the previous pass just
  // deleted what the markers pointed at. The listing being empty is what ends the loop.
  for (;;) {
    throwIfAborted(signal);
    const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    if (Uploads.length === 0) break;
    for (const upload of Uploads) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
      } catch (error) {
        // Aborted already: by a retry of this call whose first answer was lost, or by someone else.
        if (!hasName(error, 'NoSuchUpload')) throw error;
      }
      counts.uploads += 1;
    }
  }
  for (;;) {
    throwIfAborted(signal);
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: DELETE_BATCH_LIMIT }));
    const entries: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key,
      VersionId: v.VersionId,
    }));
    if (entries.length === 0) break;
    for (let i = 0; i < entries.length; i += DELETE_BATCH_LIMIT) {
      await deleteBatch(s3, bucket, entries.slice(i, i + DELETE_BATCH_LIMIT));
    }
    counts.versions += entries.length;
  }
  return counts;
}

async function deleteBatch(s3: S3Client, bucket: string, Objects: ObjectIdentifier[]): Promise<void> {
  const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
  const failed = result.Errors ?? [];
  if (failed.length > 0) {
    const first = failed[0]!;
    throw new ProvisionerError(
      `could not delete ${failed.length} objects from ${bucket}, e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
    );
  }
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
