import { GetJobRunsCommand, ListCrawlsCommand, type CrawlerHistory, type JobRun } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { GLUE_VERSIONS, type ExecutionClass, type GlueVersion, type WorkerType } from '../core/glue.js';
import type { Settings } from '../core/settings.js';
import { describeCause } from '../core/errors.js';
import { chooseWorkers } from '../resources/job.js';
import type { StackContext } from '../core/context.js';
import { CRAWLER_PRICE_PER_DPU_HOUR, FLEX_PRICE_PER_DPU_HOUR, GLUE_VERSIONS_PRICED, JOB_PRICE_PER_DPU_HOUR, PRICE_TABLE } from './glue-prices.js';

/**
 * What one run of the pipeline costs in Glue compute: an estimate from list prices, never a bill.
 * S3 requests and storage, CloudWatch logs and the Data Catalog are not in it.
 */

/** DPUs per worker: "G.1X 1 DPU, G.2X 2 DPU, G.4X 4 DPU, G.8X 8 DPU" (https://docs.aws.amazon.com/glue/latest/dg/worker-types.html). */
export const DPU_PER_WORKER: Readonly<Record<WorkerType, number>> = { 'G.1X': 1, 'G.2X': 2, 'G.4X': 4, 'G.8X': 8 };

/**
 * Spark jobs of Glue 2.0 and later, Flex ones included, are billed per second with a 1-minute
 * minimum (AWS blog "AWS Glue version 2.0 featuring 10x faster job start times and 1-minute minimum
 * billing duration"; https://aws.amazon.com/glue/pricing/).
 */
export const JOB_MINIMUM_SECONDS = 60;

/** Crawlers are billed per second with a 10-minute minimum per crawl (https://aws.amazon.com/glue/pricing/). */
export const CRAWLER_MINIMUM_SECONDS = 600;

/**
 * Glue chooses how many DPUs a crawl uses and does not say beforehand; the pricing page's crawler
 * example uses 2. A past crawl's own DPU-hours replace this.
 */
export const CRAWLER_ASSUMED_DPUS = 2;

/** The job's run time when neither --expected-minutes nor a successful run says otherwise. */
export const DEFAULT_EXPECTED_MINUTES = 15;

export interface JobEstimate {
  readonly glueVersion: GlueVersion;
  readonly workerType: WorkerType;
  readonly workers: number;
  readonly dpus: number;
  readonly executionClass: ExecutionClass;
  readonly minutes: number;
  /** Where the minutes come from: --expected-minutes, the last successful run, or the default. */
  readonly minutesFrom: 'setting' | 'last-run' | 'assumed';
  /** The minutes in whole seconds, at least the minimum Glue bills. */
  readonly billedSeconds: number;
  readonly dpuHours: number;
  readonly usdPerDpuHour: number | null;
  readonly usd: number | null;
  /** Why there is no price, e.g. "no Flex price for eu-west-1" or "no Glue 6.0 price for us-east-1". */
  readonly noPrice?: string;
}

export interface CrawlerEstimate {
  readonly dpuHours: number;
  /** The last successful crawl's DPU-hours as Glue reports them, or the assumed minimum crawl. */
  readonly dpuHoursFrom: 'last-crawl' | 'assumed';
  readonly usdPerDpuHour: number | null;
  readonly usd: number | null;
  readonly noPrice?: string;
}

/** What `plan` and `up` show (and print in --json as `cost`). */
export interface CostEstimate {
  /** Always true: list prices times expected usage, not what AWS will bill. */
  readonly estimate: true;
  readonly currency: 'USD';
  readonly region: string;
  readonly priceTable: string;
  readonly job: JobEstimate;
  readonly crawler: CrawlerEstimate;
  /** The sum of the parts that have a price; null when none has. */
  readonly totalUsd: number | null;
  /** Whether every part has a price, so the total is the whole run. */
  readonly complete: boolean;
}

/** What the estimate takes from past runs, when there are any. */
export interface RunHistory {
  /** Seconds the last successful job run consumed resources (JobRun.ExecutionTime). */
  readonly lastJobSeconds?: number;
  /** DPU-hours of the last successful crawl, as Glue reports them (CrawlerHistory.DPUHour). */
  readonly lastCrawlDpuHours?: number;
}

type Priced = { readonly usdPerDpuHour: number } | { readonly noPrice: string };

/**
 * The rate of one DPU-hour of the job. Glue 6.0 is billed under usage types of its own, whose rates
 * the table does not hold (src/stack/glue-prices.ts): it has no price rather than 5.x's.
 */
export function jobPrice(region: string, executionClass: ExecutionClass, glueVersion: GlueVersion): Priced {
  if (!GLUE_VERSIONS_PRICED.includes(glueVersion)) return { noPrice: `no Glue ${glueVersion} price for ${region}` };
  const table = executionClass === 'FLEX' ? FLEX_PRICE_PER_DPU_HOUR : JOB_PRICE_PER_DPU_HOUR;
  const price = table[region];
  if (price !== undefined) return { usdPerDpuHour: price };
  return { noPrice: `no ${executionClass === 'FLEX' ? 'Flex ' : ''}price for ${region}` };
}

export function crawlerPrice(region: string): Priced {
  const price = CRAWLER_PRICE_PER_DPU_HOUR[region];
  return price !== undefined ? { usdPerDpuHour: price } : { noPrice: `no crawler price for ${region}` };
}

/** Money as the estimate keeps it: six decimals, so sums of floats do not show 0.30000000000000004. */
export function usd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function priced(dpuHours: number, price: Priced): { usdPerDpuHour: number | null; usd: number | null; noPrice?: string } {
  return 'usdPerDpuHour' in price
    ? { usdPerDpuHour: price.usdPerDpuHour, usd: usd(dpuHours * price.usdPerDpuHour) }
    : { usdPerDpuHour: null, usd: null, noPrice: price.noPrice };
}

export interface JobShape {
  readonly glueVersion: GlueVersion;
  readonly workerType: WorkerType;
  readonly workers: number;
  readonly executionClass: ExecutionClass;
}

/** One job run of `minutes`: workers x DPU per worker x billed time, at the region's rate. */
export function estimateJobRun(job: JobShape, minutes: number, minutesFrom: JobEstimate['minutesFrom'], region: string): JobEstimate {
  const dpus = job.workers * DPU_PER_WORKER[job.workerType];
  const billedSeconds = Math.max(JOB_MINIMUM_SECONDS, Math.ceil(minutes * 60));
  const dpuHours = (dpus * billedSeconds) / 3600;
  return { ...job, dpus, minutes, minutesFrom, billedSeconds, dpuHours: usd(dpuHours), ...priced(dpuHours, jobPrice(region, job.executionClass, job.glueVersion)) };
}

/** One crawl: the DPU-hours a past crawl used, else the assumed DPUs for the minimum billed time. */
export function estimateCrawl(lastCrawlDpuHours: number | undefined, region: string): CrawlerEstimate {
  const known = lastCrawlDpuHours !== undefined && lastCrawlDpuHours > 0;
  const dpuHours = known ? lastCrawlDpuHours : (CRAWLER_ASSUMED_DPUS * CRAWLER_MINIMUM_SECONDS) / 3600;
  return { dpuHours: usd(dpuHours), dpuHoursFrom: known ? 'last-crawl' : 'assumed', ...priced(dpuHours, crawlerPrice(region)) };
}

/** One run of the pipeline as the settings describe it, on `workers` workers: a crawl, then the job. */
export function estimatePipelineRun(
  settings: Pick<Settings, 'glueVersion' | 'workerType' | 'executionClass' | 'expectedMinutes'> & { readonly workers: number },
  region: string,
  history: RunHistory = {},
): CostEstimate {
  const [minutes, from]: [number, JobEstimate['minutesFrom']] =
    settings.expectedMinutes !== undefined
      ? [settings.expectedMinutes, 'setting']
      : history.lastJobSeconds !== undefined && history.lastJobSeconds > 0
        ? [history.lastJobSeconds / 60, 'last-run']
        : [DEFAULT_EXPECTED_MINUTES, 'assumed'];
  const job = estimateJobRun({ glueVersion: settings.glueVersion, workerType: settings.workerType, workers: settings.workers, executionClass: settings.executionClass }, minutes, from, region);
  const crawler = estimateCrawl(history.lastCrawlDpuHours, region);
  const parts = [job.usd, crawler.usd].filter((part): part is number => part !== null);
  return {
    estimate: true,
    currency: 'USD',
    region,
    priceTable: PRICE_TABLE,
    job,
    crawler,
    totalUsd: parts.length > 0 ? usd(parts.reduce((a, b) => a + b, 0)) : null,
    complete: parts.length === 2,
  };
}

/** The DPU-seconds of a finished job run and what they cost. */
export interface JobRunCost {
  /** As Glue reports them (DPUSeconds, for Flex and auto-scaling runs), else execution time x DPUs. */
  readonly dpuSeconds: number | null;
  readonly usd: number | null;
}

/** The DPUs a run had: its workers x DPU per worker, or its MaxCapacity when the type is not ours. */
export function runDpus(run: JobRun): number | undefined {
  const perWorker = run.WorkerType ? DPU_PER_WORKER[run.WorkerType as WorkerType] : undefined;
  if (perWorker !== undefined && run.NumberOfWorkers) return run.NumberOfWorkers * perWorker;
  return run.MaxCapacity || undefined;
}

/**
 * The version a run ran on, as far as its price goes. A version the tool does not offer (a job
 * changed by hand to 4.0, or the 0.9 the emulator reports for every run) is priced as 5.x: every
 * Glue version before 6.0 bills the same DPU-hour rate.
 */
export function runGlueVersion(run: JobRun): GlueVersion {
  const version = run.GlueVersion;
  return version !== undefined && (GLUE_VERSIONS as readonly string[]).includes(version) ? (version as GlueVersion) : '5.0';
}

export function jobRunCost(run: JobRun, region: string): JobRunCost {
  const dpus = runDpus(run);
  const seconds = run.ExecutionTime;
  const measured = run.DPUSeconds ?? (seconds && dpus ? seconds * dpus : undefined);
  if (measured === undefined || measured <= 0) return { dpuSeconds: null, usd: null };
  // The minimum applies to the run's time; DPUSeconds is what Glue counted for the bill itself.
  const billed = run.DPUSeconds ?? Math.max(seconds!, JOB_MINIMUM_SECONDS) * dpus!;
  const price = jobPrice(region, run.ExecutionClass === 'FLEX' ? 'FLEX' : 'STANDARD', runGlueVersion(run));
  return { dpuSeconds: usd(measured), usd: 'usdPerDpuHour' in price ? usd((billed / 3600) * price.usdPerDpuHour) : null };
}

export function crawlCost(crawl: CrawlerHistory, region: string): JobRunCost {
  if (crawl.DPUHour === undefined || crawl.DPUHour <= 0) return { dpuSeconds: null, usd: null };
  const price = crawlerPrice(region);
  return { dpuSeconds: usd(crawl.DPUHour * 3600), usd: 'usdPerDpuHour' in price ? usd(crawl.DPUHour * price.usdPerDpuHour) : null };
}

/** The job runs and crawls Glue keeps (90 days of runs, 12 months of crawls), newest first. */
export async function recentJobRuns(ctx: Pick<StackContext, 'aws' | 'names'>, max: number): Promise<JobRun[]> {
  const answer = await orUndefined(ctx.aws.glue.send(new GetJobRunsCommand({ JobName: ctx.names.job, MaxResults: max })));
  return answer?.JobRuns ?? [];
}

/**
 * ListCrawls documents no order, so every crawl is read (a quarterly crawler has a handful a year,
 * at most a few pages) and the newest kept.
 */
export async function recentCrawls(ctx: Pick<StackContext, 'aws' | 'names'>, max: number): Promise<CrawlerHistory[]> {
  const crawls: CrawlerHistory[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const answer = await orUndefined(ctx.aws.glue.send(new ListCrawlsCommand({ CrawlerName: ctx.names.crawler, MaxResults: 100, NextToken })));
    crawls.push(...(answer?.Crawls ?? []));
    NextToken = answer?.NextToken;
    if (!NextToken) break;
  }
  const time = (crawl: CrawlerHistory) => crawl.StartTime?.getTime() ?? 0;
  return crawls.sort((a, b) => time(b) - time(a)).slice(0, max);
}

/**
 * The estimate `plan` and `up` print, for the job on `workers` workers (the count chosen for the
 * raw data: chooseWorkers). Past runs refine it; not being able to read them (a stack not made
 * yet, or no permission for ListCrawls) only leaves it at the settings' figures.
 */
export async function estimatePipelineRunCost(ctx: StackContext, workers = chooseWorkers(ctx.settings.workers, 0).count): Promise<CostEstimate> {
  let history: RunHistory = {};
  try {
    const [runs, crawls] = await Promise.all([recentJobRuns(ctx, 10), recentCrawls(ctx, 10)]);
    const lastJob = runs.find((run) => run.JobRunState === 'SUCCEEDED' && (run.ExecutionTime ?? 0) > 0);
    const lastCrawl = crawls.find((crawl) => crawl.State === 'COMPLETED' && (crawl.DPUHour ?? 0) > 0);
    history = { lastJobSeconds: lastJob?.ExecutionTime, lastCrawlDpuHours: lastCrawl?.DPUHour };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.logger.debug(`cost estimate without past runs: ${describeCause(error)}`);
  }
  return estimatePipelineRun({ ...ctx.settings, workers }, ctx.aws.region, history);
}
