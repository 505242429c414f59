import {
  BatchStopJobRunCommand,
  CrawlerNotRunningException,
  GetCrawlerCommand,
  GetJobRunsCommand,
  OperationTimeoutException,
  StopCrawlerCommand,
  type JobRun,
} from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { isActiveJobRun, stopActiveRuns } from '../../../src/run/stop-runs.js';
import { TimeoutError } from '../../../src/core/errors.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack, mutatingCommands, sentCommands, type MockedStack } from '../support/stack.js';

const quick = { intervalMs: 1, timeoutMs: 1_000 };

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

function crawlerStates(...states: string[]): void {
  let call = 0;
  t.glue.on(GetCrawlerCommand).callsFake(() => {
    const State = states[Math.min(call++, states.length - 1)];
    return { Crawler: { Name: 'flight-delays-raw-crawler', State } };
  });
}

function jobRunPages(...pages: JobRun[][]): void {
  let call = 0;
  t.glue.on(GetJobRunsCommand).callsFake(() => ({ JobRuns: pages[Math.min(call++, pages.length - 1)] }));
}

describe('isActiveJobRun', () => {
  it.each([
    ['STARTING', true],
    ['RUNNING', true],
    ['STOPPING', true],
    ['WAITING', true],
    ['SUCCEEDED', false],
    ['FAILED', false],
    ['STOPPED', false],
    ['TIMEOUT', false],
  ] as const)('%s → %s', (JobRunState, active) => {
    expect(isActiveJobRun({ Id: 'r', JobRunState })).toBe(active);
  });
});

describe('stopActiveRuns', () => {
  it('stops a running crawl and waits until the crawler is READY', async () => {
    crawlerStates('RUNNING', 'STOPPING', 'STOPPING', 'READY');
    jobRunPages([]);
    await stopActiveRuns(t.ctx, quick);
    expect(t.glue.commandCalls(StopCrawlerCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'flight-delays-raw-crawler' }]);
    expect(t.glue.commandCalls(GetCrawlerCommand)).toHaveLength(4);
    expect(mutatingCommands(t)).toEqual(['StopCrawlerCommand']);
  });

  it('stops only the active job runs and waits until none is active', async () => {
    crawlerStates('READY');
    const finished = { Id: 'jr_old', JobRunState: 'SUCCEEDED' as const };
    jobRunPages(
      [
        { Id: 'jr_1', JobRunState: 'RUNNING' },
        { Id: 'jr_2', JobRunState: 'STARTING' },
        { Id: 'jr_3', JobRunState: 'WAITING' },
        finished,
      ],
      [{ Id: 'jr_1', JobRunState: 'STOPPING' }, finished],
      [{ Id: 'jr_1', JobRunState: 'STOPPED' }, finished],
    );
    await stopActiveRuns(t.ctx, quick);
    expect(t.glue.commandCalls(BatchStopJobRunCommand).map((c) => c.args[0].input)).toEqual([
      { JobName: 'flight-delays-features', JobRunIds: ['jr_1', 'jr_2', 'jr_3'] },
    ]);
    expect(t.glue.commandCalls(GetJobRunsCommand)).toHaveLength(3);
    expect(t.glue.commandCalls(StopCrawlerCommand)).toHaveLength(0);
  });

  it('stops the crawl before it stops the job runs', async () => {
    crawlerStates('RUNNING', 'READY');
    jobRunPages([{ Id: 'jr_1', JobRunState: 'RUNNING' }], []);
    await stopActiveRuns(t.ctx, quick);
    expect(mutatingCommands(t)).toEqual(['StopCrawlerCommand', 'BatchStopJobRunCommand']);
  });

  it('changes nothing when nothing runs', async () => {
    crawlerStates('READY');
    jobRunPages([{ Id: 'jr_0', JobRunState: 'FAILED' }]);
    await stopActiveRuns(t.ctx, quick);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('changes nothing when neither crawler nor job exists', async () => {
    t.glue.on(GetCrawlerCommand).rejects(glueNotFound());
    t.glue.on(GetJobRunsCommand).rejects(glueNotFound());
    await stopActiveRuns(t.ctx, quick);
    expect(sentCommands(t)).toEqual(['GetCrawlerCommand', 'GetJobRunsCommand']);
  });

  it('accepts a crawl that finished between the look and the stop', async () => {
    crawlerStates('RUNNING', 'READY');
    t.glue.on(StopCrawlerCommand).rejects(new CrawlerNotRunningException({ message: 'Crawler is not running', $metadata: {} }));
    jobRunPages([]);
    await expect(stopActiveRuns(t.ctx, quick)).resolves.toBeUndefined();
  });

  it('passes on other StopCrawler failures', async () => {
    crawlerStates('RUNNING');
    t.glue.on(StopCrawlerCommand).rejects(new OperationTimeoutException({ message: 'timeout', $metadata: {} }));
    await expect(stopActiveRuns(t.ctx, quick)).rejects.toBeInstanceOf(OperationTimeoutException);
    expect(t.glue.commandCalls(GetJobRunsCommand)).toHaveLength(0);
  });

  it('waits for a crawl that is already stopping, without stopping it again', async () => {
    crawlerStates('STOPPING', 'READY');
    jobRunPages([]);
    await stopActiveRuns(t.ctx, quick);
    expect(t.glue.commandCalls(StopCrawlerCommand)).toHaveLength(0);
    expect(t.glue.commandCalls(GetCrawlerCommand)).toHaveLength(2);
  });

  it("leaves the crawler alone when told it is not this stack's", async () => {
    crawlerStates('RUNNING');
    jobRunPages([{ Id: 'jr_1', JobRunState: 'RUNNING' }], []);
    await stopActiveRuns(t.ctx, { ...quick, crawler: false });
    expect(t.glue.commandCalls(GetCrawlerCommand)).toHaveLength(0);
    expect(mutatingCommands(t)).toEqual(['BatchStopJobRunCommand']);
  });

  it("leaves the job runs alone when told the job is not this stack's", async () => {
    crawlerStates('RUNNING', 'READY');
    jobRunPages([{ Id: 'jr_1', JobRunState: 'RUNNING' }]);
    await stopActiveRuns(t.ctx, { ...quick, job: false });
    expect(t.glue.commandCalls(GetJobRunsCommand)).toHaveLength(0);
    expect(mutatingCommands(t)).toEqual(['StopCrawlerCommand']);
  });

  it('times out when the crawl never stops', async () => {
    crawlerStates('RUNNING', 'STOPPING');
    await expect(stopActiveRuns(t.ctx, { intervalMs: 2, timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
  });
});
