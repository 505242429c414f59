import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../core/errors.js';
import { assertJobRunId, findJobRun, followJobLogs, readJobLogs, runReportOf, type JobLogEvent, type LogSource } from '../run/logs.js';
import { withStack } from '../stack/open-stack.js';

export interface LogsOptions {
  /** A job run id; the job's newest run when omitted. */
  readonly runId: string | undefined;
  readonly follow: boolean;
  readonly pollSeconds: number;
}

/** What `logs --json` prints for a run (without --follow): its lines oldest first, and the run report. */
export interface LogsResult {
  job: string;
  runId: string;
  state: string;
  startedOn: string | null;
  events: LogLine[];
  /** The JSON of the job's RUN_REPORT line; null when the run printed none (yet). */
  runReport: unknown;
}

/** One line of a job run's logs, as `logs` shows it. */
export interface LogLine {
  time: string;
  source: LogSource;
  stream: string;
  message: string;
}

/** The run being followed (`logs --follow`), told before its first lines. */
export interface FollowedJobRun {
  readonly job: string;
  readonly runId: string;
  readonly state: string | undefined;
  readonly startedOn: string | null;
}

/** Where `logs --follow` hands the lines as they come; the terminal shows them. */
export interface LogsListener {
  following(run: FollowedJobRun): void;
  lines(lines: readonly LogLine[]): void;
}

/**
 * `logs`: the job run's driver output and error streams from CloudWatch Logs, oldest first, the run
 * report line highlighted on a terminal. With --follow it shows new lines as they arrive until the run
 * has ended; with --json a followed run prints one JSON object per line.
 */
export async function logs({ settings, runtime }: CommandEnv, options: LogsOptions, listener?: LogsListener): Promise<Outcome<LogsResult>> {
  if (options.runId !== undefined) assertJobRunId(options.runId);
  return withStack(settings, runtime, async (ctx) => {
    const run = await findJobRun(ctx, options.runId);
    const runId = run.Id!;
    if (!options.follow) {
      const events = await readJobLogs(ctx, runId);
      const result: LogsResult = { job: ctx.names.job, runId, state: run.JobRunState ?? 'UNKNOWN', startedOn: run.StartedOn?.toISOString() ?? null, events: events.map(asJson), runReport: runReportOf(events) };
      return succeeded(result);
    }

    listener?.following({ job: ctx.names.job, runId, state: run.JobRunState, startedOn: run.StartedOn?.toISOString() ?? null });
    const outcome = await followJobLogs(ctx, run, {
      intervalMs: options.pollSeconds * 1000,
      onEvents: (events) => listener?.lines(events.map(asJson)),
    });
    if (!outcome.ended) {
      runtime.logger.warn(`stopped following run ${runId}; it goes on in Glue`);
      return { exitCode: EXIT_INTERRUPTED };
    }
    runtime.logger.info(`job run ${runId} ended ${outcome.run.JobRunState ?? ''}${outcome.run.ErrorMessage ? `: ${outcome.run.ErrorMessage}` : ''}`.trim());
    return { exitCode: EXIT_OK };
  });
}

function asJson(e: JobLogEvent): LogLine {
  return { time: new Date(e.timestamp).toISOString(), source: e.source, stream: e.stream, message: e.message };
}
