import {
  ConcurrentRunsExceededException,
  GetJobRunCommand,
  GetJobRunsCommand,
  GetWorkflowCommand,
  GetWorkflowRunCommand,
  GetWorkflowRunsCommand,
  ListCrawlsCommand,
  StartWorkflowRunCommand,
  type JobRun,
} from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { followPipelineRun, startOrJoinPipelineRun, verdict, type PipelineRun } from '../../../src/run/pipeline-run.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack } from '../support/stack.js';

const STARTED = new Date('2027-01-01T06:00:00Z');
const later = (seconds: number) => new Date(STARTED.getTime() + seconds * 1000);
const RUN: PipelineRun = { runId: 'wr_1', startedAt: STARTED, alreadyRunning: false };

function jobRun(state: JobRun['JobRunState'], extra: Partial<JobRun> = {}): JobRun {
  return { Id: 'jr_1', JobRunState: state, StartedOn: later(120), ...extra };
}

describe('startOrJoinPipelineRun', () => {
  it('starts the workflow when no run is in progress', async () => {
    const { ctx, glue } = mockedStack();
    glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: ctx.names.workflow } });
    glue.on(GetWorkflowRunsCommand).resolves({ Runs: [{ WorkflowRunId: 'old', Status: 'COMPLETED' }] });
    glue.on(StartWorkflowRunCommand).resolves({ RunId: 'wr_new' });
    glue.on(GetWorkflowRunCommand).resolves({ Run: { WorkflowRunId: 'wr_new', StartedOn: STARTED, Status: 'RUNNING' } });

    const run = await startOrJoinPipelineRun(ctx);

    expect(run).toEqual({ runId: 'wr_new', startedAt: STARTED, alreadyRunning: false });
    expect(glue.commandCalls(StartWorkflowRunCommand)[0]?.args[0].input).toEqual({ Name: ctx.names.workflow });
  });

  it('joins a run already in progress instead of starting another', async () => {
    const { ctx, glue } = mockedStack();
    glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: ctx.names.workflow } });
    glue.on(GetWorkflowRunsCommand).resolves({ Runs: [{ WorkflowRunId: 'wr_busy', Status: 'RUNNING', StartedOn: STARTED }] });

    const run = await startOrJoinPipelineRun(ctx);

    expect(run).toEqual({ runId: 'wr_busy', startedAt: STARTED, alreadyRunning: true });
    expect(glue.commandCalls(StartWorkflowRunCommand)).toHaveLength(0);
  });

  it('joins the run that won a race to start', async () => {
    const { ctx, glue } = mockedStack();
    glue.on(GetWorkflowCommand).resolves({ Workflow: { Name: ctx.names.workflow } });
    glue
      .on(GetWorkflowRunsCommand)
      .resolvesOnce({ Runs: [] })
      .resolves({ Runs: [{ WorkflowRunId: 'wr_other', Status: 'RUNNING', StartedOn: STARTED }] });
    glue.on(StartWorkflowRunCommand).rejects(new ConcurrentRunsExceededException({ message: 'busy', $metadata: {} }));

    await expect(startOrJoinPipelineRun(ctx)).resolves.toMatchObject({ runId: 'wr_other', alreadyRunning: true });
  });

  it('says to run up first when the workflow does not exist', async () => {
    const { ctx, glue } = mockedStack();
    glue.on(GetWorkflowCommand).rejects(glueNotFound());
    await expect(startOrJoinPipelineRun(ctx)).rejects.toMatchObject({ fault: 'user', message: expect.stringContaining('provisioner up') });
  });
});

describe('verdict', () => {
  const base = { workflowStatus: 'RUNNING', crawlState: undefined, crawlError: undefined, jobRun: undefined };

  it.each([
    ['FAILED', 'job run jr_1 FAILED: boom'],
    ['TIMEOUT', 'job run jr_1 TIMEOUT: boom'],
    ['STOPPED', 'job run jr_1 STOPPED: boom'],
    ['ERROR', 'job run jr_1 ERROR: boom'],
  ] as const)('a job run that ended %s is a failure', (state, message) => {
    expect(verdict({ ...base, jobRun: jobRun(state, { ErrorMessage: 'boom' }) })).toEqual({ done: true, succeeded: false, message });
  });

  it('only a SUCCEEDED job run is a success', () => {
    expect(verdict({ ...base, crawlState: 'COMPLETED', jobRun: jobRun('SUCCEEDED') })).toMatchObject({ done: true, succeeded: true });
    expect(verdict({ ...base, crawlState: 'COMPLETED', jobRun: jobRun('RUNNING') })).toEqual({ done: false });
    expect(verdict({ ...base, crawlState: 'COMPLETED' })).toEqual({ done: false });
  });

  it('a failed crawl ends the run: the job will never start', () => {
    expect(verdict({ ...base, crawlState: 'FAILED', crawlError: 'no access' })).toEqual({
      done: true,
      succeeded: false,
      message: 'the crawl FAILED: no access; the job was not started',
    });
  });

  it('a workflow run that ended without a job run is a failure', () => {
    expect(verdict({ ...base, workflowStatus: 'COMPLETED', crawlState: 'COMPLETED' })).toMatchObject({ done: true, succeeded: false });
  });
});

describe('followPipelineRun', () => {
  function scripted(jobStates: (JobRun['JobRunState'] | undefined)[]) {
    const stack = mockedStack();
    const { glue } = stack;
    glue.on(GetWorkflowRunCommand).resolves({ Run: { Status: 'RUNNING' } });
    glue.on(ListCrawlsCommand).resolves({ Crawls: [{ State: 'COMPLETED', StartTime: later(1) }] });
    let call = 0;
    glue.on(GetJobRunsCommand).callsFake(() => {
      const state = jobStates[Math.min(call, jobStates.length - 1)];
      call += 1;
      return { JobRuns: state ? [jobRun(state)] : [] };
    });
    glue.on(GetJobRunCommand).callsFake(() => {
      const state = jobStates[Math.min(call - 1, jobStates.length - 1)];
      return { JobRun: jobRun(state) };
    });
    return stack;
  }

  it('polls until the job run succeeds', async () => {
    const { ctx, glue } = scripted([undefined, 'STARTING', 'RUNNING', 'SUCCEEDED']);
    const seen: string[] = [];
    const result = await followPipelineRun(ctx, RUN, {
      timeoutMs: 10_000,
      intervalMs: 1,
      onSnapshot: (s) => seen.push(s.jobRun?.JobRunState ?? 'none'),
    });
    expect(result).toMatchObject({ done: true, succeeded: true });
    expect(seen).toEqual(['none', 'STARTING', 'RUNNING', 'SUCCEEDED']);
    expect(glue.commandCalls(GetJobRunsCommand)).toHaveLength(4);
  });

  it('reports a failed job run', async () => {
    const { ctx } = scripted(['RUNNING', 'FAILED']);
    await expect(followPipelineRun(ctx, RUN, { timeoutMs: 10_000, intervalMs: 1 })).resolves.toMatchObject({ done: true, succeeded: false });
  });

  it('gives up after the timeout while the run goes on', async () => {
    const { ctx } = scripted(['RUNNING']);
    const result = await followPipelineRun(ctx, RUN, { timeoutMs: 30, intervalMs: 5 });
    expect(result).toMatchObject({ done: false, reason: 'timeout' });
  });

  it('stops following when interrupted, keeping the last snapshot, and says it was interrupted rather than timed out', async () => {
    const { ctx, controller } = scripted(['RUNNING']);
    const result = await followPipelineRun(ctx, RUN, { timeoutMs: 60_000, intervalMs: 30_000, onSnapshot: () => controller.abort() });
    expect(result).toMatchObject({ done: false, reason: 'interrupted', last: { jobRun: { JobRunState: 'RUNNING' } } });
  });

  it('ignores job runs that started before this workflow run', async () => {
    const { ctx, glue } = mockedStack();
    glue.on(GetWorkflowRunCommand).resolves({ Run: { Status: 'RUNNING' } });
    glue.on(ListCrawlsCommand).resolves({ Crawls: [] });
    glue.on(GetJobRunsCommand).resolves({ JobRuns: [jobRun('SUCCEEDED', { StartedOn: later(-3600) })] });
    const result = await followPipelineRun(ctx, RUN, { timeoutMs: 20, intervalMs: 5 });
    expect(result).toMatchObject({ done: false, reason: 'timeout' });
  });
});
