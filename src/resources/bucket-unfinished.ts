import { GetBucketVersioningCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, type LifecycleRule, type S3Client } from '@aws-sdk/client-s3';
import { PREFIX } from '../core/names.js';
import type { Tags } from './resource.js';

/** What isUnfinishedBucket reads of a bucket found without the stack's tags. */
interface FoundBucket {
  readonly state: { readonly ownership: string | undefined; readonly policy: unknown; readonly lifecycleRules: readonly LifecycleRule[] };
  readonly tags: Tags;
}

/**
 * Whether a bucket with the stack's bucket name but without its tags is one an interrupted `up`
 * left: created, not yet tagged. The bucket is created with its tags in one call, so against AWS
 * itself (no --endpoint-url) there is no such bucket: an untagged one is someone else's, always.
 * A store that ignores tags at creation (moto, some S3-compatible stores) is tagged by a second call,
 * and a kill, a network failure or a failed PutBucketTagging between the two leaves it untagged. It
 * is recognised by what nothing but that moment leaves behind, all of which must hold:
 * - it is in this account (ExpectedBucketOwner);
 * - its object ownership is BucketOwnerEnforced, which the tool's CreateBucket asks for: such a
 *   store leaves it unset on a bucket created without asking (`aws s3 mb`, a plain CreateBucket);
 * - it has no tags at all (whoever tags a bucket has made it theirs);
 * - it has no bucket policy and no lifecycle rules, and versioning was never turned on: the tool
 *   sets none of these before its tags, so someone else did;
 * - it holds nothing: no object, version, delete marker or unfinished upload, except under
 *   `.provisioner/` (the lock a teardown takes before it deletes the bucket).
 * Such a bucket holds nothing anyone could lose. A store without ownership controls never shows one,
 * so there an interrupted bucket stays refused (exit 2), as any untagged bucket used to be.
 */
export async function isUnfinishedBucket(
  s3: S3Client,
  Bucket: string,
  accountId: string,
  endpointUrl: string | undefined,
  found: FoundBucket,
): Promise<boolean> {
  if (endpointUrl === undefined) return false;
  const { state, tags } = found;
  if (state.ownership !== 'BucketOwnerEnforced' || Object.keys(tags).length > 0 || state.policy !== undefined || state.lifecycleRules.length > 0) {
    return false;
  }
  const ExpectedBucketOwner = accountId;
  const [versioning, versions, uploads] = await Promise.all([
    s3.send(new GetBucketVersioningCommand({ Bucket, ExpectedBucketOwner })),
    s3.send(new ListObjectVersionsCommand({ Bucket, ExpectedBucketOwner, MaxKeys: 100 })),
    s3.send(new ListMultipartUploadsCommand({ Bucket, ExpectedBucketOwner, MaxUploads: 100 })),
  ]);
  if (versioning.Status !== undefined || versioning.MFADelete !== undefined) return false;
  const keys = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? []), ...(uploads.Uploads ?? [])].map((v) => v.Key ?? '');
  if (versions.IsTruncated || uploads.IsTruncated) return false;
  return keys.every((key) => key.startsWith(PREFIX.tool));
}
