import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetJobRunsCommand, type JobRun } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { ProvisionerError } from '../core/errors.js';
import { bucketExists } from '../resources/bucket.js';
import {
  DirectorySource,
  S3Source,
  buildReportFromData,
  loadReportData,
  runsFromReports,
  type Headline,
  type ReportLocations,
  type ReportSource,
  type JobRunSummary,
} from '../report/index.js';
import type { StackContext } from '../core/context.js';
import { withStack } from '../stack/open-stack.js';
import { jobRunCost } from '../stack/cost.js';
import { runCeiling } from '../stack/cost-ceiling.js';
import type { RunCostCeiling } from '../report/data.js';
import { PREFIX, s3Uri } from '../core/names.js';

export interface ReportOptions {
  /** `s3` for the stack's processed/ prefix, or a folder (an `export` of it). */
  readonly from: string;
  readonly out: string;
  readonly open: boolean;
}

/** What `report` prints: where the page is, and its headline numbers. */
export interface ReportResult {
  readonly out: string;
  readonly headline: Headline;
}

/** How many of the job's runs the page shows. */
const RUNS_SHOWN = 10;

/**
 * `report`: the quarter's results as one HTML page, from the run reports and aggregate CSVs of
 * the stack's processed/ prefix or of an exported folder (never the feature table itself).
 */
export async function report({ settings, runtime }: CommandEnv, options: ReportOptions): Promise<Outcome<ReportResult>> {
  const out = path.resolve(options.out);
  const built =
    options.from === 's3'
      ? await withStack(settings, runtime, async (ctx) => {
          if (!(await bucketExists(ctx.aws.s3, ctx.names.bucket))) {
            throw new ProvisionerError(`bucket ${ctx.names.bucket} does not exist: run \`provisioner up\` first, or pass --from FOLDER`, 'user');
          }
          const locations: ReportLocations = {
            processed: s3Uri(ctx.names.bucket, PREFIX.processed),
            raw: s3Uri(ctx.names.bucket, PREFIX.raw),
          };
          return build(new S3Source(ctx.aws.s3, ctx.names.bucket, PREFIX.processed), locations, settings.driftThreshold, () => glueRuns(ctx));
        })
      : await build(new DirectorySource(path.resolve(options.from)), { processed: path.resolve(options.from) }, settings.driftThreshold, async () => []);
  await writeFile(out, built.html);
  runtime.logger.info(`wrote ${out}`);
  if (options.open) openInBrowser(out, runtime.logger);
  return succeeded({ out, headline: built.headline });
}

async function build(source: ReportSource, locations: ReportLocations, driftThreshold: number, runs: () => Promise<JobRunSummary[]>) {
  const data = await loadReportData(source);
  const glue = await runs();
  // Runs made on local Spark are known only from their reports.
  return buildReportFromData(data, { runs: glue.length > 0 ? glue : runsFromReports(data.reports), locations, driftThreshold });
}

/** The job's last runs on Glue, as the page's run chart wants them: priced as `status` prices them, with their ceilings. */
export async function glueRuns(ctx: StackContext): Promise<JobRunSummary[]> {
  const response = await orUndefined(ctx.aws.glue.send(new GetJobRunsCommand({ JobName: ctx.names.job, MaxResults: RUNS_SHOWN })));
  // Glue measures execution itself; a run without it (still starting) is left out.
  return (response?.JobRuns ?? []).flatMap((run) => {
    if (!run.Id || !run.StartedOn || run.ExecutionTime === undefined) return [];
    const cost = jobRunCost(run, ctx.aws.region).usd;
    const ceiling = costCeilingOf(ctx, run);
    return [{ id: run.Id, startedOn: run.StartedOn, durationSeconds: run.ExecutionTime, ...(cost !== null ? { costUsd: cost } : {}), ...(ceiling ? { ceiling } : {}) }];
  });
}

/** The --max-usd that set the run's timeout, else what that timeout allows at list price; undefined when neither is known. */
function costCeilingOf(ctx: StackContext, run: JobRun): RunCostCeiling | undefined {
  const ceiling = runCeiling(run, ctx.settings, ctx.aws.region);
  if (!ceiling) return undefined;
  const { timeoutMinutes, hit } = ceiling;
  if (ceiling.maxUsd !== null) return { usd: ceiling.maxUsd, from: 'max-usd', timeoutMinutes, hit };
  return ceiling.usd === null ? undefined : { usd: ceiling.usd, from: 'timeout', timeoutMinutes, hit };
}

/** Best effort: a missing opener is a warning, never a failure (the page is written either way). */
function openInBrowser(file: string, logger: CommandEnv['runtime']['logger']): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [file], { stdio: 'ignore', detached: true });
  child.on('error', () => logger.warn(`could not open ${file} (no ${opener}); open it in a browser`));
  child.unref();
}
