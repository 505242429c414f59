import {
  BatchStopJobRunCommand,
  GetCrawlerCommand,
  GetJobRunsCommand,
  StopCrawlerCommand,
  type JobRun,
} from '@aws-sdk/client-glue';
import { hasName, orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { pollUntil } from '../util/wait.js';

const ACTIVE_JOB_STATES = new Set(['STARTING', 'RUNNING', 'STOPPING', 'WAITING']);

export function isActiveJobRun(run: JobRun): boolean {
  return ACTIVE_JOB_STATES.has(run.JobRunState ?? '');
}

/**
 * Stops a running crawl and any active job runs, and waits until they have stopped. `crawler` and
 * `job` (both true by default) say whose runs to stop: a crawler or job of another stack is left alone.
 */
export async function stopActiveRuns(
  ctx: StackContext,
  options: { timeoutMs?: number; intervalMs?: number; crawler?: boolean; job?: boolean } = {},
): Promise<void> {
  const { glue } = ctx.aws;
  const { crawler: Name, job: JobName } = ctx.names;
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const intervalMs = options.intervalMs ?? 5_000;

  const crawler = options.crawler === false ? undefined : (await orUndefined(glue.send(new GetCrawlerCommand({ Name }))))?.Crawler;
  if (crawler?.State === 'RUNNING') {
    ctx.logger.info(`stopping the running crawl of ${Name}`);
    try {
      await glue.send(new StopCrawlerCommand({ Name }));
    } catch (error) {
      // It finished between our look and our call: nothing to stop.
      if (!hasName(error, 'CrawlerNotRunningException', 'CrawlerStoppingException')) throw error;
    }
  }
  if (crawler?.State === 'RUNNING' || crawler?.State === 'STOPPING') {
    await pollUntil(
      async () => {
        const state = (await orUndefined(glue.send(new GetCrawlerCommand({ Name }))))?.Crawler?.State;
        return state === undefined || state === 'READY' ? true : undefined;
      },
      { intervalMs, timeoutMs, signal: ctx.signal, what: `crawler ${Name} to stop` },
    );
  }

  if (options.job === false) return;
  const active = await activeJobRunIds(ctx);
  if (active.length === 0) return;
  ctx.logger.info(`stopping ${active.length} active run(s) of job ${JobName}`);
  await glue.send(new BatchStopJobRunCommand({ JobName, JobRunIds: active }));
  await pollUntil(async () => ((await activeJobRunIds(ctx)).length === 0 ? true : undefined), {
    intervalMs,
    timeoutMs,
    signal: ctx.signal,
    what: `job ${JobName} runs to stop`,
  });
}

async function activeJobRunIds(ctx: StackContext): Promise<string[]> {
  const runs = await orUndefined(ctx.aws.glue.send(new GetJobRunsCommand({ JobName: ctx.names.job, MaxResults: 50 })));
  return (runs?.JobRuns ?? []).filter(isActiveJobRun).flatMap((run) => (run.Id ? [run.Id] : []));
}
