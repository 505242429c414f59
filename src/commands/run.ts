import path from 'node:path';
import { destroyClients } from '../aws/clients.js';
import { EXIT_FAILURE, EXIT_OK, ProvisionerError } from '../errors.js';
import { bucketExists } from '../resources/bucket.js';
import { followRun, runLinks, startOrJoinRun, type PipelineSnapshot } from '../run/pipeline-run.js';
import { runJobLocally } from '../run/local-run.js';
import { checkLocalSpark } from '../run/local-tools.js';
import { formatRunReport } from '../cli/run-report.js';
import { openStack } from '../stack/resources.js';
import type { CommandEnv } from '../cli/io.js';

export interface RunOptions {
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
  readonly local: boolean;
  readonly python: string;
}

/** `run`: the pipeline now instead of at the next quarter, on Glue or on this machine's Spark. */
export async function run(env: CommandEnv, options: RunOptions): Promise<number> {
  return options.local ? runLocal(env, options) : runOnGlue(env, options);
}

async function runLocal({ settings, runtime, io }: CommandEnv, options: RunOptions): Promise<number> {
  // Check the local tools before touching AWS: a missing Java should not cost a round trip.
  // A relative path names a file here; the job runs from a scratch directory.
  const python = options.python.includes('/') ? path.resolve(options.python) : options.python;
  const spark = await checkLocalSpark(python);
  const ctx = await openStack(settings, runtime);
  try {
    if (!(await bucketExists(ctx.aws.s3, ctx.names.bucket))) {
      throw new ProvisionerError(`bucket ${ctx.names.bucket} does not exist: run \`provisioner up\` first`, 'user');
    }
    const report = await runJobLocally(ctx, spark);
    io.out(settings.json ? JSON.stringify(report, null, 2) : formatRunReport(report));
    return EXIT_OK;
  } finally {
    destroyClients(ctx.aws);
  }
}

async function runOnGlue({ settings, runtime, io }: CommandEnv, options: RunOptions): Promise<number> {
  const { logger, progress } = runtime;
  const ctx = await openStack(settings, runtime);
  try {
    const pipelineRun = await startOrJoinRun(ctx);
    if (pipelineRun.alreadyRunning) {
      logger.warn(`a run of ${ctx.names.workflow} is already in progress (${pipelineRun.runId}, started ${pipelineRun.startedAt.toISOString()}): not starting another`);
    } else {
      logger.info(`started run ${pipelineRun.runId} of workflow ${ctx.names.workflow}`);
    }
    if (!options.wait) {
      io.out(
        settings.json
          ? JSON.stringify({ runId: pipelineRun.runId, alreadyRunning: pipelineRun.alreadyRunning }, null, 2)
          : [`run ${pipelineRun.runId}${pipelineRun.alreadyRunning ? ' (already in progress)' : ''}`, ...runLinks(ctx)].join('\n'),
      );
      return EXIT_OK;
    }

    let previous = '';
    const result = await followRun(ctx, pipelineRun, {
      timeoutMs: options.timeoutMinutes * 60_000,
      intervalMs: options.pollSeconds * 1000,
      onSnapshot: (snap, elapsedMs) => {
        const line = describeSnapshot(snap);
        progress.status(`${formatElapsed(elapsedMs)}  ${line}`);
        // Off a terminal the status line is invisible: log each change instead.
        if (line !== previous) logger.info(line);
        previous = line;
      },
    });
    progress.clear();

    const jobRunId = result.done ? undefined : result.last?.jobRun?.Id;
    const links = runLinks(ctx, jobRunId);
    if (!result.done) {
      const message = ctx.signal.aborted
        ? `stopped waiting; run ${pipelineRun.runId} goes on in Glue`
        : `timed out after ${options.timeoutMinutes} min; run ${pipelineRun.runId} goes on in Glue`;
      logger.error(message);
      io.out(settings.json ? JSON.stringify({ runId: pipelineRun.runId, succeeded: false, timedOut: true }, null, 2) : links.join('\n'));
      return EXIT_FAILURE;
    }
    if (result.succeeded) logger.info(result.message);
    else logger.error(result.message);
    io.out(
      settings.json
        ? JSON.stringify({ runId: pipelineRun.runId, alreadyRunning: pipelineRun.alreadyRunning, succeeded: result.succeeded, message: result.message }, null, 2)
        : [result.message, ...links].join('\n'),
    );
    return result.succeeded ? EXIT_OK : EXIT_FAILURE;
  } finally {
    destroyClients(ctx.aws);
  }
}

export function describeSnapshot(s: PipelineSnapshot): string {
  const crawl = s.crawlState ?? 'waiting';
  const job = s.jobRun ? `${s.jobRun.JobRunState ?? 'STARTING'}` : 'not started';
  return `workflow ${s.workflowStatus ?? 'unknown'} | crawl ${crawl} | job ${job}`;
}

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
