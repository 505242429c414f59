import {
  BatchDeleteTableCommand,
  BatchStopJobRunCommand,
  DeleteCrawlerCommand,
  DeleteDatabaseCommand,
  DeleteJobCommand,
  DeleteTriggerCommand,
  DeleteWorkflowCommand,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunsCommand,
  GetTablesCommand,
  GetTagsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  InternalServiceException,
  StopCrawlerCommand,
} from '@aws-sdk/client-glue';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { DeleteWorkGroupCommand, GetWorkGroupCommand, ListTagsForResourceCommand } from '@aws-sdk/client-athena';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepError } from '../../../src/core/errors.js';
import { executeTeardown, label, surveyTeardown } from '../../../src/stack/teardown.js';
import { athenaNotFound, glueNotFound, iamNoSuchEntity, s3NotFound } from '../support/errors.js';
import { commandsInOrder, glueResourceArn, mockNothingDeployed, mockedStack, mutatingCommands, type MockedStack } from '../support/stack.js';

const OURS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const THEIRS = { ManagedBy: 'glue-provisioner', Stack: 'someone-else' };

type Owner = 'ours' | 'theirs' | 'missing';
interface World {
  scheduleTrigger: Owner;
  jobTrigger: Owner;
  workflow: Owner;
  job: Owner;
  crawler: Owner;
  database: Owner;
  bucket: Owner;
  role: Owner;
  workgroup: Owner;
}

const everythingOurs: World = {
  scheduleTrigger: 'ours',
  jobTrigger: 'ours',
  workflow: 'ours',
  job: 'ours',
  crawler: 'ours',
  database: 'ours',
  bucket: 'ours',
  role: 'ours',
  workgroup: 'ours',
};

/**
 * Mocks a deployed stack whose resources are ours, someone else's or missing. The crawl is running
 * and one job run is active until stopped; the database holds 150 tables; the bucket some objects.
 */
function deployed(t: MockedStack, world: World): void {
  const { names } = t.ctx;
  const tags = (owner: Owner) => (owner === 'ours' ? OURS : THEIRS);
  const glueTags: Record<string, Record<string, string>> = {
    [glueResourceArn(t.ctx, 'trigger', names.scheduleTrigger)]: tags(world.scheduleTrigger),
    [glueResourceArn(t.ctx, 'trigger', names.jobTrigger)]: tags(world.jobTrigger),
    [glueResourceArn(t.ctx, 'workflow', names.workflow)]: tags(world.workflow),
    [glueResourceArn(t.ctx, 'job', names.job)]: tags(world.job),
    [glueResourceArn(t.ctx, 'crawler', names.crawler)]: tags(world.crawler),
    [glueResourceArn(t.ctx, 'database', names.database)]: tags(world.database),
  };
  t.glue.on(GetTagsCommand).callsFake((input: { ResourceArn: string }) => ({ Tags: glueTags[input.ResourceArn] ?? {} }));

  const exists = (owner: Owner) => owner !== 'missing';
  t.glue.on(GetTriggerCommand).callsFake((input: { Name: string }) => {
    // The arrival start (--start-on arrival) was never made in these worlds.
    if (input.Name === names.arrivalTrigger) throw glueNotFound();
    const owner = input.Name === names.scheduleTrigger ? world.scheduleTrigger : world.jobTrigger;
    if (!exists(owner)) throw glueNotFound();
    return { Trigger: { Name: input.Name } };
  });
  const found = <T>(owner: Owner, value: T): T => {
    if (!exists(owner)) throw glueNotFound();
    return value;
  };
  t.glue.on(GetWorkflowCommand).callsFake(() => found(world.workflow, { Workflow: { Name: names.workflow } }));
  t.glue.on(GetJobCommand).callsFake(() => found(world.job, { Job: { Name: names.job } }));
  let crawlerStopped = false;
  t.glue.on(GetCrawlerCommand).callsFake(() => found(world.crawler, { Crawler: { Name: names.crawler, State: crawlerStopped ? 'READY' : 'RUNNING' } }));
  t.glue.on(StopCrawlerCommand).callsFake(() => {
    crawlerStopped = true;
    return {};
  });
  let runsStopped = false;
  t.glue.on(GetJobRunsCommand).callsFake(() => ({
    JobRuns: [
      { Id: 'jr_active', JobRunState: runsStopped ? 'STOPPED' : 'RUNNING' },
      { Id: 'jr_done', JobRunState: 'SUCCEEDED' },
    ],
  }));
  t.glue.on(BatchStopJobRunCommand).callsFake(() => {
    runsStopped = true;
    return { SuccessfulSubmissions: [{ JobName: names.job, JobRunId: 'jr_active' }] };
  });
  t.glue.on(GetDatabaseCommand).callsFake(() => found(world.database, { Database: { Name: names.database } }));
  t.glue.on(GetTablesCommand).resolves({ TableList: Array.from({ length: 150 }, (_, i) => ({ Name: `t${i}` })) });

  t.s3.on(HeadBucketCommand).callsFake(() => {
    if (!exists(world.bucket)) throw s3NotFound();
    return {};
  });
  t.s3.on(GetBucketTaggingCommand).resolves({ TagSet: Object.entries(tags(world.bucket)).map(([Key, Value]) => ({ Key, Value })) });
  t.s3.on(ListMultipartUploadsCommand).resolves({});
  let objects = [{ Key: 'raw/a.csv', VersionId: 'v1' }];
  t.s3.on(ListObjectVersionsCommand).callsFake(() => ({ Versions: objects }));
  t.s3.on(DeleteObjectsCommand).callsFake(() => {
    objects = [];
    return {};
  });

  t.iam.on(GetRoleCommand).callsFake((input: { RoleName: string }) => {
    if (!exists(world.role) || input.RoleName !== names.role) throw iamNoSuchEntity();
    return { Role: { RoleName: names.role, Tags: Object.entries(tags(world.role)).map(([Key, Value]) => ({ Key, Value })) } };
  });
  t.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [names.rolePolicy] });
  t.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

  t.athena.on(GetWorkGroupCommand).callsFake(() => {
    if (!exists(world.workgroup)) throw athenaNotFound();
    return { WorkGroup: { Name: names.workgroup, State: 'ENABLED' } };
  });
  t.athena.on(ListTagsForResourceCommand).callsFake(() => ({ Tags: Object.entries(tags(world.workgroup)).map(([Key, Value]) => ({ Key, Value })) }));
}

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

describe('surveyTeardown', () => {
  it('lists dependents first, the reverse of the order up creates them in: dashboard, rules, topic, key, triggers, workflow, job, crawler, database, role, bucket', async () => {
    mockNothingDeployed(t);
    expect((await surveyTeardown(t.ctx)).map((s) => label(s.resource))).toEqual([
      'dashboard flight-delays-pipeline-eu-west-1',
      'rule flight-delays-drift',
      'rule flight-delays-job-ceiling',
      'rule flight-delays-crawl-failed',
      'rule flight-delays-job-failed',
      'topic flight-delays-alerts',
      'key alias/flight-delays-alerts',
      'rule flight-delays-on-arrival',
      'role flight-delays-events-role',
      'trigger flight-delays-on-crawl-success',
      'trigger flight-delays-on-arrival',
      'trigger flight-delays-schedule',
      'workflow flight-delays-pipeline',
      'job flight-delays-features',
      'crawler flight-delays-raw-crawler',
      'workgroup flight-delays',
      'database flight_delays',
      'role flight-delays-glue-role',
      'bucket flight-delays-123456789012-eu-west-1',
    ]);
  });

  it('never lists a role passed with --role-arn, nor looks it up', async () => {
    const s = mockedStack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    mockNothingDeployed(s);
    // Only the arrival role of the stack's own is looked for: an earlier --start-on arrival made it.
    expect((await surveyTeardown(s.ctx)).filter((r) => r.resource.kind === 'role').map((r) => r.resource.name)).toEqual(['flight-delays-events-role']);
    const roles = s.iam.calls().map((call) => (call.args[0].input as { RoleName?: string }).RoleName);
    expect(new Set(roles)).toEqual(new Set(['flight-delays-events-role']));
  });

  it('only looks: ownership of every resource, no change', async () => {
    deployed(t, { ...everythingOurs, jobTrigger: 'theirs', bucket: 'missing' });
    const survey = await surveyTeardown(t.ctx);
    expect(survey.map((s) => [s.resource.kind, s.resource.name, s.ownership])).toEqual([
      ['dashboard', 'flight-delays-pipeline-eu-west-1', 'absent'],
      ['rule', 'flight-delays-drift', 'absent'],
      ['rule', 'flight-delays-job-ceiling', 'absent'],
      ['rule', 'flight-delays-crawl-failed', 'absent'],
      ['rule', 'flight-delays-job-failed', 'absent'],
      ['topic', 'flight-delays-alerts', 'absent'],
      ['key', 'alias/flight-delays-alerts', 'absent'],
      ['rule', 'flight-delays-on-arrival', 'absent'],
      ['role', 'flight-delays-events-role', 'absent'],
      ['trigger', 'flight-delays-on-crawl-success', 'foreign'],
      ['trigger', 'flight-delays-on-arrival', 'absent'],
      ['trigger', 'flight-delays-schedule', 'owned'],
      ['workflow', 'flight-delays-pipeline', 'owned'],
      ['job', 'flight-delays-features', 'owned'],
      ['crawler', 'flight-delays-raw-crawler', 'owned'],
      ['workgroup', 'flight-delays', 'owned'],
      ['database', 'flight_delays', 'owned'],
      ['role', 'flight-delays-glue-role', 'owned'],
      ['bucket', 'flight-delays-123456789012-eu-west-1', 'absent'],
    ]);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('names the resource it could not inspect', async () => {
    deployed(t, everythingOurs);
    t.glue.on(GetJobCommand).rejects(new InternalServiceException({ message: 'try later', $metadata: {} }));
    const failure = await surveyTeardown(t.ctx).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as Error).message).toMatch(/^inspect job flight-delays-features failed: InternalServiceException: try later/);
  });
});

describe('executeTeardown', () => {
  it('stops runs, then deletes everything in dependency order', async () => {
    deployed(t, everythingOurs);
    const outcome = await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(outcome.foreign).toEqual([]);
    expect(outcome.deleted).toEqual([
      'trigger flight-delays-on-crawl-success',
      'trigger flight-delays-schedule',
      'workflow flight-delays-pipeline',
      'job flight-delays-features',
      'crawler flight-delays-raw-crawler',
      'workgroup flight-delays',
      'database flight_delays',
      'role flight-delays-glue-role',
      'bucket flight-delays-123456789012-eu-west-1',
    ]);
    expect(commandsInOrder(t).filter((c) => /^(Create|Update|Put|Delete|Tag|Start|Stop|Batch|Abort|Detach)/.test(c))).toEqual([
      'StopCrawlerCommand',
      'BatchStopJobRunCommand',
      'DeleteTriggerCommand',
      'DeleteTriggerCommand',
      'DeleteWorkflowCommand',
      'DeleteJobCommand',
      'DeleteCrawlerCommand',
      'DeleteWorkGroupCommand',
      'BatchDeleteTableCommand',
      'BatchDeleteTableCommand',
      'DeleteDatabaseCommand',
      'DeleteRolePolicyCommand',
      'DeleteRoleCommand',
      'DeleteObjectsCommand',
      'DeleteBucketCommand',
    ]);
    expect(t.glue.commandCalls(DeleteTriggerCommand).map((c) => c.args[0].input.Name)).toEqual([
      'flight-delays-on-crawl-success',
      'flight-delays-schedule',
    ]);
    expect(t.glue.commandCalls(BatchStopJobRunCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features', JobRunIds: ['jr_active'] });
    expect(t.glue.commandCalls(BatchDeleteTableCommand).map((c) => c.args[0].input.TablesToDelete?.length)).toEqual([100, 50]);
    // With its named queries: they have no delete of their own in teardown.
    expect(t.athena.commandCalls(DeleteWorkGroupCommand)[0]?.args[0].input).toEqual({ WorkGroup: 'flight-delays', RecursiveDeleteOption: true });
  });

  it("deletes only what is tagged as this stack's and reports the rest", async () => {
    deployed(t, { ...everythingOurs, jobTrigger: 'theirs', database: 'theirs', role: 'theirs', workflow: 'missing' });
    const outcome = await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(outcome.foreign).toEqual(['trigger flight-delays-on-crawl-success', 'database flight_delays', 'role flight-delays-glue-role']);
    expect(outcome.deleted).toEqual([
      'trigger flight-delays-schedule',
      'job flight-delays-features',
      'crawler flight-delays-raw-crawler',
      'workgroup flight-delays',
      'bucket flight-delays-123456789012-eu-west-1',
    ]);
    expect(t.glue.commandCalls(DeleteTriggerCommand).map((c) => c.args[0].input.Name)).toEqual(['flight-delays-schedule']);
    expect(t.glue.commandCalls(DeleteWorkflowCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(DeleteDatabaseCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(BatchDeleteTableCommand)).toHaveLength(0);
    expect(t.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
    expect(t.iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
  });

  it("stops no crawl of a crawler that is not this stack's", async () => {
    deployed(t, { ...everythingOurs, crawler: 'theirs' });
    await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(t.glue.commandCalls(StopCrawlerCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(DeleteCrawlerCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(BatchStopJobRunCommand)).toHaveLength(1);
  });

  it("stops no job run of a job that is not this stack's", async () => {
    deployed(t, { ...everythingOurs, job: 'theirs' });
    await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(t.glue.commandCalls(BatchStopJobRunCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(DeleteJobCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(StopCrawlerCommand)).toHaveLength(1);
  });

  it('stops nothing when neither crawler nor job is ours', async () => {
    deployed(t, { ...everythingOurs, crawler: 'missing', job: 'theirs' });
    await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(t.glue.commandCalls(GetJobRunsCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(BatchStopJobRunCommand)).toHaveLength(0);
  });

  it('changes nothing when nothing is ours', async () => {
    deployed(t, {
      scheduleTrigger: 'missing',
      jobTrigger: 'theirs',
      workflow: 'missing',
      job: 'missing',
      crawler: 'missing',
      database: 'missing',
      bucket: 'theirs',
      role: 'missing',
      workgroup: 'theirs',
    });
    const outcome = await executeTeardown(t.ctx, await surveyTeardown(t.ctx));
    expect(outcome).toEqual({
      deleted: [],
      foreign: ['trigger flight-delays-on-crawl-success', 'workgroup flight-delays', 'bucket flight-delays-123456789012-eu-west-1'],
    });
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('stops at the first failed deletion, naming it, and deletes nothing after it', async () => {
    deployed(t, everythingOurs);
    t.glue.on(DeleteJobCommand).rejects(new InternalServiceException({ message: 'boom', $metadata: {} }));
    const failure = await executeTeardown(t.ctx, await surveyTeardown(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as Error).message).toBe('delete job flight-delays-features failed: InternalServiceException: boom');
    expect(t.glue.commandCalls(DeleteCrawlerCommand)).toHaveLength(0);
    expect(t.s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
    expect(t.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
  });

  it('counts a resource deleted meanwhile by someone else as deleted, and goes on', async () => {
    const world = { ...everythingOurs };
    deployed(t, world);
    const survey = await surveyTeardown(t.ctx);
    t.glue.on(DeleteJobCommand).callsFake(() => {
      world.job = 'missing';
      throw glueNotFound('Job flight-delays-features not found');
    });
    const outcome = await executeTeardown(t.ctx, survey);
    expect(outcome.deleted).toContain('job flight-delays-features');
    expect(outcome.deleted).toHaveLength(9);
    expect(t.glue.commandCalls(DeleteCrawlerCommand)).toHaveLength(1);
    expect(t.s3.commandCalls(DeleteBucketCommand)).toHaveLength(1);
    // Looked once in the survey and once more after the failed delete.
    expect(t.glue.commandCalls(GetJobCommand)).toHaveLength(2);
  });

  it('fails on a not-found delete of a resource that is still there', async () => {
    deployed(t, everythingOurs);
    t.glue.on(DeleteJobCommand).rejects(glueNotFound('Job flight-delays-features not found'));
    const failure = await executeTeardown(t.ctx, await surveyTeardown(t.ctx)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as Error).message).toBe('delete job flight-delays-features failed: EntityNotFoundException: Job flight-delays-features not found');
    expect(t.glue.commandCalls(DeleteCrawlerCommand)).toHaveLength(0);
  });

  it('does not look again after a delete that failed otherwise', async () => {
    deployed(t, everythingOurs);
    t.glue.on(DeleteJobCommand).rejects(new InternalServiceException({ message: 'boom', $metadata: {} }));
    await expect(executeTeardown(t.ctx, await surveyTeardown(t.ctx))).rejects.toBeInstanceOf(StepError);
    expect(t.glue.commandCalls(GetJobCommand)).toHaveLength(1);
  });

  it('deletes nothing when the runs cannot be stopped', async () => {
    deployed(t, everythingOurs);
    t.glue.on(StopCrawlerCommand).rejects(new InternalServiceException({ message: 'nope', $metadata: {} }));
    const failure = await executeTeardown(t.ctx, await surveyTeardown(t.ctx)).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/^stop runs of flight-delays-raw-crawler and flight-delays-features failed/);
    expect(mutatingCommands(t)).toEqual(['StopCrawlerCommand']);
  });
});
