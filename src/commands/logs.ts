import type { CommandEnv } from '../cli/io.js';
import { formatLogEvent, formatLogs, logsHeader, type LogsResult } from '../cli/format-logs.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../core/errors.js';
import { assertRunId, findJobRun, followJobLogs, readJobLogs, runReportOf, type JobLogEvent } from '../run/logs.js';
import { withStack } from '../stack/open-stack.js';

export interface LogsOptions {
  /** A job run id; the job's newest run when omitted. */
  readonly runId: string | undefined;
  readonly follow: boolean;
  readonly pollSeconds: number;
}

export interface LogsOutput {
  /** Where followed lines go as they come: stdout. */
  readonly write: (text: string) => void;
  /** Whether the run report line may be shown in colour: stdout is a terminal that takes it. */
  readonly color: boolean;
}

export function terminalOutput(json: boolean): LogsOutput {
  const env = process.env;
  return {
    write: (text) => process.stdout.write(text),
    color: !json && process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb',
  };
}

/**
 * `logs`: the job run's driver output and error streams from CloudWatch Logs, oldest first, the run
 * report line highlighted on a terminal. With --follow it shows new lines as they arrive until the run
 * has ended; with --json a followed run prints one JSON object per line.
 */
export async function logs({ settings, runtime, io }: CommandEnv, options: LogsOptions, output: LogsOutput = terminalOutput(settings.json)): Promise<number> {
  if (options.runId !== undefined) assertRunId(options.runId);
  return withStack(settings, runtime, async (ctx) => {
    const run = await findJobRun(ctx, options.runId);
    const runId = run.Id!;
    if (!options.follow) {
      const events = await readJobLogs(ctx, runId);
      const result: LogsResult = { job: ctx.names.job, runId, state: run.JobRunState ?? 'UNKNOWN', startedOn: run.StartedOn?.toISOString() ?? null, events: events.map(asJson), runReport: runReportOf(events) };
      io.result(result, (value) => formatLogs(value, { color: output.color }));
      return EXIT_OK;
    }

    if (!settings.json) output.write(`${logsHeader(ctx.names.job, runId, run.JobRunState, run.StartedOn?.toISOString() ?? null)}\n`);
    const outcome = await followJobLogs(ctx, run, {
      intervalMs: options.pollSeconds * 1000,
      onEvents: (events) => {
        const text = events.map((e) => (settings.json ? JSON.stringify(asJson(e)) : formatLogEvent(asJson(e), { color: output.color })));
        output.write(`${text.join('\n')}\n`);
      },
    });
    if (!outcome.ended) {
      runtime.logger.warn(`stopped following run ${runId}; it goes on in Glue`);
      return EXIT_INTERRUPTED;
    }
    runtime.logger.info(`job run ${runId} ended ${outcome.run.JobRunState ?? ''}${outcome.run.ErrorMessage ? `: ${outcome.run.ErrorMessage}` : ''}`.trim());
    return EXIT_OK;
  });
}

function asJson(e: JobLogEvent): LogsResult['events'][number] {
  return { time: new Date(e.timestamp).toISOString(), source: e.source, stream: e.stream, message: e.message };
}
