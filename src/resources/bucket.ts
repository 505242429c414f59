import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
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
import { abortsUploads, lifecycleRules, RETENTION_FOLDERS, sameRetention } from './bucket-lifecycle.js';
import {
  BLOCK_ALL_PUBLIC_ACCESS,
  DENY_INSECURE_TRANSPORT_SID,
  denyInsecureTransport,
  desiredEncryption,
  sameEncryption,
  usesTls,
  type PolicyDocument,
} from './bucket-policy.js';
import { isUnfinishedBucket } from './bucket-unfinished.js';

export interface BucketState {
  readonly publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  readonly encryption: ServerSideEncryptionRule | undefined;
  readonly ownership: string | undefined;
  readonly policy: PolicyDocument | undefined;
  readonly lifecycleRules: LifecycleRule[];
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
  retention: `retention of ${RETENTION_FOLDERS}`,
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
      if (!abortsUploads(current.lifecycleRules)) drift.push('lifecycle');
      if (!sameRetention(current.lifecycleRules, retentionDays)) drift.push('retention');
      return drift;
    },

    createDetails() {
      return [
        ctx.settings.kmsKey ? `SSE-KMS ${ctx.settings.kmsKey}` : 'SSE-S3',
        'public access blocked',
        ...(tlsOnly ? ['TLS only'] : []),
        'owner-enforced',
        retentionDays > 0 ? `${RETENTION_FOLDERS} expire after ${retentionDays} days` : `${RETENTION_FOLDERS} kept`,
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
    if (keys.includes('lifecycle') || keys.includes('retention')) {
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: lifecycleRules(current?.lifecycleRules, retentionDays) } }),
      );
    }
  }
}
