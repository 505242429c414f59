import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetTagsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
} from '@aws-sdk/client-glue';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';
import { deleteObjectsKeyCount } from './support/request-log.js';

const STACK = 'flight-delays';
const ACCOUNT = '123456789012';
const BUCKET = `${STACK}-${ACCOUNT}-us-east-1`;
const TAGS = { ManagedBy: 'glue-provisioner', Stack: STACK };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name.startsWith('.')) return [];
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('provisioner against a local AWS', () => {
  const stack = useEmulator();
  // rawdata/'s layout and data contract with a few rows: what this file proves is the stack, and the
  // 3 million real rows would add the contract's check of them (about 20 s) to each plan and up. The
  // demo (demo.test.ts) goes up with the real data.
  const DATA_DIR = stack.temp.tinyRawData('lifecycle-data', { contract: true }).dir;
  const cli = (...args: string[]) => stack.cli([...args, '--data-dir', DATA_DIR, '--job-dir', JOB_DIR]);
  /** The files of the data directory that `up` uploads: all but the data contract, which stays local. */
  const uploadedData = (): string[] => filesUnder(DATA_DIR).filter((file) => file !== path.join(DATA_DIR, 'contract.json'));

  it('plan on an empty account lists every resource as a create and changes nothing', async () => {
    stack.log.clear();
    const result = await cli('plan');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Plan: 18 to create, 0 to update, 0 unchanged/);
    expect(stack.log.mutating()).toEqual([]);
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
  });

  it('up creates the hardened bucket with every raw and job file', async () => {
    const result = await cli('up');
    expect(result.code, result.stderr).toBe(0);

    const pab = await stack.aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const encryption = await stack.aws.s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const ownership = await stack.aws.s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }));
    expect(ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe('BucketOwnerEnforced');
    const lifecycle = await stack.aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(lifecycle.Rules?.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 7)).toBe(true);
    const tagging = await stack.aws.s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
    expect(Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key, t.Value]))).toMatchObject(TAGS);

    const raw = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'raw/' }));
    const localData = uploadedData();
    expect(raw.KeyCount).toBe(localData.length);
    const sample = localData.find((f) => f.endsWith('.csv.gz'))!;
    const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `raw/${path.relative(DATA_DIR, sample)}` }));
    expect(head.ContentLength).toBe(statSync(sample).size);

    const scripts = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'scripts/' }));
    const keys = (scripts.Contents ?? []).map((o) => o.Key);
    expect(keys).toContain('scripts/job.py');
    expect(keys.every((k) => k?.endsWith('.py') && !k.includes('test'))).toBe(true);
  });

  it('up creates a Glue-only role scoped to this bucket and database', async () => {
    const role = await stack.aws.iam.send(new GetRoleCommand({ RoleName: `${STACK}-glue-role` }));
    const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(Object.fromEntries((role.Role!.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject(TAGS);
    const policy = await stack.aws.iam.send(new GetRolePolicyCommand({ RoleName: `${STACK}-glue-role`, PolicyName: `${STACK}-glue-access` }));
    const text = decodeURIComponent(policy.PolicyDocument!);
    expect(text).toContain(`arn:aws:s3:::${BUCKET}/raw/*`);
    expect(text).toContain(`database/flight_delays`);
    expect(text).toContain('log-group:/aws-glue/*');
    // The job reads its own run for its run manifest, and no other job's.
    expect(JSON.parse(text).Statement).toContainEqual(expect.objectContaining({ Action: 'glue:GetJobRun', Resource: `arn:aws:glue:us-east-1:${ACCOUNT}:job/${STACK}-features` }));
    expect(text).not.toMatch(/"Resource":"\*","Action":"s3/);
  });

  it('up creates the database, crawler, job and workflow triggers as specified', async () => {
    await expect(stack.aws.glue.send(new GetDatabaseCommand({ Name: 'flight_delays' }))).resolves.toBeDefined();

    const { Crawler } = await stack.aws.glue.send(new GetCrawlerCommand({ Name: `${STACK}-raw-crawler` }));
    expect(Crawler?.Targets?.S3Targets?.map((t) => t.Path)).toEqual([`s3://${BUCKET}/raw/`]);
    expect(Crawler?.RecrawlPolicy?.RecrawlBehavior).toBe('CRAWL_NEW_FOLDERS_ONLY');
    expect(Crawler?.SchemaChangePolicy).toMatchObject({ UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' });
    expect(JSON.parse(Crawler!.Configuration!).Grouping.TableLevelConfiguration).toBe(2);
    expect(Crawler?.Schedule).toBeUndefined();

    const { Job } = await stack.aws.glue.send(new GetJobCommand({ JobName: `${STACK}-features` }));
    expect(Job).toMatchObject({
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/job.py`, PythonVersion: '3' },
    });
    expect(Job?.Timeout).toBeGreaterThan(0);
    expect(Job?.DefaultArguments).toMatchObject({
      '--job-bookmark-option': 'job-bookmark-enable',
      '--enable-metrics': 'true',
      '--TempDir': `s3://${BUCKET}/tmp/`,
      '--output_path': `s3://${BUCKET}/processed/`,
      // The contract the data was checked against, named in each run's manifest.
      '--contract_sha256': createHash('sha256').update(readFileSync(path.join(DATA_DIR, 'contract.json'))).digest('hex'),
    });
    expect(Job?.DefaultArguments?.['--extra-py-files']).toContain(`s3://${BUCKET}/scripts/transforms.py`);

    await expect(stack.aws.glue.send(new GetWorkflowCommand({ Name: `${STACK}-pipeline` }))).resolves.toBeDefined();
    const schedule = (await stack.aws.glue.send(new GetTriggerCommand({ Name: `${STACK}-schedule` }))).Trigger;
    expect(schedule).toMatchObject({
      Type: 'SCHEDULED',
      State: 'ACTIVATED',
      WorkflowName: `${STACK}-pipeline`,
      Schedule: 'cron(0 6 1 1,4,7,10 ? *)',
      Actions: [{ CrawlerName: `${STACK}-raw-crawler` }],
    });
    const onCrawl = (await stack.aws.glue.send(new GetTriggerCommand({ Name: `${STACK}-on-crawl-success` }))).Trigger;
    expect(onCrawl).toMatchObject({
      Type: 'CONDITIONAL',
      State: 'ACTIVATED',
      WorkflowName: `${STACK}-pipeline`,
      Actions: [{ JobName: `${STACK}-features` }],
      Predicate: { Logical: 'AND', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: `${STACK}-raw-crawler`, CrawlState: 'SUCCEEDED' }] },
    });

    for (const [type, name] of [
      ['database', 'flight_delays'],
      ['crawler', `${STACK}-raw-crawler`],
      ['job', `${STACK}-features`],
      ['workflow', `${STACK}-pipeline`],
      ['trigger', `${STACK}-schedule`],
      ['trigger', `${STACK}-on-crawl-success`],
    ]) {
      const { Tags } = await stack.aws.glue.send(new GetTagsCommand({ ResourceArn: `arn:aws:glue:us-east-1:${ACCOUNT}:${type}/${name}` }));
      expect(Tags, `${type} ${name}`).toMatchObject(TAGS);
    }
  });

  it('a second up changes nothing: zero mutating requests', async () => {
    stack.log.clear();
    const result = await cli('up');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 created, 0 updated, 18 unchanged/);
    expect(stack.log.requests.length).toBeGreaterThan(0);
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
  });

  it('status --json reports resources, triggers and object counts', async () => {
    const result = await stack.cli(['status', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.stack).toBe(STACK);
    expect(report.resources.every((r: { exists: boolean }) => r.exists)).toBe(true);
    expect(report.triggers.map((t: { state: string }) => t.state)).toEqual(['ACTIVATED', 'ACTIVATED']);
    expect(report.objects.raw.objects).toBe(uploadedData().length);
    expect(report.objects.processed.objects).toBe(0);
    expect(report.lastJobRun).toBeNull();
  });

  it('teardown without --yes refuses, says what it would delete, and deletes nothing', async () => {
    stack.log.clear();
    const result = await stack.cli(['teardown']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`bucket ${BUCKET}`);
    expect(result.stderr).toContain('--yes');
    expect(stack.log.mutating()).toEqual([]);
  });

  it('teardown deletes every version in batches of at most 1,000 and aborts open uploads first', async () => {
    // More objects than one DeleteObjects call may carry, and an upload left open: moto would
    // accept an oversized batch and delete a bucket with an open upload; AWS would not.
    const extra = Array.from({ length: 1_050 }, (_, i) => `processed/part-${String(i).padStart(5, '0')}.json`);
    for (let i = 0; i < extra.length; i += 50) {
      await Promise.all(extra.slice(i, i + 50).map((Key) => stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: '{}' }))));
    }
    await stack.aws.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'processed/big.parquet' }));

    stack.log.clear();
    // Confirmed through the environment, as a scheduled job would.
    const result = await stack.cli(['teardown'], { env: { PROVISIONER_YES: 'true' } });
    expect(result.code, result.stderr).toBe(0);

    const deletes = stack.log.requests.filter((r) => r.service === 's3' && r.operation === 'POST delete');
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    const counts = deletes.map((r) => deleteObjectsKeyCount(r.body));
    expect(Math.max(...counts)).toBeLessThanOrEqual(1000);
    // Every object: the extra ones, the data, the scripts, the record of sent files for raw/ and
    // scripts/, and the lock teardown holds until the bucket goes.
    expect(counts.reduce((a, b) => a + b, 0)).toBe(extra.length + uploadedData().length + (await scriptCount()) + 3);

    const order = stack.log.requests.map((r) => r.operation);
    const abortAt = order.indexOf('AbortMultipartUpload');
    const deleteBucketAt = stack.log.requests.findIndex((r) => r.service === 's3' && r.method === 'DELETE' && r.path.replace(/\/$/, '') === `/${BUCKET}`);
    expect(abortAt).toBeGreaterThanOrEqual(0);
    expect(deleteBucketAt).toBeGreaterThan(abortAt);
    expect(deleteBucketAt).toBeGreaterThan(stack.log.requests.lastIndexOf(deletes.at(-1)!));
  });

  it('after teardown every resource is gone', async () => {
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(stack.aws.iam.send(new GetRoleCommand({ RoleName: `${STACK}-glue-role` }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(stack.aws.glue.send(new GetDatabaseCommand({ Name: 'flight_delays' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(stack.aws.glue.send(new GetCrawlerCommand({ Name: `${STACK}-raw-crawler` }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(stack.aws.glue.send(new GetJobCommand({ JobName: `${STACK}-features` }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(stack.aws.glue.send(new GetWorkflowCommand({ Name: `${STACK}-pipeline` }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(stack.aws.glue.send(new GetTriggerCommand({ Name: `${STACK}-schedule` }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(stack.aws.glue.send(new GetTriggerCommand({ Name: `${STACK}-on-crawl-success` }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('a second teardown has nothing to do and exits 0', async () => {
    stack.log.clear();
    const result = await stack.cli(['teardown', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('nothing to delete');
    expect(stack.log.mutating()).toEqual([]);
  });
});

let scriptsCounted: number | undefined;
async function scriptCount(): Promise<number> {
  scriptsCounted ??= readdirSync(JOB_DIR).filter((f) => f.endsWith('.py') && !f.startsWith('test_') && f !== 'conftest.py').length;
  return scriptsCounted;
}
