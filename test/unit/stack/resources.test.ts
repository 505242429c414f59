import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetTagsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  UpdateJobCommand,
  UpdateTriggerCommand,
} from '@aws-sdk/client-glue';
import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Aws } from '../../../src/aws/clients.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { UsageError } from '../../../src/errors.js';
import { scanDataDir, scanJobDir } from '../../../src/transfer/local-files.js';
import { silentLogger } from '../../../src/cli/logger.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { silentProgress } from '../../../src/cli/progress.js';
import { abortIncompleteUploadsRule, denyInsecureTransport } from '../../../src/resources/bucket.js';
import { crawlerSpec } from '../../../src/resources/crawler.js';
import { jobSpec } from '../../../src/resources/job.js';
import type { PlannedChange } from '../../../src/resources/resource.js';
import { glueAccessPolicy, glueTrustPolicy } from '../../../src/resources/role.js';
import { jobTriggerSpec, scheduleTriggerSpec } from '../../../src/resources/workflow.js';
import { openStack, upResources, type LocalSources } from '../../../src/stack/resources.js';
import { ACCOUNT, mockNothingDeployed, mockedStack, mutatingCommands, sentCommands, type MockedStack, type StackOptions } from '../support/stack.js';

const OURS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let dir: string;
let sources: LocalSources;
/** What the remote bucket holds: key to content. */
let remoteContent: Map<string, string>;

const DATA = {
  'flights/year=2001/month=01/flights.csv.gz': 'jan-bytes',
  'flights/year=2001/month=02/flights.csv.gz': 'feb-bytes!',
  'airports/airports.csv': 'iata,name\nJFK,John F Kennedy\n',
};
const JOB = { 'job.py': 'import features\n', 'features.py': 'def f(df): return df\n' };

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stack-test-'));
  await writeTree(path.join(dir, 'rawdata'), DATA);
  await writeTree(path.join(dir, 'glue-job'), JOB);
  sources = {
    data: await scanDataDir(path.join(dir, 'rawdata'), 'raw/'),
    scripts: await scanJobDir(path.join(dir, 'glue-job'), 'scripts/'),
  };
  remoteContent = new Map([
    ...Object.entries(DATA).map(([k, v]) => [`raw/${k}`, v] as [string, string]),
    ...Object.entries(JOB).map(([k, v]) => [`scripts/${k}`, v] as [string, string]),
  ]);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Mocks AWS holding the whole stack exactly as `up` leaves it, in the shapes AWS returns. */
function inSync(t: MockedStack): void {
  const { ctx } = t;
  const { names } = ctx;
  const tagSet = Object.entries(OURS).map(([Key, Value]) => ({ Key, Value }));

  t.s3.on(HeadBucketCommand).resolves({});
  t.s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  });
  t.s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] },
  });
  t.s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
  t.s3.on(GetBucketPolicyCommand).resolves({
    Policy: JSON.stringify({ Version: '2012-10-17', Statement: [denyInsecureTransport('aws', names.bucket)] }),
  });
  t.s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [abortIncompleteUploadsRule] });
  t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: tagSet });
  t.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: [...remoteContent]
      .filter(([key]) => key.startsWith(input.Prefix))
      .map(([Key, content]) => ({ Key, Size: Buffer.byteLength(content), ETag: '"x"' })),
    IsTruncated: false,
  }));
  t.s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const content = remoteContent.get(input.Key) ?? '';
    return { ContentLength: Buffer.byteLength(content), Metadata: { sha256: sha256(content) } };
  });

  t.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: names.role,
      Path: '/',
      RoleId: 'AROA',
      Arn: ctx.roleArn,
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(glueTrustPolicy)),
      Tags: tagSet,
    },
  });
  t.iam.on(GetRolePolicyCommand).resolves({
    RoleName: names.role,
    PolicyName: names.rolePolicy,
    PolicyDocument: encodeURIComponent(JSON.stringify(glueAccessPolicy(ctx))),
  });

  t.glue.on(GetTagsCommand).resolves({ Tags: OURS });
  t.glue.on(GetDatabaseCommand).resolves({
    Database: { Name: names.database, Description: `Raw flight tables crawled by stack ${names.stack}`, CatalogId: ACCOUNT },
  });
  const crawler = crawlerSpec(ctx);
  t.glue.on(GetCrawlerCommand).resolves({
    Crawler: { Name: names.crawler, ...crawler, Role: names.role, State: 'READY', Version: 3, CreationTime: new Date() },
  });
  const modules = sources.scripts.filter((f) => !f.key.endsWith('/job.py')).map((f) => f.key);
  t.glue.on(GetJobCommand).resolves({
    Job: { Name: names.job, ...jobSpec(ctx, modules), MaxCapacity: 2, AllocatedCapacity: 2, ExecutionClass: 'STANDARD', CreatedOn: new Date() },
  });
  t.glue.on(GetWorkflowCommand).resolves({
    Workflow: { Name: names.workflow, Description: `Quarterly crawl then feature job of stack ${names.stack}`, MaxConcurrentRuns: 1 },
  });
  const schedule = scheduleTriggerSpec(ctx);
  const conditional = jobTriggerSpec(ctx);
  t.glue.on(GetTriggerCommand, { Name: names.scheduleTrigger }).resolves({ Trigger: { ...schedule, Id: 'a', State: 'ACTIVATED' } });
  t.glue.on(GetTriggerCommand, { Name: names.jobTrigger }).resolves({ Trigger: { ...conditional, Id: 'b', State: 'ACTIVATED' } });
}

/** What `up` does: plan each resource in order and apply the step. */
async function converge(t: MockedStack): Promise<PlannedChange[]> {
  const changes: PlannedChange[] = [];
  for (const resource of upResources(t.ctx, sources)) {
    const step = await planStep(resource);
    changes.push(step.change);
    await applyStep(step);
  }
  return changes;
}

/** What `plan` does: describe only. */
async function plan(t: MockedStack): Promise<PlannedChange[]> {
  const changes: PlannedChange[] = [];
  for (const resource of upResources(t.ctx, sources)) changes.push((await planStep(resource)).change);
  return changes;
}

function stack(options: StackOptions = {}): MockedStack {
  return mockedStack({ region: 'eu-west-1', ...options });
}

describe('upResources', () => {
  it('lists the resources in the order they must exist', () => {
    const t = stack();
    expect(upResources(t.ctx, sources).map((r) => `${r.kind} ${r.name}`)).toEqual([
      'bucket flight-delays-123456789012-eu-west-1',
      'objects s3://flight-delays-123456789012-eu-west-1/raw/',
      'objects s3://flight-delays-123456789012-eu-west-1/scripts/',
      'role flight-delays-glue-role',
      'database flight_delays',
      'crawler flight-delays-raw-crawler',
      'job flight-delays-features',
      'workflow flight-delays-pipeline',
      'trigger flight-delays-schedule',
      'trigger flight-delays-on-crawl-success',
    ]);
  });

  it('leaves out the role when --role-arn is given', () => {
    const t = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    expect(upResources(t.ctx, sources).map((r) => r.kind)).not.toContain('role');
  });

  it('converges an in-sync stack with zero mutating calls', async () => {
    const t = stack();
    inSync(t);
    const changes = await converge(t);
    expect(changes.map((c) => [c.kind, c.action, c.details])).toEqual(changes.map((c) => [c.kind, 'no-op', []]));
    expect(changes).toHaveLength(10);
    expect(mutatingCommands(t)).toEqual([]);
    // It did look at everything.
    expect(sentCommands(t)).toEqual(expect.arrayContaining(['HeadBucketCommand', 'GetRoleCommand', 'GetJobCommand', 'GetTriggerCommand', 'HeadObjectCommand']));
  });

  it('converges in sync with a user-supplied role too', async () => {
    const t = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/flight-delays-glue-role' } });
    inSync(t);
    await converge(t);
    expect(mutatingCommands(t)).toEqual([]);
    expect(t.iam.calls()).toHaveLength(0);
  });

  it('plans creates for a missing stack without a single mutating call', async () => {
    const t = stack();
    mockNothingDeployed(t);
    const changes = await plan(t);
    expect(changes.map((c) => c.action)).toEqual(Array(10).fill('create'));
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('plans an in-sync stack as no-ops without a single mutating call', async () => {
    const t = stack();
    inSync(t);
    expect((await plan(t)).every((c) => c.action === 'no-op')).toBe(true);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('sends only UpdateTrigger, with the new cron, when just the schedule changed', async () => {
    const before = stack();
    inSync(before);
    const t = stack({ raw: { schedule: 'cron(0 3 ? * SUN *)' } });
    inSync(t);
    // AWS still has the quarterly schedule the first stack configured.
    t.glue.on(GetTriggerCommand, { Name: t.ctx.names.scheduleTrigger }).resolves({
      Trigger: { ...scheduleTriggerSpec(before.ctx), Id: 'a', State: 'ACTIVATED' },
    });
    const changes = await converge(t);
    expect(changes.filter((c) => c.action !== 'no-op')).toEqual([
      { kind: 'trigger', name: 'flight-delays-schedule', action: 'update', details: ['schedule'] },
    ]);
    expect(mutatingCommands(t)).toEqual(['UpdateTriggerCommand']);
    expect(t.glue.commandCalls(UpdateTriggerCommand)[0]?.args[0].input.TriggerUpdate?.Schedule).toBe('cron(0 3 ? * SUN *)');
  });

  it('sends only UpdateJob, with the whole definition, when just the worker count changed', async () => {
    const t = stack({ raw: { workers: 8 } });
    inSync(t);
    const modules = ['scripts/features.py'];
    t.glue.on(GetJobCommand).resolves({ Job: { Name: t.ctx.names.job, ...jobSpec(t.ctx, modules), NumberOfWorkers: 2 } });
    await converge(t);
    expect(mutatingCommands(t)).toEqual(['UpdateJobCommand']);
    expect(t.glue.commandCalls(UpdateJobCommand)[0]?.args[0].input.JobUpdate).toEqual({ ...jobSpec(t.ctx, modules), NumberOfWorkers: 8 });
  });

  it('re-uploads only the script whose content changed', async () => {
    const t = stack();
    inSync(t);
    remoteContent.set('scripts/features.py', 'def f(df): return 1\n'.padEnd(Buffer.byteLength(JOB['features.py'])));
    const changes = await converge(t);
    expect(changes.filter((c) => c.action !== 'no-op')).toEqual([
      { kind: 'objects', name: 's3://flight-delays-123456789012-eu-west-1/scripts/', action: 'update', details: ['upload scripts/features.py'] },
    ]);
    expect(mutatingCommands(t)).toEqual(['PutObjectCommand']);
    expect(t.s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'scripts/features.py',
      Metadata: { sha256: sha256(JOB['features.py']) },
    });
  });
});

describe('openStack', () => {
  const runtime = { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal };
  const fakeConnect = (accountId: string, region = 'eu-west-2', partition = 'aws') => {
    const t = mockedStack({ region });
    return async (): Promise<Aws> => ({ ...t.ctx.aws, accountId, region, partition });
  };

  it('names everything after the stack, account and region, with our tags and role', async () => {
    const settings = resolveSettings({ name: 'delays-test', region: 'eu-west-2' }, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321'));
    expect(ctx.names.bucket).toBe('delays-test-210987654321-eu-west-2');
    expect(ctx.names.database).toBe('delays_test');
    expect(ctx.tags).toEqual({ ManagedBy: 'glue-provisioner', Stack: 'delays-test' });
    expect(ctx.roleArn).toBe('arn:aws:iam::210987654321:role/delays-test-glue-role');
  });

  it('uses --bucket and --role-arn as given', async () => {
    const settings = resolveSettings({ bucket: 'my-bucket', roleArn: 'arn:aws:iam::210987654321:role/team/glue' }, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321', 'us-east-1'));
    expect(ctx.names.bucket).toBe('my-bucket');
    expect(ctx.roleArn).toBe('arn:aws:iam::210987654321:role/team/glue');
  });

  it('uses the partition of the credentials in the role ARN', async () => {
    const settings = resolveSettings({}, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321', 'cn-north-1', 'aws-cn'));
    expect(ctx.roleArn).toBe('arn:aws-cn:iam::210987654321:role/flight-delays-glue-role');
  });

  it('refuses a --role-arn of another account, naming both', async () => {
    const settings = resolveSettings({ roleArn: 'arn:aws:iam::111111111111:role/glue' }, {});
    const failure = await openStack(settings, runtime, fakeConnect('210987654321')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as UsageError).exitCode).toBe(2);
    expect((failure as Error).message).toContain('arn:aws:iam::111111111111:role/glue');
    expect((failure as Error).message).toContain('210987654321');
  });
});
