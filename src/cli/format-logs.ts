import type { FollowedJobRun, LogLine, LogsListener, LogsResult } from '../commands/logs.js';
import { JOB_LOG_GROUPS, isRunReport } from '../run/logs.js';

const BOLD_GREEN = '\u001b[1;32m';
const RESET = '\u001b[0m';

export function logsHeader(job: string, runId: string, state: string | undefined, startedOn: string | null): string {
  return `job ${job}, run ${runId}: ${state ?? 'UNKNOWN'}${startedOn ? `, started ${startedOn}` : ''}`;
}

/**
 * One log line: time, `out` (stdout, the output group) or `err` (stderr, the error group), the
 * executor for streams other than the driver's, and the message. The job's RUN_REPORT line stands
 * out in bold green on a terminal.
 */
export function formatLogEvent(event: LogLine, options: { color: boolean }): string {
  // The driver's stream is the run id itself; an executor's adds its own id after it.
  const process = event.stream.replace(/^jr_[0-9a-f]{64}(_attempt_\d+)?[-_]?/, '');
  const line = `${event.time} ${event.source === 'output' ? 'out' : 'err'}${process ? ` [${process}]` : ''} ${event.message}`;
  return options.color && event.source === 'output' && isRunReport(event.message) ? `${BOLD_GREEN}${line}${RESET}` : line;
}

export function formatLogs(result: LogsResult, options: { color: boolean }): string {
  const lines = [logsHeader(result.job, result.runId, result.state, result.startedOn)];
  if (result.events.length === 0) {
    lines.push(
      `no log lines for this run in ${JOB_LOG_GROUPS.output} or ${JOB_LOG_GROUPS.error} yet (Glue writes them while the run goes on; --follow waits for them)`,
    );
  }
  for (const event of result.events) lines.push(formatLogEvent(event, options));
  return lines.join('\n');
}

/** Whether stdout takes colour: a terminal, without NO_COLOR or TERM=dumb, and not --json. */
export function stdoutTakesColor(json: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return !json && process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/**
 * `logs --follow` on the terminal: a header, then each line as it comes; with --json one JSON
 * object per line and no header.
 */
export function followedLogs(json: boolean, color: boolean, write: (text: string) => void): LogsListener {
  return {
    following(run: FollowedJobRun) {
      if (!json) write(`${logsHeader(run.job, run.runId, run.state, run.startedOn)}\n`);
    },
    lines(lines) {
      const text = lines.map((line) => (json ? JSON.stringify(line) : formatLogEvent(line, { color })));
      write(`${text.join('\n')}\n`);
    },
  };
}
