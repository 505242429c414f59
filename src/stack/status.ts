import { GetWorkflowRunsCommand, type CrawlerHistory, type JobRun, type WorkflowRun } from '@aws-sdk/client-glue';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isNotFound, orUndefined } from '../aws/errors.js';
import { describeCause } from '../core/errors.js';
import type { SparkFigures } from '../report/data.js';
import { LATEST_RUN_REPORT, ShapeError, driftedFeatures, parseDrift, parseSparkFigures, type DriftedFeature } from '../report/run-reports.js';
import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { summarizePrefix, type PrefixSummary } from '../resources/bucket-contents.js';
import type { ResourceKind, StatusFields } from '../resources/resource.js';
import { standaloneResources } from './resources.js';
import { collectAlertStatus, type AlertStatus } from './alert-status.js';
import { findResource } from './plan.js';
import { collectStartStatus, type StartStatus } from './start-status.js';
import { crawlCost, jobRunCost, recentCrawls, recentJobRuns } from './cost.js';
import { runCeiling, type RunCeiling } from './cost-ceiling.js';
import type { Settings } from '../core/settings.js';
import { PRICE_TABLE } from './glue-prices.js';

/** How many runs of each kind `status` shows unless told otherwise (--runs). */
export const DEFAULT_STATUS_RUNS = 5;

/**
 * What `status --json` prints: one object, stable keys. Times are ISO 8601 UTC strings, durations
 * whole seconds, sizes bytes. A missing resource has `exists: false` and no other fields.
 */
export interface StatusReport {
  stack: string;
  account: string;
  region: string;
  resources: ResourceStatus[];
  triggers: TriggerStatus[];
  /** The newest of `workflowRuns` and `jobRuns`: kept for readers of the output before those lists. */
  lastWorkflowRun: RunStatus | null;
  lastJobRun: JobRunStatus | null;
  /** The last runs, newest first. */
  workflowRuns: RunStatus[];
  crawls: CrawlStatus[];
  jobRuns: JobRunStatus[];
  /** Where the costs of runs come from; they are estimates from list prices. */
  priceTable: string;
  objects: Record<'raw' | 'scripts' | 'processed', PrefixSummary>;
  /** How the stack starts (--start-on) and, on arrival, the last arrival; collectStatus always sets it. */
  start?: StartStatus;
  /** Whether failed runs reach anyone (--notify, --notify-topic-arn); collectStatus always sets it. */
  alerts?: AlertStatus;
  /**
   * The newest run report (processed/reports/run_report.json): null when there is none, or no
   * bucket. collectStatus always sets it.
   */
  lastRunReport?: RunReportStatus | null;
}

/** What `status` shows of the newest run report: where it is, when its run started, Spark's figures. */
export interface RunReportStatus {
  location: string;
  startedAt: string | null;
  /** Null when the report has none (written by a job version before them) or they are malformed. */
  spark: SparkFigures | null;
  /** The features of the run's quarters whose drift is above --drift-threshold, worst first; null when the report has no drift figures. */
  drifted: DriftedFeature[] | null;
  driftThreshold: number;
}

export interface ResourceStatus {
  kind: ResourceKind;
  name: string;
  exists: boolean;
  /** Crawler: READY, RUNNING or STOPPING; trigger: ACTIVATED and so on. */
  state?: string;
}

export interface TriggerStatus {
  name: string;
  exists: boolean;
  type?: string;
  state?: string;
  schedule?: string;
}

export interface RunStatus {
  id: string;
  state: string;
  startedOn: string | null;
  completedOn: string | null;
  durationSeconds: number | null;
  error?: string;
}

/** What a run used, as Glue reports it, and what that costs at list prices (null when unknown). */
export interface RunUsage {
  dpuSeconds: number | null;
  costUsd: number | null;
}

export type CrawlStatus = RunStatus & RunUsage;

export interface JobRunStatus extends RunStatus, RunUsage {
  workerType?: string;
  workers?: number;
  executionClass?: string;
  /** The most the run could cost by the timeout it ran with, and whether it hit it; null when Glue recorded no timeout. */
  ceiling: RunCeiling | null;
}

export async function collectStatus(ctx: StackContext, options: { runs?: number } = {}): Promise<StatusReport> {
  const runs = options.runs ?? DEFAULT_STATUS_RUNS;
  const { glue, s3 } = ctx.aws;
  const { names } = ctx;
  const resources = standaloneResources(ctx);

  const [found, workflowRuns, crawls, jobRuns] = await Promise.all([
    Promise.all(resources.map((resource) => findResource(ctx, resource))),
    orUndefined(glue.send(new GetWorkflowRunsCommand({ Name: names.workflow, MaxResults: runs }))),
    recentCrawls(ctx, runs),
    recentJobRuns(ctx, runs),
  ]);
  const entries = resources.map((resource, i) => ({ resource, found: found[i] }));

  const listed: ResourceStatus[] = entries
    // What the settings turned off is listed only while it still exists.
    .filter(({ resource, found: current }) => resource.kind !== 'trigger' && (resource.wanted !== false || current !== undefined))
    .map(({ resource, found: current }) => ({
      kind: resource.kind,
      name: resource.name,
      exists: current !== undefined,
      ...definedOnly({ state: current ? resource.summarize?.(current.state).state : undefined }),
    }));
  // A role passed with --role-arn is not the stack's: shown for what it is, never read.
  if (ctx.settings.roleArn) listed.splice(1, 0, { kind: 'role', name: ctx.settings.roleArn, exists: true, state: 'external' });

  const triggers: TriggerStatus[] = entries
    // The start the settings turned off (--start-on) is listed only while it still exists.
    .filter(({ resource, found: current }) => resource.kind === 'trigger' && (resource.wanted !== false || current !== undefined))
    .map(({ resource, found: current }) =>
      current ? { name: resource.name, exists: true, ...definedOnly(resource.summarize?.(current.state) ?? {}) } : { name: resource.name, exists: false },
    );

  const bucketExists = entries.some(({ resource, found: current }) => resource.kind === 'bucket' && current !== undefined);
  const empty: PrefixSummary = { objects: 0, bytes: 0 };
  // The run report is one small object, read while the prefixes are listed; a missing one is a 404.
  const [[raw, scripts, processed], lastRunReport] = bucketExists
    ? await Promise.all([Promise.all([PREFIX.raw, PREFIX.scripts, PREFIX.processed].map((p) => summarizePrefix(s3, names.bucket, p))), readLastRunReport(ctx)])
    : [[empty, empty, empty], null];

  const listedWorkflowRuns = (workflowRuns?.Runs ?? []).flatMap((run) => workflowRunStatus(run) ?? []);
  const listedJobRuns = jobRuns.flatMap((run) => jobRunHistory(run, ctx.aws.region, ctx.settings) ?? []);

  return {
    stack: names.stack,
    account: ctx.aws.accountId,
    region: ctx.aws.region,
    resources: listed,
    triggers,
    lastWorkflowRun: listedWorkflowRuns[0] ?? null,
    lastJobRun: listedJobRuns[0] ?? null,
    workflowRuns: listedWorkflowRuns,
    crawls: crawls.flatMap((crawl) => crawlStatus(crawl, ctx.aws.region) ?? []),
    jobRuns: listedJobRuns,
    priceTable: PRICE_TABLE,
    objects: { raw: raw!, scripts: scripts!, processed: processed! },
    start: await collectStartStatus(ctx, entries, workflowRuns?.Runs ?? [], bucketExists),
    alerts: await collectAlertStatus(ctx, entries),
    lastRunReport,
  };
}

/**
 * The newest run report the job wrote, or null when there is none yet. It is shown beside the
 * rest: one that cannot be read or is malformed is a warning, never a failed status.
 */
async function readLastRunReport(ctx: StackContext): Promise<RunReportStatus | null> {
  const key = `${PREFIX.processed}${LATEST_RUN_REPORT}`;
  const location = s3Uri(ctx.names.bucket, key);
  let text: string | undefined;
  try {
    const object = await ctx.aws.s3.send(new GetObjectCommand({ Bucket: ctx.names.bucket, Key: key }), { abortSignal: ctx.signal });
    text = await object?.Body?.transformToString('utf-8');
  } catch (error) {
    if (isNotFound(error)) return null;
    if (ctx.signal.aborted) throw error;
    ctx.logger.warn(`cannot read the last run report ${location}: ${describeCause(error)}`);
    return null;
  }
  if (text === undefined) return null;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    ctx.logger.warn(`the last run report ${location} is not a JSON object: left out`);
    return null;
  }
  const report = document as Record<string, unknown>;
  let spark: SparkFigures | null = null;
  try {
    spark = parseSparkFigures(report.spark);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    ctx.logger.warn(`the last run report ${location}: ${error.message}; its Spark figures are left out`);
  }
  let drifted: DriftedFeature[] | null = null;
  try {
    drifted = report.drift === undefined ? null : driftedFeatures(parseDrift(report.drift), ctx.settings.driftThreshold);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    ctx.logger.warn(`the last run report ${location}: ${error.message}; its drift figures are left out`);
  }
  const startedAt = typeof report.started_at === 'string' ? report.started_at : null;
  return { location, startedAt, spark, drifted, driftThreshold: ctx.settings.driftThreshold };
}

/** Leaves out fields without a value (or an empty one), so JSON consumers see only what is known. */
function definedOnly(fields: StatusFields): StatusFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== '')) as StatusFields;
}

function workflowRunStatus(run: WorkflowRun | undefined): RunStatus | null {
  if (!run?.WorkflowRunId) return null;
  return timing(run.WorkflowRunId, run.Status ?? 'UNKNOWN', run.StartedOn, run.CompletedOn, run.ErrorMessage);
}

export function jobRunStatus(run: JobRun | undefined): RunStatus | null {
  if (!run?.Id) return null;
  const status = timing(run.Id, run.JobRunState ?? 'UNKNOWN', run.StartedOn, run.CompletedOn, run.ErrorMessage);
  // Glue measures execution itself; prefer it over the wall clock, which includes queueing.
  if (run.ExecutionTime) status.durationSeconds = run.ExecutionTime;
  return status;
}

/** A job run with the DPU-seconds Glue reports, their cost, and the ceiling its timeout set. */
export function jobRunHistory(run: JobRun, region: string, settings: Pick<Settings, 'maxUsd' | 'glueVersion' | 'workerType' | 'executionClass' | 'jobTimeoutMinutes'>): JobRunStatus | null {
  const status = jobRunStatus(run);
  if (!status) return null;
  const cost = jobRunCost(run, region);
  return {
    ...status,
    ...(run.WorkerType ? { workerType: run.WorkerType } : {}),
    ...(run.NumberOfWorkers ? { workers: run.NumberOfWorkers } : {}),
    ...(run.ExecutionClass ? { executionClass: run.ExecutionClass } : {}),
    dpuSeconds: cost.dpuSeconds,
    costUsd: cost.usd,
    ceiling: runCeiling(run, settings, region),
  };
}

export function crawlStatus(crawl: CrawlerHistory, region: string): CrawlStatus | null {
  if (!crawl.CrawlId) return null;
  const cost = crawlCost(crawl, region);
  return {
    ...timing(crawl.CrawlId, crawl.State ?? 'UNKNOWN', crawl.StartTime, crawl.EndTime, crawl.ErrorMessage),
    dpuSeconds: cost.dpuSeconds,
    costUsd: cost.usd,
  };
}

function timing(id: string, state: string, started: Date | undefined, completed: Date | undefined, error: string | undefined): RunStatus {
  const end = completed ?? undefined;
  return {
    id,
    state,
    startedOn: started?.toISOString() ?? null,
    completedOn: end?.toISOString() ?? null,
    durationSeconds: started ? Math.round(((end ?? new Date()).getTime() - started.getTime()) / 1000) : null,
    ...(error ? { error } : {}),
  };
}
