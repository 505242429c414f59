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
  CreateDatabaseCommand,
  CreateTriggerCommand,
  UpdateJobCommand,
  UpdateTriggerCommand,
  GetTableCommand,
} from '@aws-sdk/client-glue';
import { GetNamedQueryCommand, GetWorkGroupCommand, ListNamedQueriesCommand, ListTagsForResourceCommand as ListAthenaTagsCommand } from '@aws-sdk/client-athena';
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeleteTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-sns';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
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
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/core/logger.js';
import { scanDataDir, scanJobDir } from '../../../src/transfer/local-files.js';
import { abortIncompleteUploadsRule, retentionRules } from '../../../src/resources/bucket-lifecycle.js';
import { denyInsecureTransport } from '../../../src/resources/bucket-policy.js';
import { crawlerSpec } from '../../../src/resources/crawler.js';
import { jobSpec } from '../../../src/resources/job.js';
import type { PlannedChange } from '../../../src/resources/resource.js';
import { glueAccessPolicy, glueTrustPolicy } from '../../../src/resources/role.js';
import { jobTriggerSpec, scheduleTriggerSpec } from '../../../src/resources/trigger.js';
import { converge } from '../../../src/stack/converge.js';
import type { LocalSources } from '../../../src/stack/resources.js';
import { TransferBudgets } from '../../../src/transfer/upload.js';
import { glueNotFound, iamNoSuchEntity } from '../support/errors.js';
import { OUTPUT_TABLES } from '../../../src/resources/output-tables.js';
import { tableInput } from '../../../src/resources/table.js';
import { STACK_QUERIES } from '../../../src/resources/named-queries.js';
import { workgroupConfiguration, workgroupDescription } from '../../../src/resources/workgroup.js';
import { ACCOUNT, mockNothingDeployed, mockedStack, mutatingCommands, sentCommands, type MockedStack, type StackOptions } from '../support/stack.js';

const OURS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const etagOf = (content: string): string => `"${sha256(`etag:${content}`).slice(0, 32)}"`;

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
  dir = await mkdtemp(path.join(tmpdir(), 'converge-test-'));
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
  t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
  // What the default settings leave out (the arrival start) is not there.
  t.glue.on(GetTriggerCommand).rejects(glueNotFound());
  t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
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
  t.s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [abortIncompleteUploadsRule, ...retentionRules(30)] });
  t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: tagSet });
  t.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: [...remoteContent]
      .filter(([key]) => key.startsWith(input.Prefix))
      .map(([Key, content]) => ({ Key, Size: Buffer.byteLength(content), ETag: etagOf(content) })),
    IsTruncated: false,
  }));
  t.s3.on(PutObjectCommand).callsFake((input: { Body?: unknown }) => ({ ETag: etagOf(Buffer.from(input.Body as Uint8Array).toString()) }));
  // The record of sent files says what was in the bucket when the stack was last converged.
  const sent = new Map(remoteContent);
  t.s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const prefix = /^\.provisioner\/sent\/(\w+)\.json$/.exec(input.Key)?.[1];
    const objects = Object.fromEntries(
      [...sent]
        .filter(([key]) => key.startsWith(`${prefix}/`))
        .map(([key, content]) => [key, { size: Buffer.byteLength(content), etag: etagOf(content), sha256: sha256(content) }]),
    );
    return { Body: { transformToString: async () => JSON.stringify({ version: 1, objects }) } };
  });
  t.s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const content = remoteContent.get(input.Key) ?? '';
    return { ContentLength: Buffer.byteLength(content), Metadata: { sha256: sha256(content) } };
  });

  t.iam.on(GetRoleCommand, { RoleName: names.role }).resolves({
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
  t.iam.on(GetRolePolicyCommand, { RoleName: names.role }).resolves({
    RoleName: names.role,
    PolicyName: names.rolePolicy,
    PolicyDocument: encodeURIComponent(JSON.stringify(glueAccessPolicy(ctx))),
  });

  t.glue.on(GetTagsCommand).resolves({ Tags: OURS });
  t.glue.on(GetDatabaseCommand).resolves({
    Database: { Name: names.database, Description: `Raw flight tables crawled by stack ${names.stack}`, CatalogId: ACCOUNT },
  });
  // Each output table as Glue returns it: the definition up made, with what Glue adds.
  t.glue.on(GetTableCommand).callsFake((input: { Name: string }) => {
    const table = OUTPUT_TABLES.find((candidate) => candidate.name === input.Name);
    if (!table) throw glueNotFound();
    return { Table: { ...tableInput(ctx, table), DatabaseName: names.database, CatalogId: ACCOUNT, CreateTime: new Date(), IsRegisteredWithLakeFormation: false } };
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

  t.athena.on(GetWorkGroupCommand).resolves({
    WorkGroup: { Name: names.workgroup, State: 'ENABLED', Description: workgroupDescription(names), Configuration: workgroupConfiguration(ctx) },
  });
  t.athena.on(ListAthenaTagsCommand).resolves({ Tags: tagSet });
  t.athena.on(ListNamedQueriesCommand).resolves({ NamedQueryIds: STACK_QUERIES.map((q) => q.name) });
  for (const query of STACK_QUERIES) {
    t.athena.on(GetNamedQueryCommand, { NamedQueryId: query.name }).resolves({
      NamedQuery: { NamedQueryId: query.name, Name: query.name, Description: query.description, Database: names.database, QueryString: query.sql, WorkGroup: names.workgroup },
    });
  }
}

/** What `up` does. */
async function up(t: MockedStack): Promise<PlannedChange[]> {
  return converge(t.ctx, sources, { dryRun: false });
}

/** What `plan` (and `up --dry-run`) does: read only. */
async function plan(t: MockedStack): Promise<PlannedChange[]> {
  return converge(t.ctx, sources, { dryRun: true });
}

function stack(options: StackOptions = {}): MockedStack {
  return mockedStack({ region: 'eu-west-1', ...options });
}

describe('converge', () => {
  it('converges an in-sync stack with zero mutating calls', async () => {
    const t = stack();
    inSync(t);
    const changes = await up(t);
    expect(changes.map((c) => [c.kind, c.action, c.details])).toEqual(changes.map((c) => [c.kind, 'no-op', []]));
    // The ten resources of the pipeline, one table per output of the job, the workgroup and its queries.
    expect(changes).toHaveLength(12 + OUTPUT_TABLES.length);
    expect(mutatingCommands(t)).toEqual([]);
    // It did look at everything, the files through one listing and the record of sent files each: no request per file.
    expect(sentCommands(t)).toEqual(expect.arrayContaining(['HeadBucketCommand', 'GetRoleCommand', 'GetJobCommand', 'GetTriggerCommand', 'ListObjectsV2Command', 'GetObjectCommand']));
    expect(sentCommands(t)).not.toContain('HeadObjectCommand');
  });

  it('reads every resource at once when nothing has changed yet, not one after another', async () => {
    const t = stack();
    inSync(t);
    // Each Glue tag read answers only after a moment: a read sent after another has answered is sequential.
    const events: string[] = [];
    const slow = <T>(name: string, value: T) => async (): Promise<T> => {
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`end ${name}`);
      return value;
    };
    t.glue.on(GetTagsCommand).callsFake(slow('tags', { Tags: { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' } }));
    await up(t);
    const firstEnd = events.findIndex((e) => e.startsWith('end'));
    const starts = events.filter((e) => e.startsWith('start'));
    // Database, crawler, job, workflow and two triggers: all their tag reads went out before any came back.
    expect(starts.length).toBeGreaterThanOrEqual(6);
    expect(events.slice(0, firstEnd).filter((e) => e.startsWith('start'))).toHaveLength(starts.length);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('converges in sync with a user-supplied role too', async () => {
    const t = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/flight-delays-glue-role' } });
    inSync(t);
    await up(t);
    expect(mutatingCommands(t)).toEqual([]);
    // The user's role is never looked up; IAM is asked only whether an arrival role an earlier
    // `up --start-on arrival` made is left to delete.
    const roles = t.iam.calls().map((call) => (call.args[0].input as { RoleName?: string }).RoleName);
    expect(new Set(roles)).toEqual(new Set([t.ctx.names.arrivalRole]));
  });

  it('takes the lock as soon as it has made the bucket, then reads both uploads under it at once', async () => {
    const t = stack();
    mockNothingDeployed(t);
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    const events: string[] = [];
    let bucketMade = false;
    t.s3.on(CreateBucketCommand).callsFake(() => {
      bucketMade = true;
      events.push('create bucket');
    });
    t.s3.on(ListObjectsV2Command).callsFake(async (input: { Prefix: string }) => {
      if (!bucketMade) throw Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
      events.push(`list ${input.Prefix}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`listed ${input.Prefix}`);
      return { Contents: [], IsTruncated: false };
    });
    t.s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      events.push(`put ${input.Key.split('/')[0]}/`);
      return { ETag: '"e"' };
    });
    await converge(t.ctx, sources, { dryRun: false, lock: async () => void events.push('lock') });
    const afterBucket = events.slice(events.indexOf('create bucket') + 1);
    // Each prefix is read once more, under the lock, the data without waiting for the scripts' read.
    expect(afterBucket.slice(0, 3)).toEqual(['lock', 'list scripts/', 'list raw/']);
    expect(afterBucket.filter((e) => e.startsWith('list '))).toHaveLength(2);
  });

  it('converges nothing from a read taken before the lock, nor from one taken before a change that may have moved it', async () => {
    // The data changed (an upload, which takes the lock) and the job drifted (a change that is no upload).
    const t = stack({ raw: { workers: 8 } });
    inSync(t);
    remoteContent.set('raw/airports/airports.csv', 'iata,name\nLAX,Los Angeles Intl\n'.slice(0, Buffer.byteLength(DATA['airports/airports.csv'])));
    const modules = ['scripts/features.py'];
    const events: string[] = [];
    const role = (await t.ctx.aws.iam.send(new GetRoleCommand({ RoleName: t.ctx.names.role }))).Role;
    t.iam.on(GetRoleCommand, { RoleName: t.ctx.names.role }).callsFake(() => {
      events.push('read role');
      return { Role: { ...role, CreateDate: new Date() } };
    });
    t.glue.on(GetJobCommand).callsFake(() => {
      events.push('read job');
      return { Job: { Name: t.ctx.names.job, ...jobSpec(t.ctx, modules), NumberOfWorkers: 2 } };
    });
    t.glue.on(UpdateJobCommand).callsFake(() => void events.push('update job'));
    t.glue.on(GetWorkflowCommand).callsFake(() => {
      events.push('read workflow');
      return { Workflow: { Name: t.ctx.names.workflow, Description: `Quarterly crawl then feature job of stack ${t.ctx.names.stack}`, MaxConcurrentRuns: 1 } };
    });
    await converge(t.ctx, sources, { dryRun: false, lock: async () => void events.push('lock') });
    expect(mutatingCommands(t).sort()).toEqual(['PutObjectCommand', 'UpdateJobCommand']);
    const afterLock = events.slice(events.indexOf('lock') + 1);
    expect(afterLock).toContain('read role');
    expect(afterLock.indexOf('read job')).toBeLessThan(afterLock.indexOf('update job'));
    expect(afterLock.slice(afterLock.indexOf('update job'))).toContain('read workflow');
  });

  it('deletes what the settings turned off under the lock, from a read taken under it', async () => {
    const t = stack();
    inSync(t);
    // An earlier `up --notify` left the alert topic; this stack has no --notify.
    const events: string[] = [];
    t.sns.on(GetTopicAttributesCommand).callsFake(() => {
      events.push('read topic');
      return { Attributes: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:flight-delays-alerts' } };
    });
    t.sns.on(ListTagsForResourceCommand).resolves({ Tags: Object.entries(OURS).map(([Key, Value]) => ({ Key, Value })) });
    t.sns.on(DeleteTopicCommand).callsFake(() => void events.push('delete topic'));
    const changes = await converge(t.ctx, sources, { dryRun: false, lock: async () => void events.push('lock') });
    expect(changes.filter((c) => c.action === 'delete').map((c) => c.kind)).toEqual(['topic']);
    expect(events.slice(events.indexOf('lock'))).toEqual(['lock', 'read topic', 'delete topic']);
  });

  it('plans creates for a missing stack without a single mutating call', async () => {
    const t = stack();
    mockNothingDeployed(t);
    const changes = await plan(t);
    expect(changes.map((c) => c.action)).toEqual(Array(12 + OUTPUT_TABLES.length).fill('create'));
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
    const changes = await up(t);
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
    await up(t);
    expect(mutatingCommands(t)).toEqual(['UpdateJobCommand']);
    expect(t.glue.commandCalls(UpdateJobCommand)[0]?.args[0].input.JobUpdate).toEqual({ ...jobSpec(t.ctx, modules), NumberOfWorkers: 8 });
  });

  it('under --workers auto sets a job found with another count to the one its data asks for', async () => {
    const t = stack();
    inSync(t);
    const modules = ['scripts/features.py'];
    t.glue.on(GetJobCommand).resolves({ Job: { Name: t.ctx.names.job, ...jobSpec(t.ctx, modules), NumberOfWorkers: 6 } });
    const changes = await up(t);
    expect(changes.filter((c) => c.action !== 'no-op')).toEqual([{ kind: 'job', name: 'flight-delays-features', action: 'update', details: ['workers'] }]);
    // A few bytes of data: the driver and one worker.
    expect(t.glue.commandCalls(UpdateJobCommand)[0]?.args[0].input.JobUpdate?.NumberOfWorkers).toBe(2);
  });

  it('re-uploads only the script whose content changed', async () => {
    const t = stack();
    inSync(t);
    remoteContent.set('scripts/features.py', 'def f(df): return 1\n'.padEnd(Buffer.byteLength(JOB['features.py'])));
    const changes = await up(t);
    expect(changes.filter((c) => c.action !== 'no-op')).toEqual([
      { kind: 'objects', name: 's3://flight-delays-123456789012-eu-west-1/scripts/', action: 'update', details: ['upload scripts/features.py'] },
    ]);
    // The record already says this content was sent (the object was changed behind its back): it stays as it is.
    expect(mutatingCommands(t)).toEqual(['PutObjectCommand']);
    expect(t.s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'scripts/features.py',
      Metadata: { sha256: sha256(JOB['features.py']) },
    });
  });

  it('plans the changes in the order of the stack, with what a plan shows for each', async () => {
    const t = stack();
    mockNothingDeployed(t);
    const changes = await plan(t);
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'create bucket flight-delays-123456789012-eu-west-1',
      'create objects s3://flight-delays-123456789012-eu-west-1/scripts/',
      'create objects s3://flight-delays-123456789012-eu-west-1/raw/',
      'create role flight-delays-glue-role',
      'create database flight_delays',
      'create table flight_delays.features',
      'create table flight_delays.rejected',
      'create table flight_delays.aggregates_day_of_week',
      'create table flight_delays.aggregates_origin_hour',
      'create table flight_delays.aggregates_route_quarter',
      'create table flight_delays.drift',
      'create workgroup flight-delays',
      'create queries flight-delays',
      'create crawler flight-delays-raw-crawler',
      'create job flight-delays-features',
      'create workflow flight-delays-pipeline',
      'create trigger flight-delays-schedule',
      'create trigger flight-delays-on-crawl-success',
    ]);
    expect(changes[0]?.details).toEqual(['SSE-S3', 'public access blocked', 'TLS only', 'owner-enforced', 'tmp/, spark-logs/ and athena-results/ expire after 30 days']);
    expect(changes[2]?.details).toEqual(['upload 3 files (48 B)']);
  });

  it('has the uploads start hashing their files as soon as up knows they will change, before the first object is written; plan never does', async () => {
    const hashAhead = vi.spyOn(TransferBudgets.prototype, 'hashAhead');
    try {
      const t = stack();
      mockNothingDeployed(t);
      t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
      await plan(t);
      expect(hashAhead).not.toHaveBeenCalled();
      const events: string[] = [];
      hashAhead.mockImplementation((files) => void events.push(`hash ahead ${files.length} files`));
      t.s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
        events.push(`put ${input.Key}`);
        return { ETag: '"e"' };
      });
      await up(t);
      // The job's scripts and the data: every file, as both prefixes are created; the first write
      // of an object comes after.
      expect(events.slice(0, 2)).toEqual([`hash ahead ${sources.scripts.length} files`, `hash ahead ${sources.data.length} files`]);
      expect(events[2]).toMatch(/^put /);
    } finally {
      hashAhead.mockRestore();
    }
  });

  it('makes the Glue resources while the data is being sent, and returns once it has been sent', async () => {
    const t = stack();
    mockNothingDeployed(t);
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    const events: string[] = [];
    let releaseData!: () => void;
    const dataMayGo = new Promise<void>((resolve) => (releaseData = resolve));
    t.s3.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      if (input.Key.startsWith('raw/')) await dataMayGo;
      events.push(`put ${input.Key}`);
      return { ETag: '"e"' };
    });
    t.glue.on(CreateTriggerCommand).callsFake((input: { Name: string }) => {
      events.push(`create trigger ${input.Name}`);
      // The last resource of the stack is made while the data is still held back.
      if (input.Name === t.ctx.names.jobTrigger) releaseData();
      return {};
    });
    let returned = false;
    const converged = up(t).then(() => (returned = true));
    await dataMayGo;
    expect(returned).toBe(false);
    await converged;
    const lastTrigger = events.indexOf(`create trigger ${t.ctx.names.jobTrigger}`);
    const firstData = events.findIndex((e) => e.startsWith('put raw/'));
    expect(lastTrigger).toBeGreaterThanOrEqual(0);
    expect(firstData).toBeGreaterThan(lastTrigger);
    expect(events.filter((e) => e.startsWith('put raw/'))).toHaveLength(3);
  });

  it('stops making resources once the upload alongside has failed, and fails with it', async () => {
    const t = stack();
    mockNothingDeployed(t);
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    let failed!: () => void;
    const uploadFailed = new Promise<void>((resolve) => (failed = resolve));
    t.s3.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key === 'raw/airports/airports.csv') {
        failed();
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      }
      return { ETag: '"e"' };
    });
    // The role is read (again, after the first change) only once the upload has failed.
    t.iam.on(GetRoleCommand).callsFake(async () => {
      await uploadFailed;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw iamNoSuchEntity();
    });
    const failure = await up(t).catch((e: unknown) => e);
    expect(failure).toMatchObject({ step: 'create', resource: `objects s3://${t.ctx.names.bucket}/raw/` });
    expect(t.glue.commandCalls(CreateDatabaseCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(CreateTriggerCommand)).toHaveLength(0);
  });

  it('sends the data while the scripts are still going up: both uploads run at once', async () => {
    const t = stack();
    mockNothingDeployed(t);
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    let dataSeen!: () => void;
    const dataStarted = new Promise<void>((resolve) => (dataSeen = resolve));
    let scriptsHeldUntilData = false;
    t.s3.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      if (input.Key.startsWith('raw/')) dataSeen();
      if (input.Key.startsWith('scripts/')) {
        // Held until a data file is sent (or given up on after a while, so a wrong order fails, not hangs).
        scriptsHeldUntilData = await Promise.race([dataStarted.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
      }
      return { ETag: '"e"' };
    });
    await up(t);
    expect(scriptsHeldUntilData).toBe(true);
  });

  it('on Ctrl-C during an upload makes nothing more, and says the upload was interrupted', async () => {
    const t = stack();
    mockNothingDeployed(t);
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    t.s3.on(PutObjectCommand).callsFake(async (input: { Key: string }) => {
      if (input.Key.startsWith('raw/')) t.controller.abort();
      return { ETag: '"e"' };
    });
    t.iam.on(GetRoleCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw iamNoSuchEntity();
    });
    const failure = await up(t).catch((e: unknown) => e);
    // The scripts may still be going up alongside the data: either upload says it was cut short.
    expect(failure).toMatchObject({ step: 'create', resource: expect.stringMatching(new RegExp(`^objects s3://${t.ctx.names.bucket}/(raw|scripts)/$`)) });
    expect((failure as Error).message).toMatch(/interrupted while uploading/);
    expect(t.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(CreateDatabaseCommand)).toHaveLength(0);
  });

  it('refuses a foreign resource before changing anything after it, naming it', async () => {
    const t = stack();
    inSync(t);
    t.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'someone-else' } });
    remoteContent.set('scripts/features.py', 'def f(df): return 1\n'.padEnd(Buffer.byteLength(JOB['features.py'])));
    const failure = await up(t).catch((e: unknown) => e);
    expect(failure).toMatchObject({ step: 'describe', resource: 'database flight_delays', fault: 'user' });
    // The objects before it were converged; nothing of the database or after it was touched.
    expect(mutatingCommands(t)).toEqual(['PutObjectCommand']);
  });

  it('warns once that a plain-HTTP endpoint gets no TLS-only policy', async () => {
    const warn = vi.fn();
    const logger = { error: vi.fn(), warn, info: vi.fn(), debug: vi.fn() } as unknown as Logger;
    const t = stack({ raw: { endpointUrl: 'http://127.0.0.1:5000' } });
    mockNothingDeployed(t);
    const changes = await converge({ ...t.ctx, logger }, sources, { dryRun: true });
    expect(warn.mock.calls).toEqual([['endpoint http://127.0.0.1:5000 is plain HTTP: the bucket gets no TLS-only policy']]);
    expect(changes[0]?.details).not.toContain('TLS only');

    warn.mockClear();
    const https = stack();
    mockNothingDeployed(https);
    await converge({ ...https.ctx, logger }, sources, { dryRun: true });
    expect(warn).not.toHaveBeenCalled();
  });
});
