import {
  GetJobRunCommand,
  GetJobRunsCommand,
  GetWorkflowCommand,
  GetWorkflowRunCommand,
  GetWorkflowRunsCommand,
  ListCrawlsCommand,
  StartWorkflowRunCommand,
  type JobRun,
} from '@aws-sdk/client-glue';
import { hasName, orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { ProvisionerError } from '../core/errors.js';
import { sleep } from '../util/wait.js';

/** A workflow run this command started, or found already running. */
export interface PipelineRun {
  readonly runId: string;
  readonly startedAt: Date;
  readonly alreadyRunning: boolean;
}

/** What the pipeline looks like at one moment of a run. */
export interface PipelineSnapshot {
  readonly workflowStatus: string | undefined;
  /** RUNNING, COMPLETED, FAILED or STOPPED (ListCrawls' states), once a crawl of this run exists. */
  readonly crawlState: string | undefined;
  readonly crawlError: string | undefined;
  readonly jobRun: JobRun | undefined;
}

export type Verdict =
  | { readonly done: false }
  | { readonly done: true; readonly succeeded: boolean; readonly message: string };

/** Runs started within this much before the workflow run still count as its own (clock skew). */
const SKEW_MS = 60_000;
const FAILED_JOB_STATES = new Set(['FAILED', 'ERROR', 'TIMEOUT', 'STOPPED', 'EXPIRED']);
const ENDED_WORKFLOW_STATES = new Set(['COMPLETED', 'STOPPED', 'ERROR']);

/**
 * Starts the workflow as its schedule would: the crawl first, then the job through the
 * conditional trigger. A run already in progress is joined, never duplicated.
 */
export async function startOrJoinPipelineRun(ctx: StackContext): Promise<PipelineRun> {
  const { glue } = ctx.aws;
  const Name = ctx.names.workflow;
  const workflow = await orUndefined(glue.send(new GetWorkflowCommand({ Name })));
  if (!workflow?.Workflow) {
    throw new ProvisionerError(`workflow ${Name} does not exist: run \`provisioner up\` first`, 'user');
  }
  const running = await findRunningRun(ctx);
  if (running) return running;
  try {
    const { RunId } = await glue.send(new StartWorkflowRunCommand({ Name }));
    if (!RunId) throw new ProvisionerError(`StartWorkflowRun for ${Name} returned no run id`);
    const run = await orUndefined(glue.send(new GetWorkflowRunCommand({ Name, RunId })));
    return { runId: RunId, startedAt: run?.Run?.StartedOn ?? new Date(), alreadyRunning: false };
  } catch (error) {
    // Someone else started one between our look and our start.
    if (hasName(error, 'ConcurrentRunsExceededException')) {
      const joined = await findRunningRun(ctx);
      if (joined) return joined;
    }
    throw error;
  }
}

async function findRunningRun(ctx: StackContext): Promise<PipelineRun | undefined> {
  const runs = await ctx.aws.glue.send(new GetWorkflowRunsCommand({ Name: ctx.names.workflow, MaxResults: 10 }));
  const running = runs.Runs?.find((run) => run.Status === 'RUNNING' && run.WorkflowRunId);
  if (!running?.WorkflowRunId) return undefined;
  return { runId: running.WorkflowRunId, startedAt: running.StartedOn ?? new Date(), alreadyRunning: true };
}

/** Reads the workflow run, the crawl and the job run that belong to it. */
export async function snapshot(ctx: StackContext, run: PipelineRun): Promise<PipelineSnapshot> {
  const { glue } = ctx.aws;
  const since = run.startedAt.getTime() - SKEW_MS;
  const [workflowRun, crawls, jobRuns] = await Promise.all([
    glue.send(new GetWorkflowRunCommand({ Name: ctx.names.workflow, RunId: run.runId })),
    orUndefined(glue.send(new ListCrawlsCommand({ CrawlerName: ctx.names.crawler, MaxResults: 5 }))),
    orUndefined(glue.send(new GetJobRunsCommand({ JobName: ctx.names.job, MaxResults: 10 }))),
  ]);
  const crawl = (crawls?.Crawls ?? [])
    .filter((c) => (c.StartTime?.getTime() ?? 0) >= since)
    .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))[0];
  const listed = (jobRuns?.JobRuns ?? [])
    .filter((r) => (r.StartedOn?.getTime() ?? 0) >= since)
    .sort((a, b) => (b.StartedOn?.getTime() ?? 0) - (a.StartedOn?.getTime() ?? 0))[0];
  // Re-read the run by id: the list can lag behind the run's own state.
  const jobRun = listed?.Id
    ? ((await orUndefined(glue.send(new GetJobRunCommand({ JobName: ctx.names.job, RunId: listed.Id }))))?.JobRun ?? listed)
    : undefined;
  return {
    workflowStatus: workflowRun.Run?.Status,
    crawlState: crawl?.State,
    crawlError: crawl?.ErrorMessage,
    jobRun,
  };
}

/** Pure: whether the run has ended, and how. Only a SUCCEEDED job run is a success. */
export function verdict(s: PipelineSnapshot): Verdict {
  const jobState = s.jobRun?.JobRunState;
  if (jobState === 'SUCCEEDED') return { done: true, succeeded: true, message: `job run ${s.jobRun?.Id} SUCCEEDED` };
  if (jobState && FAILED_JOB_STATES.has(jobState)) {
    const reason = s.jobRun?.ErrorMessage ? `: ${s.jobRun.ErrorMessage}` : '';
    return { done: true, succeeded: false, message: `job run ${s.jobRun?.Id} ${jobState}${reason}` };
  }
  if (!s.jobRun && (s.crawlState === 'FAILED' || s.crawlState === 'STOPPED')) {
    const reason = s.crawlError ? `: ${s.crawlError}` : '';
    return { done: true, succeeded: false, message: `the crawl ${s.crawlState}${reason}; the job was not started` };
  }
  if (!s.jobRun && s.workflowStatus && ENDED_WORKFLOW_STATES.has(s.workflowStatus)) {
    return { done: true, succeeded: false, message: `the workflow run ended (${s.workflowStatus}) without starting the job` };
  }
  return { done: false };
}

export interface FollowOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly onSnapshot?: (s: PipelineSnapshot, elapsedMs: number) => void;
}

/** Why following a run stopped before it ended: the --timeout passed, or the user pressed Ctrl-C. */
export type StopReason = 'timeout' | 'interrupted';

export type FollowResult =
  | (Verdict & { done: true; last: PipelineSnapshot })
  | { done: false; reason: StopReason; last: PipelineSnapshot | undefined };

/** Polls the run until it ends, the timeout passes or the user interrupts; Glue has no waiters. */
export async function followPipelineRun(ctx: StackContext, run: PipelineRun, options: FollowOptions): Promise<FollowResult> {
  const started = Date.now();
  let last: PipelineSnapshot | undefined;
  for (;;) {
    if (ctx.signal.aborted) return { done: false, reason: 'interrupted', last };
    last = await snapshot(ctx, run);
    options.onSnapshot?.(last, Date.now() - started);
    const result = verdict(last);
    if (result.done) return { ...result, last };
    if (Date.now() - started >= options.timeoutMs) return { done: false, reason: 'timeout', last };
    await sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - (Date.now() - started))), ctx.signal);
  }
}

/** Where to look in the AWS console and CloudWatch Logs for this run. */
export function pipelineRunLinks(ctx: Pick<StackContext, 'aws' | 'names'>, jobRunId?: string): string[] {
  const { region } = ctx.aws;
  const console = `https://${region}.console.aws.amazon.com`;
  const links = [
    `workflow: ${console}/glue/home?region=${region}#/v2/etl-configuration/workflows/view/${encodeURIComponent(ctx.names.workflow)}`,
    `job runs: ${console}/gluestudio/home?region=${region}#/job/${encodeURIComponent(ctx.names.job)}/runs`,
    `crawler logs: CloudWatch log group /aws-glue/crawlers, stream ${ctx.names.crawler}`,
    `job logs: CloudWatch log groups /aws-glue/jobs/output and /aws-glue/jobs/error${jobRunId ? `, stream ${jobRunId}` : ''}`,
  ];
  return links;
}
