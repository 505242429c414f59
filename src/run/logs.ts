import { paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { GetJobRunCommand, GetJobRunsCommand, type JobRun } from '@aws-sdk/client-glue';
import { isNotFound, orUndefined } from '../aws/errors.js';
import { ProvisionerError, UsageError } from '../core/errors.js';
import type { StackContext } from '../core/context.js';
import { sleep } from '../util/wait.js';
import { REPORT_PREFIX } from './local-run.js';

/**
 * Where a Glue job's driver and executors write: stdout to the output group, stderr (Spark's own
 * log, tracebacks) to the error group, each process to a stream named after the run id (the driver's
 * is the run id itself). The stack's job sets no security configuration, which would rename them.
 */
export const JOB_LOG_GROUPS = { output: '/aws-glue/jobs/output', error: '/aws-glue/jobs/error' } as const;

export type LogSource = keyof typeof JOB_LOG_GROUPS;

export interface JobLogEvent {
  /** Milliseconds since the epoch, as CloudWatch Logs gives it. */
  readonly timestamp: number;
  readonly source: LogSource;
  readonly stream: string;
  readonly message: string;
  readonly id: string;
}

const RUN_ID = /^jr_[0-9a-f]{64}(_attempt_\d+)?$/;

/** How many of the job's runs one look at its newest reads. */
const RUNS_LOOKED_AT = 25;

/** States a job run does not leave. */
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR', 'EXPIRED']);

export function jobRunEnded(run: Pick<JobRun, 'JobRunState'>): boolean {
  return run.JobRunState !== undefined && ENDED.has(run.JobRunState);
}

/** --run: a Glue job run id, checked before any AWS call. */
export function assertJobRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new UsageError(`invalid --run "${runId}": expected a Glue job run id, jr_ and 64 hex digits, as status and run print it`);
  }
}

/** The job run to show: the one given with --run, or the job's newest. */
export async function findJobRun(ctx: Pick<StackContext, 'aws' | 'names'>, runId?: string): Promise<JobRun> {
  const { glue } = ctx.aws;
  const JobName = ctx.names.job;
  if (runId !== undefined) {
    assertJobRunId(runId);
    try {
      const run = (await glue.send(new GetJobRunCommand({ JobName, RunId: runId }))).JobRun;
      if (run) return run;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    throw new UsageError(`invalid --run "${runId}": job ${JobName} has no such run; valid: the id of one of its runs (provisioner status lists them)`);
  }
  const runs = await orUndefined(glue.send(new GetJobRunsCommand({ JobName, MaxResults: RUNS_LOOKED_AT })));
  if (!runs) throw new ProvisionerError(`job ${JobName} does not exist: run \`provisioner up\` first`, 'user');
  // Glue lists the newest run first; emulators may not, so the start times decide.
  const newest = [...(runs.JobRuns ?? [])].sort((a, b) => (b.StartedOn?.getTime() ?? 0) - (a.StartedOn?.getTime() ?? 0))[0];
  if (!newest?.Id) throw new ProvisionerError(`job ${JobName} has not run yet: start it with \`provisioner run\``, 'user');
  return newest;
}

/** Re-reads a run's state. */
export async function refreshJobRun(ctx: Pick<StackContext, 'aws' | 'names'>, runId: string): Promise<JobRun | undefined> {
  return (await orUndefined(ctx.aws.glue.send(new GetJobRunCommand({ JobName: ctx.names.job, RunId: runId }))))?.JobRun;
}

/**
 * The run's events in both groups from `startTime` on (every event without it), oldest first. A
 * group that does not exist yet (a run that has not written) has none.
 */
export async function readJobLogs(ctx: Pick<StackContext, 'aws'>, runId: string, startTime?: number): Promise<JobLogEvent[]> {
  const groups = await Promise.all(
    (Object.keys(JOB_LOG_GROUPS) as LogSource[]).map((source) => readGroup(ctx, source, runId, startTime)),
  );
  // A stable sort: events of one timestamp keep the order CloudWatch Logs gave them.
  return groups.flat().sort((a, b) => a.timestamp - b.timestamp);
}

async function readGroup(ctx: Pick<StackContext, 'aws'>, source: LogSource, runId: string, startTime: number | undefined): Promise<JobLogEvent[]> {
  const events: JobLogEvent[] = [];
  const input = { logGroupName: JOB_LOG_GROUPS[source], logStreamNamePrefix: runId, ...(startTime !== undefined ? { startTime } : {}) };
  try {
    for await (const page of paginateFilterLogEvents({ client: ctx.aws.logs }, input)) {
      for (const e of page.events ?? []) {
        // Checked here too: some emulators ignore logStreamNamePrefix and answer for every stream.
        if (!e.logStreamName?.startsWith(runId)) continue;
        events.push({
          timestamp: e.timestamp ?? 0,
          source,
          stream: e.logStreamName,
          message: (e.message ?? '').replace(/\r?\n$/, ''),
          id: e.eventId ?? `${e.timestamp}:${events.length}`,
        });
      }
    }
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return events;
}

/** The run report the job printed (one line, RUN_REPORT and JSON), if it did. */
export function runReportOf(events: readonly JobLogEvent[]): unknown {
  const line = events.find((e) => e.source === 'output' && isRunReport(e.message));
  if (!line) return null;
  try {
    return JSON.parse(line.message.slice(line.message.indexOf(REPORT_PREFIX) + REPORT_PREFIX.length));
  } catch {
    return null;
  }
}

export function isRunReport(message: string): boolean {
  return message.startsWith(REPORT_PREFIX);
}

export interface FollowLogsOptions {
  readonly intervalMs: number;
  /** Called with each batch of new events, oldest first. */
  readonly onEvents: (events: readonly JobLogEvent[]) => void;
}

export type FollowLogsResult = { readonly ended: true; readonly run: JobRun } | { readonly ended: false; readonly reason: 'interrupted' };

/**
 * Reads the run's new events every `intervalMs` until the run has ended and one more read found what
 * arrived late, or Ctrl-C. CloudWatch Logs can take some seconds to show an event, and an event can
 * show up after later ones: each read goes back LATE_MS, and events already shown are skipped.
 */
export async function followJobLogs(ctx: Pick<StackContext, 'aws' | 'names' | 'signal'>, run: JobRun, options: FollowLogsOptions): Promise<FollowLogsResult> {
  const runId = run.Id!;
  const shown = new Map<string, number>();
  let newest = 0;
  let current = run;
  let endedSeen = false;
  for (;;) {
    if (ctx.signal.aborted) return { ended: false, reason: 'interrupted' };
    const since = newest === 0 ? undefined : newest - LATE_MS;
    // Older events than asked for were shown before, and their keys may be gone.
    const events = (await readJobLogs(ctx, runId, since)).filter((e) => (since === undefined || e.timestamp >= since) && !shown.has(eventKey(e)));
    for (const e of events) {
      shown.set(eventKey(e), e.timestamp);
      newest = Math.max(newest, e.timestamp);
    }
    // Keys of events too old to be read again are not needed any more.
    for (const [key, timestamp] of shown) if (timestamp < newest - LATE_MS) shown.delete(key);
    if (events.length > 0) options.onEvents(events);
    if (endedSeen) return { ended: true, run: current };
    current = (await refreshJobRun(ctx, runId)) ?? current;
    // One more read after the end: the last lines may not be there yet.
    if (jobRunEnded(current)) endedSeen = true;
    await sleep(options.intervalMs, ctx.signal);
  }
}

/** How far back each read of a followed run goes again, for events that arrived late. */
export const LATE_MS = 30_000;

function eventKey(e: JobLogEvent): string {
  return `${e.source}\u0000${e.stream}\u0000${e.id}`;
}
