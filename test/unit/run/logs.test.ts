import { FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetJobRunCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatLogEvent, formatLogs } from '../../../src/cli/format-logs.js';
import { UsageError } from '../../../src/core/errors.js';
import { LATE_MS, findJobRun, followJobLogs, readJobLogs, runReportOf, type JobLogEvent } from '../../../src/run/logs.js';
import { glueNotFound, logsNotFound } from '../support/errors.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

const RUN = `jr_${'0123456789abcdef'.repeat(4)}`;
const OTHER_RUN = `jr_${'f'.repeat(64)}`;
const T0 = Date.UTC(2027, 3, 1, 6, 0, 0);

let t: MockedStack;
beforeEach(() => {
  t = mockedStack();
});

const event = (stream: string, offsetMs: number, message: string, id = `${stream}-${offsetMs}`): FilteredLogEvent => ({
  logStreamName: stream,
  timestamp: T0 + offsetMs,
  message,
  eventId: id,
});

/** The events of each group; FilterLogEvents answers from them, by startTime, in pages of two. */
function logGroups(groups: { output?: FilteredLogEvent[]; error?: FilteredLogEvent[] }): void {
  t.logs.on(FilterLogEventsCommand).callsFake((input: { logGroupName: string; startTime?: number; nextToken?: string }) => {
    const all = (input.logGroupName === '/aws-glue/jobs/output' ? groups.output : groups.error) ?? [];
    const from = all.filter((e) => input.startTime === undefined || (e.timestamp ?? 0) >= input.startTime);
    const start = Number(input.nextToken ?? 0);
    const page = from.slice(start, start + 2);
    return { events: page, ...(start + 2 < from.length ? { nextToken: String(start + 2) } : {}) };
  });
}

describe('findJobRun', () => {
  it('takes the newest run of the stack\'s job, by its start, whatever the order listed', async () => {
    t.glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        { Id: OTHER_RUN, StartedOn: new Date(T0) },
        { Id: RUN, JobRunState: 'FAILED', StartedOn: new Date(T0 + 1000) },
      ],
    });
    await expect(findJobRun(t.ctx)).resolves.toMatchObject({ Id: RUN });
    expect(t.glue.commandCalls(GetJobRunsCommand)[0]!.args[0].input).toEqual({ JobName: 'flight-delays-features', MaxResults: 25 });
  });

  it('takes the run given with --run', async () => {
    t.glue.on(GetJobRunCommand).resolves({ JobRun: { Id: RUN, JobRunState: 'RUNNING' } });
    await expect(findJobRun(t.ctx, RUN)).resolves.toMatchObject({ Id: RUN });
    expect(t.glue.commandCalls(GetJobRunCommand)[0]!.args[0].input).toEqual({ JobName: 'flight-delays-features', RunId: RUN });
  });

  it('refuses what is no run id, and a run the job does not have, naming it (exit 2)', async () => {
    await expect(findJobRun(t.ctx, 'wr_123')).rejects.toThrow('invalid --run "wr_123": expected a Glue job run id, jr_ and 64 hex digits');
    await expect(findJobRun(t.ctx, '')).rejects.toBeInstanceOf(UsageError);
    expect(t.glue.calls()).toHaveLength(0);
    t.glue.on(GetJobRunCommand).rejects(glueNotFound());
    await expect(findJobRun(t.ctx, RUN)).rejects.toThrow(`invalid --run "${RUN}": job flight-delays-features has no such run`);
  });

  it('says when the job has not run, or does not exist', async () => {
    t.glue.on(GetJobRunsCommand).resolves({ JobRuns: [] });
    await expect(findJobRun(t.ctx)).rejects.toThrow('job flight-delays-features has not run yet: start it with `provisioner run`');
    t.glue.on(GetJobRunsCommand).rejects(glueNotFound());
    await expect(findJobRun(t.ctx)).rejects.toThrow('job flight-delays-features does not exist: run `provisioner up` first');
  });
});

describe('readJobLogs', () => {
  it('reads both groups, every page, and interleaves them by time', async () => {
    logGroups({
      output: [event(RUN, 10, 'starting'), event(RUN, 30, 'RUN_REPORT {"rows":{"read":3}}'), event(RUN, 50, 'done')],
      error: [event(RUN, 20, 'INFO spark'), event(`${RUN}_g-1`, 40, 'executor line\n')],
    });
    const events = await readJobLogs(t.ctx, RUN);
    expect(events.map((e) => [e.source, e.message])).toEqual([
      ['output', 'starting'],
      ['error', 'INFO spark'],
      ['output', 'RUN_REPORT {"rows":{"read":3}}'],
      ['error', 'executor line'],
      ['output', 'done'],
    ]);
    const inputs = t.logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ logGroupName: '/aws-glue/jobs/output', logStreamNamePrefix: RUN });
    expect(inputs.some((i) => i.logGroupName === '/aws-glue/jobs/error')).toBe(true);
  });

  it('keeps only the run\'s streams, even where the prefix is ignored', async () => {
    logGroups({ output: [event(RUN, 1, 'mine'), event(OTHER_RUN, 2, 'another job\'s run')] });
    expect((await readJobLogs(t.ctx, RUN)).map((e) => e.message)).toEqual(['mine']);
  });

  it('finds nothing in a group that does not exist yet', async () => {
    t.logs.on(FilterLogEventsCommand).rejects(logsNotFound());
    await expect(readJobLogs(t.ctx, RUN)).resolves.toEqual([]);
  });
});

describe('runReportOf', () => {
  const line = (message: string, source: JobLogEvent['source'] = 'output'): JobLogEvent => ({ timestamp: 0, source, stream: RUN, message, id: '1' });

  it('is the JSON after RUN_REPORT in the output group', () => {
    expect(runReportOf([line('hello'), line('RUN_REPORT {"rows":{"read":3,"written":2}}')])).toEqual({ rows: { read: 3, written: 2 } });
  });

  it('is null without one, or when it is cut off', () => {
    expect(runReportOf([line('hello')])).toBeNull();
    expect(runReportOf([line('RUN_REPORT {"rows":')])).toBeNull();
    expect(runReportOf([line('RUN_REPORT {}', 'error')])).toBeNull();
  });
});

describe('followJobLogs', () => {
  it('shows each line once, goes back for late ones, and stops after one more read once the run ended', async () => {
    const batches: string[][] = [];
    const reads: (FilteredLogEvent[] | undefined)[] = [
      [event(RUN, 0, 'one'), event(RUN, 1000, 'two')],
      [event(RUN, 1000, 'two'), event(RUN, 500, 'late'), event(RUN, 2000, 'three')],
      [event(RUN, 2000, 'three'), event(RUN, 3000, 'last')],
    ];
    let call = 0;
    t.logs.on(FilterLogEventsCommand).callsFake((input: { logGroupName: string }) => {
      if (input.logGroupName !== '/aws-glue/jobs/output') return { events: [] };
      return { events: reads[call++] ?? [] };
    });
    t.glue.on(GetJobRunCommand).resolvesOnce({ JobRun: { Id: RUN, JobRunState: 'RUNNING' } }).resolves({ JobRun: { Id: RUN, JobRunState: 'SUCCEEDED' } });

    const result = await followJobLogs(t.ctx, { Id: RUN, JobRunState: 'RUNNING' }, { intervalMs: 0, onEvents: (events) => batches.push(events.map((e) => e.message)) });
    expect(result).toMatchObject({ ended: true, run: { JobRunState: 'SUCCEEDED' } });
    expect(batches).toEqual([['one', 'two'], ['late', 'three'], ['last']]);
    const starts = t.logs
      .commandCalls(FilterLogEventsCommand)
      .filter((c) => c.args[0].input.logGroupName === '/aws-glue/jobs/output')
      .map((c) => c.args[0].input.startTime);
    expect(starts).toEqual([undefined, T0 + 1000 - LATE_MS, T0 + 2000 - LATE_MS]);
  });

  it('stops on Ctrl-C, leaving the run alone', async () => {
    logGroups({});
    t.glue.on(GetJobRunCommand).resolves({ JobRun: { Id: RUN, JobRunState: 'RUNNING' } });
    setTimeout(() => t.controller.abort(), 20);
    await expect(followJobLogs(t.ctx, { Id: RUN }, { intervalMs: 5, onEvents: () => undefined })).resolves.toEqual({ ended: false, reason: 'interrupted' });
  });
});

describe('formatLogs', () => {
  const result = {
    job: 'flight-delays-features',
    runId: RUN,
    state: 'SUCCEEDED',
    startedOn: '2027-04-01T06:00:00.000Z',
    runReport: null,
    events: [
      { time: '2027-04-01T06:00:01.000Z', source: 'output' as const, stream: RUN, message: 'RUN_REPORT {"rows":{}}' },
      { time: '2027-04-01T06:00:02.000Z', source: 'error' as const, stream: `${RUN}_g-7`, message: 'ERROR boom' },
    ],
  };

  it('shows the run, then each line with its time, stream and executor', () => {
    expect(formatLogs(result, { color: false }).split('\n')).toEqual([
      `job flight-delays-features, run ${RUN}: SUCCEEDED, started 2027-04-01T06:00:00.000Z`,
      '2027-04-01T06:00:01.000Z out RUN_REPORT {"rows":{}}',
      '2027-04-01T06:00:02.000Z err [g-7] ERROR boom',
    ]);
  });

  it('highlights the run report line on a terminal, and only that line', () => {
    const lines = formatLogs(result, { color: true }).split('\n');
    expect(lines[1]).toBe('\u001b[1;32m2027-04-01T06:00:01.000Z out RUN_REPORT {"rows":{}}\u001b[0m');
    expect(lines[2]).not.toContain('\u001b[');
    expect(formatLogEvent({ ...result.events[0]!, source: 'error' }, { color: true })).not.toContain('\u001b[');
  });

  it('says where it looked when the run wrote nothing yet', () => {
    expect(formatLogs({ ...result, events: [] }, { color: false })).toContain('no log lines for this run in /aws-glue/jobs/output or /aws-glue/jobs/error yet');
  });
});
