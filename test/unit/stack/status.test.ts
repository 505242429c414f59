import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  GetWorkflowRunsCommand,
} from '@aws-sdk/client-glue';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { HeadBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectStatus, jobRunStatus } from '../../../src/stack/status.js';
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
    expect(report.objects).toEqual({ raw: { objects: 0, bytes: 0 }, scripts: { objects: 0, bytes: 0 }, processed: { objects: 0, bytes: 0 } });
    expect(t.s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('reports states, the schedule, the last runs and object counts of a deployed stack', async () => {
    t.s3.on(HeadBucketCommand).resolves({});
    t.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
      Contents: input.Prefix === 'raw/' ? [{ Key: 'raw/a', Size: 1000 }, { Key: 'raw/b', Size: 24 }] : input.Prefix === 'scripts/' ? [{ Key: 'scripts/job.py', Size: 5 }] : [],
    }));
    t.iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'r', Path: '/', RoleId: 'id', Arn: 'arn', CreateDate: new Date() } });
    t.glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'flight_delays' } });
    t.glue.on(GetCrawlerCommand).resolves({ Crawler: { Name: 'c', State: 'RUNNING' } });
    t.glue.on(GetJobCommand).resolves({ Job: { Name: 'j' } });
    t.glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: 'w' } });
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

    const report = await collectStatus(t.ctx);
    expect(report.resources.every((r) => r.exists)).toBe(true);
    expect(report.resources.find((r) => r.kind === 'crawler')?.state).toBe('RUNNING');
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
    });
    expect(report.objects).toEqual({ raw: { objects: 2, bytes: 1024 }, scripts: { objects: 1, bytes: 5 }, processed: { objects: 0, bytes: 0 } });
    expect(t.glue.commandCalls(GetJobRunsCommand)[0]?.args[0].input).toEqual({ JobName: 'flight-delays-features', MaxResults: 1 });
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
    expect(t.iam.calls()).toHaveLength(0);
  });

  it('fails on errors other than not found', async () => {
    mockNothingDeployed(t);
    t.glue.on(GetJobCommand).rejects(new Error('socket hang up'));
    await expect(collectStatus(t.ctx)).rejects.toThrow('socket hang up');
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
