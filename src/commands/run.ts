import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { formatDuration } from '../core/units.js';
import { EXIT_COST_CEILING, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, ProvisionerError } from '../core/errors.js';
import { ceilingStop } from '../stack/cost-ceiling.js';
import { bucketExists } from '../resources/bucket.js';
import { runJobLocally } from '../run/local-run.js';
import { withLock } from '../stack/lock.js';
import { checkLocalSpark, chooseLocalPython } from '../run/local-tools.js';
import { followPipelineRun, pipelineRunLinks, startOrJoinPipelineRun, type PipelineRun, type PipelineSnapshot } from '../run/pipeline-run.js';
import type { StackContext } from '../core/context.js';
import type { Logger } from '../core/logger.js';
import { withStack } from '../stack/open-stack.js';

export interface RunOptions {
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
  readonly local: boolean;
  /** --python; undefined: the one chooseLocalPython finds. */
  readonly python: string | undefined;
}

/** What `run` prints once a run was started or joined (without --wait). */
export interface PipelineRunStarted {
  readonly runId: string;
  readonly alreadyRunning: boolean;
  readonly links: readonly string[];
}

/** What `run --wait` prints when it stops following the run. */
export interface PipelineRunOutcome {
  readonly runId: string;
  readonly alreadyRunning: boolean;
  readonly succeeded: boolean;
  /** Why the run's end was not seen: the --timeout passed, or the user pressed Ctrl-C. */
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  /** Glue stopped the job run at the timeout --max-usd set (exit 3). */
  readonly stoppedByCeiling: boolean;
  readonly message: string;
  readonly links: readonly string[];
}

/**
 * `run --local`: the job on this machine's Spark against the stack's bucket. Its result is the run
 * report the job wrote, as it wrote it (glue-job/report.py documents its shape).
 */
export async function runLocally({ settings, runtime }: CommandEnv, options: Pick<RunOptions, 'python'>): Promise<Outcome<unknown>> {
  // Check the local tools before touching AWS: a missing Java should not cost a round trip.
  // A relative path names a file here, made absolute: the job runs from a scratch directory.
  const spark = await checkLocalSpark(chooseLocalPython(options.python, settings.glueVersion), settings.glueVersion);
  return withStack(settings, runtime, async (ctx) => {
    if (!(await bucketExists(ctx.aws.s3, ctx.names.bucket))) {
      throw new ProvisionerError(`bucket ${ctx.names.bucket} does not exist: run \`provisioner up\` first`, 'user');
    }
    // Held for the whole local run: it writes processed/, which a teardown meanwhile would delete.
    return succeeded(await withLock(ctx, 'run --local', () => runJobLocally(ctx, spark)));
  });
}

/** `run`: the pipeline now instead of at the next quarter, on Glue; the run is left to go on. */
export async function startPipelineRun({ settings, runtime }: CommandEnv): Promise<Outcome<PipelineRunStarted>> {
  return withStack(settings, runtime, async (ctx) => {
    const { runId, alreadyRunning } = await startOrJoin(ctx, runtime.logger);
    return succeeded({ runId, alreadyRunning, links: pipelineRunLinks(ctx) });
  });
}

/** `run --wait`: starts (or joins) the pipeline's run on Glue and follows it to its end. */
export async function runPipelineToEnd({ settings, runtime }: CommandEnv, options: Pick<RunOptions, 'timeoutMinutes' | 'pollSeconds'>): Promise<Outcome<PipelineRunOutcome>> {
  const { logger, progress } = runtime;
  return withStack(settings, runtime, async (ctx) => {
    const pipelineRun = await startOrJoin(ctx, logger);
    const { runId, alreadyRunning } = pipelineRun;

    let previous = '';
    const result = await followPipelineRun(ctx, pipelineRun, {
      timeoutMs: options.timeoutMinutes * 60_000,
      intervalMs: options.pollSeconds * 1000,
      onSnapshot: (snap, elapsedMs) => {
        const line = describeSnapshot(snap);
        progress.status(`${formatDuration(elapsedMs / 1000)}  ${line}`);
        // Off a terminal the status line is invisible: log each change instead.
        if (line !== previous) logger.info(line);
        previous = line;
      },
    });
    progress.clear();

    if (!result.done) {
      const interrupted = result.reason === 'interrupted';
      const message = interrupted
        ? `stopped waiting; run ${runId} goes on in Glue`
        : `timed out after ${options.timeoutMinutes} min; run ${runId} goes on in Glue`;
      logger.error(message);
      const links = pipelineRunLinks(ctx, result.last?.jobRun?.Id);
      return {
        exitCode: interrupted ? EXIT_INTERRUPTED : EXIT_FAILURE,
        result: { runId, alreadyRunning, succeeded: false, timedOut: !interrupted, interrupted, stoppedByCeiling: false, message, links },
      };
    }
    // A run at the end of the money it was given is told apart from one that broke.
    const ceiling = result.succeeded ? undefined : ceilingStop(result.last.jobRun, ctx.settings, ctx.aws.region);
    const message = ceiling ?? result.message;
    if (result.succeeded) logger.info(message);
    else logger.error(message);
    const outcome: PipelineRunOutcome = {
      runId,
      alreadyRunning,
      succeeded: result.succeeded,
      timedOut: false,
      interrupted: false,
      stoppedByCeiling: ceiling !== undefined,
      message,
      links: pipelineRunLinks(ctx),
    };
    return { exitCode: result.succeeded ? EXIT_OK : ceiling ? EXIT_COST_CEILING : EXIT_FAILURE, result: outcome };
  });
}

/** Starts the pipeline's run, or joins the one in progress, and says which. */
async function startOrJoin(ctx: StackContext, logger: Logger): Promise<PipelineRun> {
  // Held while starting, so a teardown cannot delete the job under a run it has not seen.
  const pipelineRun = (await bucketExists(ctx.aws.s3, ctx.names.bucket)) ? await withLock(ctx, 'run', () => startOrJoinPipelineRun(ctx)) : await startOrJoinPipelineRun(ctx);
  if (pipelineRun.alreadyRunning) {
    logger.warn(`a run of ${ctx.names.workflow} is already in progress (${pipelineRun.runId}, started ${pipelineRun.startedAt.toISOString()}): not starting another`);
  } else {
    logger.info(`started run ${pipelineRun.runId} of workflow ${ctx.names.workflow}`);
  }
  return pipelineRun;
}

export function describeSnapshot(s: PipelineSnapshot): string {
  const crawl = s.crawlState ?? 'waiting';
  const job = s.jobRun ? `${s.jobRun.JobRunState ?? 'STARTING'}` : 'not started';
  return `workflow ${s.workflowStatus ?? 'unknown'} | crawl ${crawl} | job ${job}`;
}
