import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type LifecycleRule,
  type PublicAccessBlockConfiguration,
  type S3Client,
  type ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { hasName, orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { ProvisionerError } from '../core/errors.js';
import { sameJson } from '../util/json.js';
import { missingTags, tagList, tagRecord } from '../aws/tags.js';
import { labelsFrom, type ResourceDefinition, type Tags } from './resource.js';
import { emptyBucket } from './bucket-contents.js';
import { PREFIX } from '../core/names.js';

export interface BucketState {
  readonly publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  readonly encryption: ServerSideEncryptionRule | undefined;
  readonly ownership: string | undefined;
  readonly policy: PolicyDocument | undefined;
  readonly lifecycleRules: LifecycleRule[];
}

interface PolicyStatement {
  Sid?: string;
  [key: string]: unknown;
}
interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

const BLOCK_ALL_PUBLIC_ACCESS: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const DENY_INSECURE_TRANSPORT_SID = 'DenyInsecureTransport';
const ABORT_UPLOADS_RULE_ID = 'abort-incomplete-multipart-uploads';
const ABORT_UPLOADS_AFTER_DAYS = 7;

export function desiredEncryption(kmsKey: string | undefined): ServerSideEncryptionRule {
  return kmsKey
    ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey }, BucketKeyEnabled: true }
    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
}

export function denyInsecureTransport(partition: string, bucket: string): PolicyStatement {
  return {
    Sid: DENY_INSECURE_TRANSPORT_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

export const abortIncompleteUploadsRule: LifecycleRule = {
  ID: ABORT_UPLOADS_RULE_ID,
  Status: 'Enabled',
  Filter: { Prefix: '' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOADS_AFTER_DAYS },
};

/**
 * What each job run leaves behind and nobody reads after a while: Glue's scratch files (--TempDir)
 * and the Spark UI's event logs. One rule per prefix, as a lifecycle filter takes one prefix; a
 * versioned bucket's old versions go too.
 */
const RETENTION_PREFIXES = [PREFIX.temp, PREFIX.sparkLogs] as const;

function retentionRuleId(prefix: string): string {
  return `retention-${prefix.replace(/\/$/, '')}`;
}

/** The expiry rules for --retention-days; none for 0, which keeps everything. */
export function retentionRules(days: number): LifecycleRule[] {
  if (days === 0) return [];
  return RETENTION_PREFIXES.map((prefix) => ({
    ID: retentionRuleId(prefix),
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: days },
  }));
}

/** The lifecycle rules this stack owns, by ID: any other rule is someone else's and is kept. */
const OWN_RULE_IDS: ReadonlySet<string> = new Set([ABORT_UPLOADS_RULE_ID, ...RETENTION_PREFIXES.map(retentionRuleId)]);

/** Whether the bucket's expiry rules are those --retention-days asks for. */
export function sameRetention(current: readonly LifecycleRule[], days: number): boolean {
  const wanted = retentionRules(days);
  const present = current.filter((rule) => rule.ID !== undefined && rule.ID !== ABORT_UPLOADS_RULE_ID && OWN_RULE_IDS.has(rule.ID));
  if (present.length !== wanted.length) return false;
  return wanted.every((want) => {
    const rule = present.find((r) => r.ID === want.ID);
    return (
      rule?.Status === 'Enabled' &&
      // S3 reports a rule's prefix in Filter; rules written with the older top-level Prefix keep it there.
      (rule.Filter?.Prefix ?? rule.Prefix) === want.Filter?.Prefix &&
      rule.Expiration?.Days === want.Expiration?.Days &&
      rule.NoncurrentVersionExpiration?.NoncurrentDays === want.NoncurrentVersionExpiration?.NoncurrentDays
    );
  });
}

/** Returns false when the bucket does not exist; throws when someone else owns the name. */
export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (hasName(error, 'NotFound', 'NoSuchBucket')) return false;
    // A HEAD response has no body, so the SDK names a 403 or 301 "Unknown": look at the status.
    const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    if (hasName(error, 'Forbidden', 'AccessDenied', '403') || status === 403) {
      throw new ProvisionerError(
        `bucket ${bucket} exists but this account cannot access it (it belongs to another account, or a policy denies you); choose another --bucket`,
        'user',
      );
    }
    if (hasName(error, 'PermanentRedirect', '301') || status === 301) {
      throw new ProvisionerError(`bucket ${bucket} exists in another region; choose another --bucket or use its --region`, 'user');
    }
    throw error;
  }
}

export async function bucketTags(s3: S3Client, bucket: string): Promise<Record<string, string>> {
  const tagging = await orUndefined(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })));
  return tagRecord(tagging?.TagSet);
}

type BucketKey = 'publicAccessBlock' | 'encryption' | 'ownership' | 'tlsPolicy' | 'lifecycle' | 'retention';

const LABELS: Readonly<Record<BucketKey, string>> = {
  publicAccessBlock: 'public access block',
  encryption: 'default encryption',
  ownership: 'object ownership',
  tlsPolicy: 'TLS-only policy',
  lifecycle: 'lifecycle rule',
  retention: 'retention of tmp/ and spark-logs/',
};

/** The stack's hardened bucket; teardown removes every object version in it, then the bucket. */
export function bucketResource(ctx: StackContext): ResourceDefinition<BucketState, BucketKey> {
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  const encryption = desiredEncryption(ctx.settings.kmsKey);
  const tlsStatement = denyInsecureTransport(ctx.aws.partition, Bucket);
  // Over a plain-HTTP endpoint (a local emulator) a TLS-only policy would lock this tool out of
  // its own bucket, so it is only required where the endpoint speaks TLS, as AWS always does.
  const tlsOnly = usesTls(ctx.settings.endpointUrl);
  const retentionDays = ctx.settings.retentionDays;

  return {
    kind: 'bucket',
    name: Bucket,
    label: labelsFrom(LABELS),

    async find() {
      // The settings are read alongside the HEAD, which decides: one round trip, not two. Those of
      // a bucket that is missing (or not ours) fail, and are not looked at.
      const settings = Promise.all([
        orUndefined(s3.send(new GetPublicAccessBlockCommand({ Bucket }))),
        orUndefined(s3.send(new GetBucketEncryptionCommand({ Bucket }))),
        orUndefined(s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))),
        orUndefined(s3.send(new GetBucketPolicyCommand({ Bucket }))),
        orUndefined(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))),
        bucketTags(s3, Bucket),
      ]);
      settings.catch(() => undefined);
      if (!(await bucketExists(s3, Bucket))) return undefined;
      const [pab, enc, own, policy, lifecycle, tags] = await settings;
      const state: BucketState = {
        publicAccessBlock: pab?.PublicAccessBlockConfiguration,
        encryption: enc?.ServerSideEncryptionConfiguration?.Rules?.[0],
        ownership: own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership,
        policy: policy?.Policy ? (JSON.parse(policy.Policy) as PolicyDocument) : undefined,
        lifecycleRules: lifecycle?.Rules ?? [],
      };
      return { state, tags };
    },

    drift(current) {
      const drift: BucketKey[] = [];
      if (!sameJson(current.publicAccessBlock, BLOCK_ALL_PUBLIC_ACCESS)) drift.push('publicAccessBlock');
      if (!sameEncryption(current.encryption, encryption)) drift.push('encryption');
      if (current.ownership !== 'BucketOwnerEnforced') drift.push('ownership');
      const statement = current.policy?.Statement.find((s) => s.Sid === DENY_INSECURE_TRANSPORT_SID);
      if (tlsOnly && !sameJson(statement, tlsStatement)) drift.push('tlsPolicy');
      const rule = current.lifecycleRules.find((r) => r.ID === ABORT_UPLOADS_RULE_ID);
      if (
        rule?.Status !== 'Enabled' ||
        rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== ABORT_UPLOADS_AFTER_DAYS
      ) {
        drift.push('lifecycle');
      }
      if (!sameRetention(current.lifecycleRules, retentionDays)) drift.push('retention');
      return drift;
    },

    createDetails() {
      return [
        ctx.settings.kmsKey ? `SSE-KMS ${ctx.settings.kmsKey}` : 'SSE-S3',
        'public access blocked',
        ...(tlsOnly ? ['TLS only'] : []),
        'owner-enforced',
        retentionDays > 0 ? `tmp/ and spark-logs/ expire after ${retentionDays} days` : 'tmp/ and spark-logs/ kept',
      ];
    },

    async create() {
      const LocationConstraint = ctx.aws.region === 'us-east-1' ? undefined : (ctx.aws.region as BucketLocationConstraint);
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket,
            ObjectOwnership: 'BucketOwnerEnforced',
            // The stack's tags in the same call: where S3 keeps them (AWS does), there is no moment
            // in which the bucket exists without them.
            CreateBucketConfiguration: { ...(LocationConstraint ? { LocationConstraint } : {}), Tags: tagList(ctx.tags) },
          }),
        );
      } catch (error) {
        if (hasName(error, 'BucketAlreadyExists')) {
          throw new ProvisionerError(`bucket name ${Bucket} is taken by another AWS account; choose another --bucket`, 'user');
        }
        if (hasName(error, 'OperationAborted')) {
          throw new ProvisionerError(
            `bucket ${Bucket} was deleted moments ago and S3 is still releasing the name; retry in a few minutes`,
            'aws',
          );
        }
        throw error;
      }
      // Stores that ignore tags at creation (emulators, some S3-compatible stores) get them now, first
      // thing: if a later setting fails, the re-run still recognises the bucket as ours. Until then
      // it is recognised by what `unfinished` checks.
      const tags = await bucketTags(s3, Bucket);
      if (Object.keys(missingTags(ctx.tags, tags)).length > 0) await putTags(tags);
      // Object ownership is not among them: CreateBucket's ObjectOwnership set it (and it is what AWS
      // gives every new bucket). A store that ignored it shows drift, which the next `up` mends.
      const settings: BucketKey[] = ['publicAccessBlock', 'encryption', 'lifecycle'];
      await applySettings(tlsOnly ? [...settings, 'tlsPolicy'] : settings, undefined);
    },

    async unfinished(found) {
      return isUnfinishedBucket(s3, Bucket, ctx.aws.accountId, ctx.settings.endpointUrl, found);
    },

    async update(current, keys) {
      await applySettings(keys, current);
    },

    async addTags(missing, current) {
      await putTags({ ...current, ...missing });
    },

    async destroy() {
      const removed = await emptyBucket(s3, Bucket, ctx.signal);
      ctx.logger.info(
        `emptied bucket ${Bucket}: ${removed.versions} object versions and delete markers, ${removed.uploads} unfinished uploads`,
      );
      await s3.send(new DeleteBucketCommand({ Bucket }));
    },

  };

  async function putTags(existing: Tags): Promise<void> {
    // PutBucketTagging replaces the whole set: keep tags others added.
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tagList({ ...existing, ...ctx.tags }) } }));
  }

  async function applySettings(keys: readonly BucketKey[], current: BucketState | undefined): Promise<void> {
    if (keys.includes('publicAccessBlock')) {
      await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: BLOCK_ALL_PUBLIC_ACCESS }));
    }
    if (keys.includes('encryption')) {
      await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [encryption] } }));
    }
    if (keys.includes('ownership')) {
      await s3.send(
        new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }),
      );
    }
    if (keys.includes('tlsPolicy')) {
      const others = current?.policy?.Statement.filter((s) => s.Sid !== DENY_INSECURE_TRANSPORT_SID) ?? [];
      const policy: PolicyDocument = { Version: '2012-10-17', Statement: [...others, tlsStatement] };
      await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) }));
    }
    // One configuration holds every rule and a put replaces it whole: write this stack's rules as
    // wanted and keep the rules others added.
    if (keys.includes('lifecycle') || keys.includes('retention')) {
      const others = current?.lifecycleRules.filter((r) => r.ID === undefined || !OWN_RULE_IDS.has(r.ID)) ?? [];
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: { Rules: [...others, abortIncompleteUploadsRule, ...retentionRules(retentionDays)] },
        }),
      );
    }
  }
}

/**
 * The prefix of what this tool itself keeps in the bucket (the stack's lock, the record of uploads):
 * keys no one else writes.
 */
export const TOOL_PREFIX = '.provisioner/';

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
  found: { readonly state: BucketState; readonly tags: Tags },
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
  return keys.every((key) => key.startsWith(TOOL_PREFIX));
}

export function usesTls(endpointUrl: string | undefined): boolean {
  return endpointUrl === undefined || endpointUrl.startsWith('https://');
}

function sameEncryption(current: ServerSideEncryptionRule | undefined, desired: ServerSideEncryptionRule): boolean {
  const a = current?.ApplyServerSideEncryptionByDefault;
  const b = desired.ApplyServerSideEncryptionByDefault;
  return (
    a?.SSEAlgorithm === b?.SSEAlgorithm &&
    (a?.KMSMasterKeyID ?? undefined) === (b?.KMSMasterKeyID ?? undefined) &&
    // An S3 Bucket Key cuts KMS requests (and cost) per object: keep it on when SSE-KMS is used.
    (desired.BucketKeyEnabled !== true || current?.BucketKeyEnabled === true)
  );
}
