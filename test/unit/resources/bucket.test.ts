import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
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
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProvisionerError, StepError } from '../../../src/core/errors.js';
import { bucketExists, bucketResource, type BucketState } from '../../../src/resources/bucket.js';
import { judgeOwnership } from '../../../src/stack/ownership.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { driftLabels, mockedStack, mutatingCommands, ownershipIn, sentCommands, updateStep, type MockedStack, type StackOptions } from '../support/stack.js';
import { s3Error, s3NoSuchBucket, s3NotFound } from '../support/errors.js';

const STACK_TAGS = [
  { Key: 'ManagedBy', Value: 'glue-provisioner' },
  { Key: 'Stack', Value: 'flight-delays' },
];
const OURS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function tlsStatement(bucket: string, partition = 'aws') {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

const ABORT_RULE: LifecycleRule = {
  ID: 'abort-incomplete-multipart-uploads',
  Status: 'Enabled',
  Filter: { Prefix: '' },
  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
};

/** The expiry rules of --retention-days, 30 by default, as S3 describes them. */
function retention(days = 30): LifecycleRule[] {
  return [
    { ID: 'retention-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: days }, NoncurrentVersionExpiration: { NoncurrentDays: days } },
    {
      ID: 'retention-spark-logs',
      Status: 'Enabled',
      Filter: { Prefix: 'spark-logs/' },
      Expiration: { Days: days },
      NoncurrentVersionExpiration: { NoncurrentDays: days },
    },
    // What Athena writes for the queries run in the stack's workgroup.
    {
      ID: 'retention-athena-results',
      Status: 'Enabled',
      Filter: { Prefix: 'athena-results/' },
      Expiration: { Days: days },
      NoncurrentVersionExpiration: { NoncurrentDays: days },
    },
  ];
}

/** A bucket exactly as this stack configures it, as S3 describes it. */
function inSyncState(bucket: string): BucketState {
  return {
    publicAccessBlock: { ...ALL_BLOCKED },
    encryption: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ownership: 'BucketOwnerEnforced',
    policy: { Version: '2012-10-17', Statement: [tlsStatement(bucket)] },
    lifecycleRules: [ABORT_RULE, ...retention()],
  };
}

/** Mocks S3 so that find() sees a bucket configured as this stack wants it. */
function mockExistingBucket(t: MockedStack, overrides: { tagSet?: { Key: string; Value: string }[] } = {}): void {
  const bucket = t.ctx.names.bucket;
  t.s3.on(HeadBucketCommand).resolves({});
  t.s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { ...ALL_BLOCKED } });
  t.s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
  });
  t.s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
  t.s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [tlsStatement(bucket)] }) });
  t.s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [ABORT_RULE, ...retention()] });
  t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: overrides.tagSet ?? STACK_TAGS });
}

function stack(options: StackOptions = {}): MockedStack {
  return mockedStack(options);
}

describe('bucketExists', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = stack();
  });

  it('is true when HeadBucket succeeds', async () => {
    t.s3.on(HeadBucketCommand).resolves({});
    await expect(bucketExists(t.ctx.aws.s3, 'b-1')).resolves.toBe(true);
    expect(t.s3.commandCalls(HeadBucketCommand)[0]?.args[0].input).toEqual({ Bucket: 'b-1' });
  });

  it.each([
    ['NotFound', s3NotFound()],
    ['NoSuchBucket', s3NoSuchBucket()],
  ])('is false when HeadBucket says %s', async (_name, error) => {
    t.s3.on(HeadBucketCommand).rejects(error);
    await expect(bucketExists(t.ctx.aws.s3, 'b-1')).resolves.toBe(false);
  });

  it.each([
    ['a bodiless 403 (the SDK names it Unknown)', s3Error('Unknown', 403)],
    ['Forbidden', s3Error('Forbidden', 403)],
    ['AccessDenied', s3Error('AccessDenied', 403)],
  ])('turns %s into a user error naming the bucket', async (_what, error) => {
    t.s3.on(HeadBucketCommand).rejects(error);
    const failure = await bucketExists(t.ctx.aws.s3, 'taken-bucket').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect((failure as ProvisionerError).fault).toBe('user');
    expect((failure as ProvisionerError).exitCode).toBe(2);
    expect((failure as Error).message).toMatch(/taken-bucket.*cannot access it/);
  });

  it('explains a bucket that lives in another region (bodiless 301)', async () => {
    t.s3.on(HeadBucketCommand).rejects(s3Error('Unknown', 301));
    await expect(bucketExists(t.ctx.aws.s3, 'far-bucket')).rejects.toThrow(/far-bucket exists in another region/);
  });

  it('lets any other error through unchanged', async () => {
    const boom = s3Error('InternalError', 500, 'We encountered an internal error');
    t.s3.on(HeadBucketCommand).rejects(boom);
    await expect(bucketExists(t.ctx.aws.s3, 'b-1')).rejects.toBe(boom);
  });

  // aws-sdk-client-mock bypasses the SDK's deserializer, so check what a real 403 HEAD response becomes.
  it('recognises a real HTTP 403 HeadBucket response as "cannot access"', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(403, { 'x-amz-request-id': 'req-1' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const failure = await bucketExists(s3, 'someone-elses').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ProvisionerError);
      expect((failure as ProvisionerError).fault).toBe('user');
      expect((failure as Error).message).toContain('someone-elses');
    } finally {
      s3.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('bucketResource.find', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = stack();
  });

  it('returns undefined for a missing bucket, whatever the settings read alongside the HEAD say', async () => {
    t.s3.on(HeadBucketCommand).rejects(s3NotFound());
    t.s3.on(GetBucketEncryptionCommand).rejects(s3Error('NoSuchBucket', 404));
    await expect(bucketResource(t.ctx).find()).resolves.toBeUndefined();
    // One round trip: the settings go out with the HEAD, not after it.
    expect(sentCommands(t)).toContain('HeadBucketCommand');
    expect(sentCommands(t)).toContain('GetBucketEncryptionCommand');
  });

  it('reads every setting of an existing bucket, and its tags', async () => {
    mockExistingBucket(t);
    const found = await bucketResource(t.ctx).find();
    expect(found).toEqual({ state: inSyncState(t.ctx.names.bucket), tags: OURS });
    const reads = t.s3.calls().map((call) => call.args[0] as { input: unknown });
    expect(sentCommands(t).sort()).toEqual(
      [
        'HeadBucketCommand',
        'GetPublicAccessBlockCommand',
        'GetBucketEncryptionCommand',
        'GetBucketOwnershipControlsCommand',
        'GetBucketPolicyCommand',
        'GetBucketLifecycleConfigurationCommand',
        'GetBucketTaggingCommand',
      ].sort(),
    );
    for (const read of reads) expect(read.input).toEqual({ Bucket: t.ctx.names.bucket });
  });

  it('treats each missing setting as absent rather than failing', async () => {
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404));
    t.s3.on(GetBucketEncryptionCommand).rejects(s3Error('ServerSideEncryptionConfigurationNotFoundError', 404));
    t.s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404));
    t.s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
    t.s3.on(GetBucketLifecycleConfigurationCommand).rejects(s3Error('NoSuchLifecycleConfiguration', 404));
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: STACK_TAGS });
    const resource = bucketResource(t.ctx);
    const state = (await resource.find())!.state;
    expect(state).toMatchObject({ publicAccessBlock: undefined, encryption: undefined, ownership: undefined, policy: undefined, lifecycleRules: [] });
    expect(resource.drift(state)).toEqual(['publicAccessBlock', 'encryption', 'ownership', 'tlsPolicy', 'lifecycle', 'retention']);
    expect(driftLabels(resource, state)).toEqual([
      'public access block',
      'default encryption',
      'object ownership',
      'TLS-only policy',
      'lifecycle rule',
      'retention of tmp/, spark-logs/ and athena-results/',
    ]);
  });

  it.each([
    ['has no tags at all', undefined],
    ['is tagged for another stack', [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'other-stack' }]],
    ['is tagged by another tool', [{ Key: 'ManagedBy', Value: 'terraform' }, { Key: 'Stack', Value: 'flight-delays' }]],
  ])('refuses, when planning, a bucket that %s', async (_what, tagSet) => {
    mockExistingBucket(t);
    if (tagSet === undefined) t.s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
    else t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: tagSet });
    // find() only reads; the stack judges ownership for every resource alike.
    await expect(bucketResource(t.ctx).find()).resolves.toMatchObject({ state: inSyncState(t.ctx.names.bucket) });
    const failure = await planStep(t.ctx, bucketResource(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect((failure as ProvisionerError).fault).toBe('user');
    expect((failure as Error).message).toContain(t.ctx.names.bucket);
    expect((failure as Error).message).toContain('flight-delays');
    const cause = (failure as StepError).cause as ProvisionerError;
    expect(cause).toBeInstanceOf(ProvisionerError);
    expect(cause.fault).toBe('user');
    expect(cause.message).toBe(
      `bucket ${t.ctx.names.bucket} already exists and is not tagged as stack "flight-delays"'s; choose another --bucket or --name`,
    );
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('fails on an S3 error other than "not configured"', async () => {
    mockExistingBucket(t);
    t.s3.on(GetBucketPolicyCommand).rejects(s3Error('AccessDenied', 403));
    await expect(bucketResource(t.ctx).find()).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('bucketResource.drift', () => {
  it('is empty for a bucket configured as wanted, whatever else its policy and rules hold', () => {
    const t = stack();
    const state = inSyncState(t.ctx.names.bucket);
    const busy: BucketState = {
      ...state,
      policy: { Version: '2012-10-17', Statement: [{ Sid: 'AllowAnalytics', Effect: 'Allow' }, ...state.policy!.Statement] },
      lifecycleRules: [{ ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } }, ABORT_RULE, ...retention()],
    };
    expect(bucketResource(t.ctx).drift(busy)).toEqual([]);
  });

  it("plans a no-op for such a bucket whose tags hold others' tags besides the stack's", async () => {
    const t = stack();
    mockExistingBucket(t, { tagSet: [...STACK_TAGS, { Key: 'CostCenter', Value: 'data' }] });
    const step = await planStep(t.ctx, bucketResource(t.ctx));
    expect(step.keys).toEqual([]);
    expect(step.change).toEqual({ kind: 'bucket', name: t.ctx.names.bucket, action: 'no-op', details: [] });
  });

  it('labels every drift key with the words a plan shows', () => {
    const resource = bucketResource(stack().ctx);
    expect(
      (['publicAccessBlock', 'encryption', 'ownership', 'tlsPolicy', 'lifecycle', 'retention'] as const).map((key) => resource.label(key)),
    ).toEqual(['public access block', 'default encryption', 'object ownership', 'TLS-only policy', 'lifecycle rule', 'retention of tmp/, spark-logs/ and athena-results/']);
  });

  it.each(['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'])(
    'reports the public access block when %s is off',
    (flag) => {
      const t = stack();
      const state = inSyncState(t.ctx.names.bucket);
      expect(driftLabels(bucketResource(t.ctx), { ...state, publicAccessBlock: { ...ALL_BLOCKED, [flag]: false } })).toEqual(['public access block']);
    },
  );

  it('wants SSE-KMS with the given key and a bucket key when --kms-key is set', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/0b3f0c9e-1111-4222-8333-944455556666';
    const t = stack({ raw: { kmsKey: keyArn } });
    const resource = bucketResource(t.ctx);
    const state = inSyncState(t.ctx.names.bucket);
    const kms = (KMSMasterKeyID: string, BucketKeyEnabled: boolean) => ({
      ...state,
      encryption: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID }, BucketKeyEnabled },
    });
    expect(driftLabels(resource, state)).toEqual(['default encryption']);
    expect(driftLabels(resource, kms(keyArn, true))).toEqual([]);
    expect(driftLabels(resource, kms(keyArn.replace('6666', '7777'), true))).toEqual(['default encryption']);
    expect(driftLabels(resource, kms(keyArn, false))).toEqual(['default encryption']);
  });

  it('wants SSE-S3 by default, so a KMS-encrypted bucket drifts', () => {
    const t = stack();
    const state = inSyncState(t.ctx.names.bucket);
    const kms = { ...state, encryption: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/x' } } };
    expect(driftLabels(bucketResource(t.ctx), kms)).toEqual(['default encryption']);
  });

  it('reports object ownership other than BucketOwnerEnforced', () => {
    const t = stack();
    const state = inSyncState(t.ctx.names.bucket);
    expect(driftLabels(bucketResource(t.ctx), { ...state, ownership: 'BucketOwnerPreferred' })).toEqual(['object ownership']);
  });

  it('reports a TLS statement that was changed, or is missing', () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const state = inSyncState(t.ctx.names.bucket);
    const weakened = { ...tlsStatement(t.ctx.names.bucket), Effect: 'Allow' };
    expect(driftLabels(resource, { ...state, policy: { Statement: [weakened] } })).toEqual(['TLS-only policy']);
    expect(driftLabels(resource, { ...state, policy: { Statement: [{ Sid: 'Other', Effect: 'Allow' }] } })).toEqual(['TLS-only policy']);
    expect(driftLabels(resource, { ...state, policy: undefined })).toEqual(['TLS-only policy']);
  });

  it.each([
    ['https', 'https://s3.example.internal', true],
    ['unset', undefined, true],
    ['plain http', 'http://127.0.0.1:5000', false],
  ])('requires the TLS-only policy when the endpoint is %s: %s', (_what, endpointUrl, required) => {
    const t = stack({ raw: { endpointUrl } });
    const state = { ...inSyncState(t.ctx.names.bucket), policy: undefined };
    expect(driftLabels(bucketResource(t.ctx), state).includes('TLS-only policy')).toBe(required);
    expect(bucketResource(t.ctx).drift(state).includes('tlsPolicy')).toBe(required);
    expect(bucketResource(t.ctx).createDetails!().includes('TLS only')).toBe(required);
  });

  it.each([
    ['missing', []],
    ['disabled', [{ ...ABORT_RULE, Status: 'Disabled' as const }]],
    ['with other days', [{ ...ABORT_RULE, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 30 } }]],
  ])('reports the abort-uploads lifecycle rule when %s', (_what, rules) => {
    const t = stack();
    expect(driftLabels(bucketResource(t.ctx), { ...inSyncState(t.ctx.names.bucket), lifecycleRules: [...rules, ...retention()] })).toEqual(['lifecycle rule']);
  });
});

describe('bucketResource.create', () => {
  it('creates in us-east-1 without a LocationConstraint', async () => {
    const t = stack({ region: 'us-east-1' });
    await bucketResource(t.ctx).create();
    expect(t.s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'flight-delays-123456789012-us-east-1',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { Tags: STACK_TAGS },
    });
  });

  it('creates outside us-east-1 with the region as LocationConstraint', async () => {
    const t = stack({ region: 'eu-central-1' });
    await bucketResource(t.ctx).create();
    expect(t.s3.commandCalls(CreateBucketCommand)[0]?.args[0].input).toEqual({
      Bucket: 'flight-delays-123456789012-eu-central-1',
      ObjectOwnership: 'BucketOwnerEnforced',
      CreateBucketConfiguration: { LocationConstraint: 'eu-central-1', Tags: STACK_TAGS },
    });
  });

  it('does not tag again a bucket that kept the tags of its CreateBucket, as AWS does', async () => {
    const t = stack();
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: STACK_TAGS });
    await bucketResource(t.ctx).create();
    expect(t.s3.commandCalls(PutBucketTaggingCommand)).toHaveLength(0);
    expect(t.s3.commandCalls(GetBucketTaggingCommand)).toHaveLength(1);
  });

  it('tags a bucket whose store dropped the tags of its CreateBucket first, then hardens it: public access, SSE-S3, lifecycle and TLS policy', async () => {
    const t = stack({ raw: { bucket: 'my-data-bucket' } });
    t.s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
    await bucketResource(t.ctx).create();
    const order = sentCommands(t);
    expect(order.slice(0, 3)).toEqual(['CreateBucketCommand', 'GetBucketTaggingCommand', 'PutBucketTaggingCommand']);
    expect(new Set(order.slice(3))).toEqual(
      new Set([
        'PutPublicAccessBlockCommand',
        'PutBucketEncryptionCommand',
        'PutBucketLifecycleConfigurationCommand',
        'PutBucketPolicyCommand',
      ]),
    );
    expect(t.s3.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input).toEqual({ Bucket: 'my-data-bucket', Tagging: { TagSet: STACK_TAGS } });
    expect(t.s3.commandCalls(PutPublicAccessBlockCommand)[0]?.args[0].input).toEqual({
      Bucket: 'my-data-bucket',
      PublicAccessBlockConfiguration: ALL_BLOCKED,
    });
    expect(t.s3.commandCalls(PutBucketEncryptionCommand)[0]?.args[0].input).toEqual({
      Bucket: 'my-data-bucket',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    // CreateBucket's ObjectOwnership set it: no second request.
    expect(t.s3.commandCalls(PutBucketOwnershipControlsCommand)).toHaveLength(0);
    expect(t.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input).toEqual({
      Bucket: 'my-data-bucket',
      LifecycleConfiguration: { Rules: [ABORT_RULE, ...retention()] },
    });
    const policy = JSON.parse(t.s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy as string);
    expect(policy).toEqual({ Version: '2012-10-17', Statement: [tlsStatement('my-data-bucket')] });
  });

  it('uses the partition in the TLS policy ARNs', async () => {
    const t = stack({ region: 'cn-north-1', partition: 'aws-cn', raw: { bucket: 'cn-bucket' } });
    await bucketResource(t.ctx).create();
    const policy = JSON.parse(t.s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy as string);
    expect(policy.Statement[0].Resource).toEqual(['arn:aws-cn:s3:::cn-bucket', 'arn:aws-cn:s3:::cn-bucket/*']);
  });

  it('sets SSE-KMS with the key and a bucket key when --kms-key is given', async () => {
    const t = stack({ raw: { kmsKey: 'alias/data-key' } });
    await bucketResource(t.ctx).create();
    expect(t.s3.commandCalls(PutBucketEncryptionCommand)[0]?.args[0].input.ServerSideEncryptionConfiguration).toEqual({
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data-key' }, BucketKeyEnabled: true }],
    });
    expect(bucketResource(t.ctx).createDetails!()).toContain('SSE-KMS alias/data-key');
  });

  it('puts no TLS-only policy over a plain-HTTP endpoint', async () => {
    const t = stack({ raw: { endpointUrl: 'http://127.0.0.1:5000' } });
    await bucketResource(t.ctx).create();
    expect(t.s3.commandCalls(PutBucketPolicyCommand)).toHaveLength(0);
    expect(t.s3.commandCalls(PutPublicAccessBlockCommand)).toHaveLength(1);
  });

  it('says the name is taken when another account owns it, and stops', async () => {
    const t = stack();
    t.s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyExists', 409));
    const failure = await bucketResource(t.ctx).create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect((failure as ProvisionerError).fault).toBe('user');
    expect((failure as Error).message).toMatch(/taken by another AWS account/);
    expect(sentCommands(t)).toEqual(['CreateBucketCommand']);
  });

  it('explains OperationAborted after a recent delete of the same name', async () => {
    const t = stack();
    t.s3.on(CreateBucketCommand).rejects(s3Error('OperationAborted', 409));
    const failure = await bucketResource(t.ctx).create().catch((e: unknown) => e);
    expect((failure as ProvisionerError).fault).toBe('aws');
    expect((failure as Error).message).toMatch(/retry in a few minutes/);
    expect(sentCommands(t)).toEqual(['CreateBucketCommand']);
  });

  it('lets other CreateBucket failures through', async () => {
    const t = stack();
    const boom = s3Error('InvalidBucketName', 400);
    t.s3.on(CreateBucketCommand).rejects(boom);
    await expect(bucketResource(t.ctx).create()).rejects.toBe(boom);
  });
});

describe('bucketResource.update', () => {
  it('puts only the drifted settings', async () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const state = { ...inSyncState(t.ctx.names.bucket), ownership: 'ObjectWriter' };
    const drift = resource.drift(state);
    expect(drift).toEqual(['ownership']);
    expect(driftLabels(resource, state)).toEqual(['object ownership']);
    await resource.update(state, drift);
    expect(sentCommands(t)).toEqual(['PutBucketOwnershipControlsCommand']);
  });

  it('merges the stack tags into the tags others set instead of replacing them (applyStep, tags first)', async () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const step = updateStep(t.ctx, resource, { state: inSyncState(t.ctx.names.bucket), tags: { CostCenter: 'data', Stack: 'stale' } });
    expect(step.keys).toEqual(['tags']);
    await applyStep(t.ctx, step);
    expect(sentCommands(t)).toEqual(['PutBucketTaggingCommand']);
    const tagSet = t.s3.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input.Tagging?.TagSet;
    expect(tagSet).toHaveLength(3);
    expect(tagSet).toEqual(
      expect.arrayContaining([
        { Key: 'CostCenter', Value: 'data' },
        { Key: 'Stack', Value: 'flight-delays' },
        { Key: 'ManagedBy', Value: 'glue-provisioner' },
      ]),
    );
  });

  it('keeps the user lifecycle rules and replaces a stale abort-uploads rule', async () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const userRule: LifecycleRule = { ID: 'expire-processed', Status: 'Enabled', Filter: { Prefix: 'processed/' }, Expiration: { Days: 365 } };
    const stale = { ...ABORT_RULE, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
    const state = { ...inSyncState(t.ctx.names.bucket), lifecycleRules: [userRule, stale, ...retention()] };
    await resource.update(state, resource.drift(state));
    expect(t.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration).toEqual({
      Rules: [userRule, ABORT_RULE, ...retention()],
    });
  });

  it('adds the expiry of tmp/ and spark-logs/ to a bucket made before them, keeping the rules others added', async () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const userRule: LifecycleRule = { ID: 'expire-processed', Status: 'Enabled', Filter: { Prefix: 'processed/' }, Expiration: { Days: 365 } };
    const state = { ...inSyncState(t.ctx.names.bucket), lifecycleRules: [userRule, ABORT_RULE] };
    expect(resource.drift(state)).toEqual(['retention']);
    expect(driftLabels(resource, state)).toEqual(['retention of tmp/, spark-logs/ and athena-results/']);
    await resource.update(state, ['retention']);
    expect(sentCommands(t)).toEqual(['PutBucketLifecycleConfigurationCommand']);
    expect(t.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration).toEqual({
      Rules: [userRule, ABORT_RULE, ...retention()],
    });
  });

  it('changes the days when --retention-days changes', async () => {
    const t = stack({ raw: { retentionDays: 7 } });
    const resource = bucketResource(t.ctx);
    const state = inSyncState(t.ctx.names.bucket);
    expect(resource.drift(state)).toEqual(['retention']);
    await resource.update(state, ['retention']);
    expect(t.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration).toEqual({
      Rules: [ABORT_RULE, ...retention(7)],
    });
  });

  it('with --retention-days 0 removes the expiry rules and keeps everything', async () => {
    const t = stack({ raw: { retentionDays: 0 } });
    const resource = bucketResource(t.ctx);
    const state = inSyncState(t.ctx.names.bucket);
    expect(resource.drift(state)).toEqual(['retention']);
    await resource.update(state, ['retention']);
    expect(t.s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]?.args[0].input.LifecycleConfiguration).toEqual({ Rules: [ABORT_RULE] });
    expect(resource.drift({ ...state, lifecycleRules: [ABORT_RULE] })).toEqual([]);
    expect(resource.createDetails?.()).toContain('tmp/, spark-logs/ and athena-results/ kept');
  });

  it.each<[string, LifecycleRule[]]>([
    ['one is disabled', [{ ...retention()[0]!, Status: 'Disabled' }, ...retention().slice(1)]],
    ['one is missing', [retention()[0]!]],
    // A stack made before its Athena workgroup: the results are not yet expired.
    ['the one of the query results is missing', retention().slice(0, 2)],
    ['one covers another prefix', [{ ...retention()[0]!, Filter: { Prefix: 'tmp' } }, ...retention().slice(1)]],
    ['old versions are kept', [{ ...retention()[0]!, NoncurrentVersionExpiration: undefined }, ...retention().slice(1)]],
  ])('reports the expiry rules when %s', (_what, rules) => {
    const t = stack();
    expect(bucketResource(t.ctx).drift({ ...inSyncState(t.ctx.names.bucket), lifecycleRules: [ABORT_RULE, ...rules] })).toEqual(['retention']);
  });

  it('reads a rule with the prefix at the top level, as older rules have it, as the same rule', () => {
    const t = stack();
    const [tmp, ...rest] = retention();
    const state = { ...inSyncState(t.ctx.names.bucket), lifecycleRules: [ABORT_RULE, { ...tmp!, Filter: undefined, Prefix: 'tmp/' }, ...rest] };
    expect(bucketResource(t.ctx).drift(state)).toEqual([]);
  });

  it('keeps other policy statements when it adds the TLS statement', async () => {
    const t = stack();
    const resource = bucketResource(t.ctx);
    const other = { Sid: 'AllowAnalytics', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: '*' };
    const state = { ...inSyncState(t.ctx.names.bucket), policy: { Version: '2012-10-17', Statement: [other] } };
    await resource.update(state, resource.drift(state));
    const policy = JSON.parse(t.s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy as string);
    expect(policy.Statement).toEqual([other, tlsStatement(t.ctx.names.bucket)]);
  });
});

describe('bucketResource ownership and destroy', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = stack();
  });

  it('is absent when the bucket does not exist', async () => {
    t.s3.on(HeadBucketCommand).rejects(s3NotFound());
    await expect(ownershipIn(t, bucketResource(t.ctx))).resolves.toBe('absent');
  });

  it('is owned only with both stack tags, foreign otherwise', async () => {
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: STACK_TAGS });
    await expect(ownershipIn(t, bucketResource(t.ctx))).resolves.toBe('owned');
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'Stack', Value: 'flight-delays' }] });
    await expect(ownershipIn(t, bucketResource(t.ctx))).resolves.toBe('foreign');
    t.s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
    await expect(ownershipIn(t, bucketResource(t.ctx))).resolves.toBe('foreign');
  });

  it('empties the bucket before deleting it', async () => {
    let stored = [{ Key: 'raw/a.csv', VersionId: 'v1' }];
    t.s3.on(ListMultipartUploadsCommand).resolves({});
    t.s3.on(ListObjectVersionsCommand).callsFake(() => ({ Versions: stored }));
    t.s3.on(DeleteObjectsCommand).callsFake(() => {
      stored = [];
      return {};
    });
    await bucketResource(t.ctx).destroy!();
    expect(sentCommands(t)).toEqual([
      'ListMultipartUploadsCommand',
      'ListObjectVersionsCommand',
      'DeleteObjectsCommand',
      'ListObjectVersionsCommand',
      'DeleteBucketCommand',
    ]);
    expect(t.s3.commandCalls(DeleteBucketCommand)[0]?.args[0].input).toEqual({ Bucket: t.ctx.names.bucket });
  });

  it('does not delete the bucket when emptying it fails', async () => {
    t.s3.on(ListMultipartUploadsCommand).resolves({});
    t.s3.on(ListObjectVersionsCommand).rejects(s3Error('AccessDenied', 403));
    await expect(bucketResource(t.ctx).destroy!()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(t.s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
  });
});

/**
 * A bucket an interrupted `up` left on a store that ignores tags at creation: created, never tagged.
 * It must be resumable by up and removable by teardown, and nothing that only looks like it taken.
 */
describe('an unfinished bucket (created by up, never tagged)', () => {
  const ENDPOINT = 'http://127.0.0.1:5000';

  /** find() sees a bucket as CreateBucket alone leaves it on moto: no tags, no settings. */
  function mockUntouchedBucket(t: MockedStack, contents: { keys?: string[]; uploads?: string[] } = {}): void {
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404));
    t.s3.on(GetBucketEncryptionCommand).rejects(s3Error('ServerSideEncryptionConfigurationNotFoundError', 404));
    t.s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    t.s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404));
    t.s3.on(GetBucketLifecycleConfigurationCommand).rejects(s3Error('NoSuchLifecycleConfiguration', 404));
    t.s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
    t.s3.on(GetBucketVersioningCommand).resolves({});
    t.s3.on(ListObjectVersionsCommand).resolves({ Versions: (contents.keys ?? []).map((Key) => ({ Key, VersionId: 'null' })) });
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: (contents.uploads ?? []).map((Key) => ({ Key, UploadId: 'u-1' })) });
  }

  it('is resumed by up: tagged before anything else, then hardened', async () => {
    const t = stack({ raw: { endpointUrl: ENDPOINT } });
    mockUntouchedBucket(t);
    const bucket = bucketResource(t.ctx);
    const step = await planStep(t.ctx, bucket);
    expect(step.change.action).toBe('update');
    expect(step.keys).toContain('tags');
    await applyStep(t.ctx, step);
    const mutating = mutatingCommands(t);
    expect(mutating[0]).toBe('PutBucketTaggingCommand');
    expect(t.s3.commandCalls(PutBucketTaggingCommand)[0]?.args[0].input).toEqual({ Bucket: t.ctx.names.bucket, Tagging: { TagSet: STACK_TAGS } });
    expect(mutating).toEqual(
      expect.arrayContaining(['PutPublicAccessBlockCommand', 'PutBucketEncryptionCommand', 'PutBucketLifecycleConfigurationCommand']),
    );
    // The checks that it holds nothing are made as this account only.
    expect(t.s3.commandCalls(ListObjectVersionsCommand)[0]?.args[0].input).toMatchObject({ ExpectedBucketOwner: '123456789012' });
  });

  it('is deleted by teardown', async () => {
    const t = stack({ raw: { endpointUrl: ENDPOINT } });
    mockUntouchedBucket(t);
    const bucket = bucketResource(t.ctx);
    await expect(judgeOwnership(t.ctx, bucket, await bucket.find())).resolves.toBe('owned');
  });

  it('may hold the lock a teardown took before it was interrupted', async () => {
    const t = stack({ raw: { endpointUrl: ENDPOINT } });
    mockUntouchedBucket(t, { keys: ['.provisioner/lock.json'] });
    const bucket = bucketResource(t.ctx);
    await expect(judgeOwnership(t.ctx, bucket, await bucket.find())).resolves.toBe('owned');
  });

  it.each<[string, (t: MockedStack) => void, Partial<StackOptions>?]>([
    ['it was made by a plain CreateBucket (the store left object ownership unset)', (t) => t.s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404))],
    ['its object ownership is not BucketOwnerEnforced', (t) => t.s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } })],
    ['it has any tag', (t) => t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'data' }] })],
    ['it holds an object', (t) => t.s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'raw/a.csv', VersionId: 'null' }] })],
    ['it holds a delete marker', (t) => t.s3.on(ListObjectVersionsCommand).resolves({ DeleteMarkers: [{ Key: 'x', VersionId: 'v' }] })],
    ['it holds an unfinished upload', (t) => t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: 'big.bin', UploadId: 'u' }] })],
    ['it has a bucket policy', (t) => t.s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [] }) })],
    ['it has lifecycle rules', (t) => t.s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [ABORT_RULE] })],
    ['versioning was turned on', (t) => t.s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' })],
    ['it is on AWS itself, where the bucket is created with its tags', () => {}, { raw: {} }],
  ])('is never taken when %s: up refuses it and changes nothing', async (_what, alter, options) => {
    const t = stack(options ?? { raw: { endpointUrl: ENDPOINT } });
    mockUntouchedBucket(t);
    alter(t);
    const failure = await planStep(t.ctx, bucketResource(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).exitCode).toBe(2);
    expect((failure as Error).message).toMatch(/not tagged as stack "flight-delays"'s/);
    expect(mutatingCommands(t)).toEqual([]);
    const bucket = bucketResource(t.ctx);
    await expect(judgeOwnership(t.ctx, bucket, await bucket.find())).resolves.toBe('foreign');
  });
});

/**
 * CreateBucket sent, its answer lost: the SDK's retry meets the bucket (outside us-east-1,
 * BucketAlreadyOwnedByYou). The create happened, so up finishes it rather than failing.
 */
describe('a CreateBucket whose answer was lost', () => {
  it('finishes the bucket when it carries the stack tags from its CreateBucket (AWS)', async () => {
    const t = stack({ region: 'eu-central-1' });
    t.s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded'));
    // Before: nothing there. After the failed create: the bucket with its tags, nothing else set.
    t.s3.on(HeadBucketCommand).rejectsOnce(s3NotFound()).resolves({});
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: STACK_TAGS });
    const bucket = bucketResource(t.ctx);
    const step = await planStep(t.ctx, bucket);
    expect(step.change.action).toBe('create');
    await applyStep(t.ctx, step);
    expect(t.s3.commandCalls(PutBucketTaggingCommand)).toHaveLength(0);
    expect(mutatingCommands(t)).toEqual(
      expect.arrayContaining(['PutPublicAccessBlockCommand', 'PutBucketEncryptionCommand', 'PutBucketLifecycleConfigurationCommand', 'PutBucketPolicyCommand']),
    );
  });

  it('finishes it on a store that ignores tags at creation, tagging it first', async () => {
    const t = stack({ region: 'eu-central-1', raw: { endpointUrl: 'http://127.0.0.1:5000' } });
    t.s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded'));
    t.s3.on(HeadBucketCommand).rejectsOnce(s3NotFound()).resolves({});
    t.s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet', 404));
    t.s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    t.s3.on(GetBucketVersioningCommand).resolves({});
    t.s3.on(ListObjectVersionsCommand).resolves({});
    t.s3.on(ListMultipartUploadsCommand).resolves({});
    const bucket = bucketResource(t.ctx);
    await applyStep(t.ctx, await planStep(t.ctx, bucket));
    expect(mutatingCommands(t).slice(0, 2)).toEqual(['CreateBucketCommand', 'PutBucketTaggingCommand']);
  });

  it('refuses a bucket someone else in this account made meanwhile', async () => {
    const t = stack({ region: 'eu-central-1', raw: { endpointUrl: 'http://127.0.0.1:5000' } });
    t.s3.on(CreateBucketCommand).rejects(s3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded'));
    t.s3.on(HeadBucketCommand).rejectsOnce(s3NotFound()).resolves({});
    t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'data' }] });
    const bucket = bucketResource(t.ctx);
    const failure = await applyStep(t.ctx, await planStep(t.ctx, bucket)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).exitCode).toBe(2);
    expect((failure as Error).message).toMatch(/^create bucket \S+ failed: bucket \S+ already exists and is not tagged/);
    expect(mutatingCommands(t)).toEqual(['CreateBucketCommand']);
  });
});
