import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  GetWorkflowRunsCommand,
  ListCrawlsCommand,
} from '@aws-sdk/client-glue';
import { GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/core/logger.js';
import { collectStatus, jobRunStatus } from '../../../src/stack/status.js';
import { glueNotFound, iamNoSuchEntity, s3Error } from '../support/errors.js';
import { mockNothingDeployed, mockedStack, mutatingCommands, type MockedStack } from '../support/stack.js';

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

describe('collectStatus', () => {
  it('reports a stack that does not exist without listing objects', async () => {
    mockNothingDeployed(t);
    const report = await collectStatus(t.ctx);
    expect(report.stack).toBe('flight-delays');
    expect(report.account).toBe('123456789012');
    expect(report.region).toBe('eu-west-1');
    expect(report.resources.map((r) => [r.kind, r.exists])).toEqual([
      ['bucket', false],
      ['role', false],
      ['database', false],
      ['workgroup', false],
      ['crawler', false],
      ['job', false],
      ['workflow', false],
    ]);
    expect(report.triggers).toEqual([
      { name: 'flight-delays-schedule', exists: false },
      { name: 'flight-delays-on-crawl-success', exists: false },
    ]);
    expect(report.lastJobRun).toBeNull();
    expect(report.lastWorkflowRun).toBeNull();
    expect(report).toMatchObject({ workflowRuns: [], crawls: [], jobRuns: [] });
    expect(report.objects).toEqual({ raw: { objects: 0, bytes: 0 }, scripts: { objects: 0, bytes: 0 }, processed: { objects: 0, bytes: 0 } });
    expect(t.s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('reports states, the schedule, the last runs and object counts of a deployed stack', async () => {
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
      Contents: input.Prefix === 'raw/' ? [{ Key: 'raw/a', Size: 1000 }, { Key: 'raw/b', Size: 24 }] : input.Prefix === 'scripts/' ? [{ Key: 'scripts/job.py', Size: 5 }] : [],
    }));
    t.iam.on(GetRoleCommand).rejects(iamNoSuchEntity());
    t.iam.on(GetRoleCommand, { RoleName: 'flight-delays-glue-role' }).resolves({ Role: { RoleName: 'r', Path: '/', RoleId: 'id', Arn: 'arn', CreateDate: new Date() } });
    t.glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'flight_delays' } });
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: { Name: 'c', State: 'RUNNING' } });
    t.glue.on(GetJobCommand).resolves({ Job: { Name: 'j' } });
    t.glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: 'w' } });
    t.glue.on(GetTriggerCommand).rejects(glueNotFound());
    t.glue.on(GetTriggerCommand, { Name: 'flight-delays-schedule' }).resolves({
      Trigger: { Name: 'flight-delays-schedule', Type: 'SCHEDULED', State: 'ACTIVATED', Schedule: 'cron(0 6 1 1,4,7,10 ? *)' },
    });
    t.glue.on(GetTriggerCommand, { Name: 'flight-delays-on-crawl-success' }).resolves({
      Trigger: { Name: 'flight-delays-on-crawl-success', Type: 'CONDITIONAL', State: 'DEACTIVATED' },
    });
    t.glue.on(GetWorkflowRunsCommand).resolves({
      Runs: [
        {
          WorkflowRunId: 'wr_1',
          Status: 'COMPLETED',
          StartedOn: new Date('2025-04-01T06:00:00Z'),
          CompletedOn: new Date('2025-04-01T06:20:30Z'),
        },
      ],
    });
    t.glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        {
          Id: 'jr_1',
          JobRunState: 'FAILED',
          StartedOn: new Date('2025-04-01T06:10:00Z'),
          CompletedOn: new Date('2025-04-01T06:20:00Z'),
          ExecutionTime: 512,
          ErrorMessage: 'AnalysisException: table not found',
        },
      ],
    });
    t.glue.on(ListCrawlsCommand).resolves({ Crawls: [] });
    t.athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'flight-delays', State: 'ENABLED' } });

    const report = await collectStatus(t.ctx);
    expect(report.resources.every((r) => r.exists)).toBe(true);
    expect(report.resources.find((r) => r.kind === 'crawler')?.state).toBe('RUNNING');
    expect(report.resources.find((r) => r.kind === 'workgroup')).toEqual({ kind: 'workgroup', name: 'flight-delays', exists: true, state: 'ENABLED' });
    expect(report.triggers).toEqual([
      { name: 'flight-delays-schedule', exists: true, type: 'SCHEDULED', state: 'ACTIVATED', schedule: 'cron(0 6 1 1,4,7,10 ? *)' },
      { name: 'flight-delays-on-crawl-success', exists: true, type: 'CONDITIONAL', state: 'DEACTIVATED' },
    ]);
    expect(report.lastWorkflowRun).toEqual({
      id: 'wr_1',
      state: 'COMPLETED',
      startedOn: '2025-04-01T06:00:00.000Z',
      completedOn: '2025-04-01T06:20:30.000Z',
      durationSeconds: 1230,
    });
    expect(report.lastJobRun).toEqual({
      id: 'jr_1',
      state: 'FAILED',
      startedOn: '2025-04-01T06:10:00.000Z',
      completedOn: '2025-04-01T06:20:00.000Z',
      durationSeconds: 512,
      error: 'AnalysisException: table not found',
      dpuSeconds: null,
      costUsd: null,
      // Glue recorded no timeout for the run: nothing bounds what it could cost.
      ceiling: null,
    });
    expect(report.objects).toEqual({ raw: { objects: 2, bytes: 1024 }, scripts: { objects: 1, bytes: 5 }, processed: { objects: 0, bytes: 0 } });
    // Started by the schedule trigger that exists; the arrival trigger, never made, is not listed.
    expect(report.start).toEqual({ on: 'schedule', schedule: 'cron(0 6 1 1,4,7,10 ? *)' });
    expect(report.triggers.map((trigger) => trigger.name)).toEqual(['flight-delays-schedule', 'flight-delays-on-crawl-success']);
    expect(t.glue.commandCalls(GetJobRunsCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features', MaxResults: 5 });
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('shows a role passed with --role-arn as external, without looking it up', async () => {
    t = mockedStack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    mockNothingDeployed(t);
    const report = await collectStatus(t.ctx);
    expect(report.resources.find((r) => r.kind === 'role')).toEqual({
      kind: 'role',
      name: 'arn:aws:iam::123456789012:role/shared',
      exists: true,
      state: 'external',
    });
    // The user's role is never looked up: only the stack's own arrival role is looked for.
    const roles = t.iam.calls().map((call) => (call.args[0].input as { RoleName?: string }).RoleName);
    expect(new Set(roles)).toEqual(new Set(['flight-delays-events-role']));
  });

  it('on arrival shows the marker, when it was last written, and the newest run an event started', async () => {
    t = mockedStack({ raw: { startOn: 'arrival' } });
    mockNothingDeployed(t);
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    t.s3.on(HeadObjectCommand, { Key: 'raw/_DELIVERED' }).resolves({ LastModified: new Date('2025-04-02T09:30:00Z') });
    t.glue.on(GetTriggerCommand, { Name: 'flight-delays-on-arrival' }).resolves({ Trigger: { Name: 'flight-delays-on-arrival', Type: 'EVENT', State: 'ACTIVATED' } });
    t.glue.on(GetWorkflowRunsCommand).resolves({
      Runs: [
        // Started by hand (`provisioner run`): no batch condition, so no arrival started it.
        { WorkflowRunId: 'wr_by_hand', Status: 'RUNNING', StartedOn: new Date('2025-04-03T10:00:00Z') },
        { WorkflowRunId: 'wr_arrival', Status: 'COMPLETED', StartedOn: new Date('2025-04-02T09:31:00Z'), StartingEventBatchCondition: { BatchSize: 1, BatchWindow: 900 } },
      ],
    });
    const report = await collectStatus(t.ctx);
    expect(report.start).toEqual({
      on: 'arrival',
      marker: 'raw/_DELIVERED',
      markerWrittenOn: '2025-04-02T09:30:00.000Z',
      lastArrivalRun: { id: 'wr_arrival', startedOn: '2025-04-02T09:31:00.000Z' },
    });
    expect(report.triggers.map((trigger) => trigger.name)).toEqual(['flight-delays-on-arrival', 'flight-delays-on-crawl-success']);
  });

  it('lists the last runs of the workflow, the crawler and the job with DPU-seconds and cost, newest first', async () => {
    t = mockedStack({ region: 'us-east-1' });
    mockNothingDeployed(t);
    t.glue.on(GetWorkflowRunsCommand).resolves({
      Runs: [
        { WorkflowRunId: 'wr_2', Status: 'RUNNING', StartedOn: new Date('2025-07-01T06:00:00Z') },
        { WorkflowRunId: 'wr_1', Status: 'COMPLETED', StartedOn: new Date('2025-04-01T06:00:00Z'), CompletedOn: new Date('2025-04-01T06:20:30Z') },
      ],
    });
    t.glue.on(ListCrawlsCommand).resolves({
      Crawls: [
        { CrawlId: 'c1', State: 'COMPLETED', StartTime: new Date('2025-04-01T06:00:05Z'), EndTime: new Date('2025-04-01T06:01:15Z'), DPUHour: 0.25 },
        { CrawlId: 'c2', State: 'FAILED', StartTime: new Date('2025-07-01T06:00:05Z'), EndTime: new Date('2025-07-01T06:00:35Z'), ErrorMessage: 'Access denied to s3' },
      ],
    });
    t.glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        {
          Id: 'jr_2',
          JobRunState: 'SUCCEEDED',
          StartedOn: new Date('2025-04-01T06:02:00Z'),
          CompletedOn: new Date('2025-04-01T06:12:00Z'),
          ExecutionTime: 512,
          WorkerType: 'G.1X',
          NumberOfWorkers: 10,
          ExecutionClass: 'STANDARD',
          Timeout: 60,
        },
        {
          Id: 'jr_1',
          JobRunState: 'SUCCEEDED',
          StartedOn: new Date('2025-01-01T06:02:00Z'),
          CompletedOn: new Date('2025-01-01T06:22:00Z'),
          ExecutionTime: 900,
          WorkerType: 'G.2X',
          NumberOfWorkers: 10,
          DPUSeconds: 3000,
          ExecutionClass: 'FLEX',
        },
      ],
    });

    const report = await collectStatus(t.ctx, { runs: 3 });
    expect(report.workflowRuns.map((r) => [r.id, r.state, r.completedOn])).toEqual([
      ['wr_2', 'RUNNING', null],
      ['wr_1', 'COMPLETED', '2025-04-01T06:20:30.000Z'],
    ]);
    expect(report.workflowRuns[1]?.durationSeconds).toBe(1230);
    expect(report.lastWorkflowRun?.id).toBe('wr_2');
    expect(report.crawls).toEqual([
      { id: 'c2', state: 'FAILED', startedOn: '2025-07-01T06:00:05.000Z', completedOn: '2025-07-01T06:00:35.000Z', durationSeconds: 30, error: 'Access denied to s3', dpuSeconds: null, costUsd: null },
      { id: 'c1', state: 'COMPLETED', startedOn: '2025-04-01T06:00:05.000Z', completedOn: '2025-04-01T06:01:15.000Z', durationSeconds: 70, dpuSeconds: 900, costUsd: 0.11 },
    ]);
    // 512 s x 10 G.1X = 5120 DPU-s at $0.44/DPU-h; the Flex run as Glue counted it, 3000 DPU-s at $0.29.
    expect(report.jobRuns).toEqual([
      expect.objectContaining({ id: 'jr_2', durationSeconds: 512, workerType: 'G.1X', workers: 10, executionClass: 'STANDARD', dpuSeconds: 5120, costUsd: 0.625778 }),
      expect.objectContaining({ id: 'jr_1', durationSeconds: 900, workerType: 'G.2X', workers: 10, executionClass: 'FLEX', dpuSeconds: 3000, costUsd: 0.241667 }),
    ]);
    expect(report.lastJobRun).toEqual(report.jobRuns[0]);
    // Its 60 min timeout of 10 DPU at $0.44 a DPU-hour bounds it at $4.40; no --max-usd set it.
    expect(report.jobRuns[0]?.ceiling).toEqual({ timeoutMinutes: 60, usd: 4.4, maxUsd: null, hit: false });
    expect(report.jobRuns[1]?.ceiling).toBeNull();
    expect(report.priceTable).toMatch(/list prices/);
    expect(t.glue.commandCalls(GetWorkflowRunsCommand)[0]?.args[0].input).toEqual({ Name: 'flight-delays-pipeline', MaxResults: 3 });
    expect(t.glue.commandCalls(GetJobRunsCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features', MaxResults: 3 });
    expect(t.glue.commandCalls(ListCrawlsCommand)[0]?.args[0].input).toMatchObject({ CrawlerName: 'flight-delays-raw-crawler' });
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('fails on errors other than not found', async () => {
    mockNothingDeployed(t);
    t.glue.on(GetJobCommand).rejects(new Error('socket hang up'));
    await expect(collectStatus(t.ctx)).rejects.toThrow('socket hang up');
  });
});

describe('collectStatus: the last run report', () => {
  const SPARK = {
    stages: 41,
    memory_spilled_bytes: 734003200,
    disk_spilled_bytes: 186646528,
    slowest_stage: { id: 63, name: 'parquet at NativeMethodAccessorImpl.java:0', tasks: 5, task_seconds: 53.1, task_seconds_median: 9.8, task_seconds_max: 14.2, skew: 1.45 },
    advice: 'give Spark more memory',
  };
  const warnings: string[] = [];

  /** A bucket with nothing in it but, when given, processed/reports/run_report.json. */
  function bucketWith(report: string | Error | undefined): MockedStack {
    warnings.length = 0;
    const logger = { error() {}, warn: (message: string) => void warnings.push(message), info() {}, debug() {} } as unknown as Logger;
    const stack = mockedStack();
    mockNothingDeployed(stack);
    stack.s3.on(HeadBucketCommand).resolves({});
    stack.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    const answer = stack.s3.on(GetObjectCommand, { Key: 'processed/reports/run_report.json' });
    if (report instanceof Error) answer.rejects(report);
    else if (report !== undefined) answer.resolves({ Body: { transformToString: async () => report } } as never);
    else answer.rejects(s3Error('NoSuchKey', 404, 'The specified key does not exist.'));
    return { ...stack, ctx: { ...stack.ctx, logger } };
  }

  it("reads Spark's figures from processed/reports/run_report.json", async () => {
    const report = await collectStatus(bucketWith(JSON.stringify({ started_at: '2025-04-01T06:02:00Z', spark: SPARK })).ctx);
    expect(report.lastRunReport).toEqual({
      location: 's3://flight-delays-123456789012-eu-west-1/processed/reports/run_report.json',
      startedAt: '2025-04-01T06:02:00Z',
      spark: {
        stages: 41,
        memorySpilledBytes: 734003200,
        diskSpilledBytes: 186646528,
        slowestStage: { id: 63, name: 'parquet at NativeMethodAccessorImpl.java:0', tasks: 5, taskSeconds: 53.1, taskSecondsMedian: 9.8, taskSecondsMax: 14.2, skew: 1.45 },
        advice: 'give Spark more memory',
      },
      drifted: null,
      driftThreshold: 0.2,
    });
    expect(warnings).toEqual([]);
  });

  it('names the features of the run whose drift is above --drift-threshold', async () => {
    const drift = [
      { year: 2003, quarter: 2, rows: 9, against: { year: 2003, quarter: 1 }, psi: { hour: 0.21, delay_minutes: 0.2, day_of_week: null } },
    ];
    const report = await collectStatus(bucketWith(JSON.stringify({ started_at: '2025-04-01T06:02:00Z', drift })).ctx);
    expect(report.lastRunReport?.drifted).toEqual([{ year: 2003, quarter: 2, feature: 'hour', psi: 0.21 }]);
    const broken = await collectStatus(bucketWith(JSON.stringify({ started_at: '2025-04-01T06:02:00Z', drift: [{ year: 2003 }] })).ctx);
    expect(broken.lastRunReport?.drifted).toBeNull();
    expect(warnings).toEqual([expect.stringContaining('drift[0].psi is missing; its drift figures are left out')]);
  });

  it('has spark: null for a report of an older job, and is null without a report or a bucket', async () => {
    expect((await collectStatus(bucketWith(JSON.stringify({ started_at: '2025-04-01T06:02:00Z' })).ctx)).lastRunReport?.spark).toBeNull();
    expect((await collectStatus(bucketWith(JSON.stringify({ spark: null })).ctx)).lastRunReport).toMatchObject({ startedAt: null, spark: null });
    expect((await collectStatus(bucketWith(undefined).ctx)).lastRunReport).toBeNull();
    expect(warnings).toEqual([]);
    mockNothingDeployed(t);
    expect((await collectStatus(t.ctx)).lastRunReport).toBeNull();
    expect(t.s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('warns and goes on when the report cannot be read or its figures are malformed', async () => {
    const unreadable = await collectStatus(bucketWith(s3Error('AccessDenied', 403, 'Access Denied')).ctx);
    expect(unreadable.lastRunReport).toBeNull();
    expect(unreadable.objects.raw).toEqual({ objects: 0, bytes: 0 });
    expect(warnings).toEqual([expect.stringContaining('cannot read the last run report s3://flight-delays-123456789012-eu-west-1/processed/reports/run_report.json')]);

    expect((await collectStatus(bucketWith('{"rows": ').ctx)).lastRunReport).toBeNull();
    expect(warnings).toEqual([expect.stringContaining('is not a JSON object')]);

    const malformed = await collectStatus(bucketWith(JSON.stringify({ started_at: '2025-04-01T06:02:00Z', spark: { ...SPARK, stages: 'many' } })).ctx);
    expect(malformed.lastRunReport).toMatchObject({ startedAt: '2025-04-01T06:02:00Z', spark: null });
    expect(warnings).toEqual([expect.stringContaining('spark.stages is "many", not a count; its Spark figures are left out')]);
  });
});

describe('jobRunStatus', () => {
  it('is null without a run', () => {
    expect(jobRunStatus(undefined)).toBeNull();
    expect(jobRunStatus({ JobRunState: 'RUNNING' })).toBeNull();
  });

  it('measures a run still going against the clock', () => {
    const started = new Date(Date.now() - 90_000);
    const status = jobRunStatus({ Id: 'jr', JobRunState: 'RUNNING', StartedOn: started });
    expect(status).toMatchObject({ id: 'jr', state: 'RUNNING', completedOn: null });
    expect(status?.durationSeconds).toBeGreaterThanOrEqual(89);
    expect(status?.durationSeconds).toBeLessThanOrEqual(92);
  });
});
