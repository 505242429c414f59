import { setMaxListeners } from 'node:events';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { resolveSettings, type RawOptions } from '../config/settings.js';
import type { Settings } from '../core/settings.js';
import { EXIT_INTERRUPTED, EXIT_USAGE, InterruptedError, ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createLogger } from './logger.js';
import { createProgress } from './progress.js';
import { terminalIo, type TerminalIo } from './io.js';
import type { CommandEnv } from '../commands/command.js';
import { formatChanges, formatExport, formatReport, formatRunOutcome, formatRunStarted, formatStatus, formatTeardown, formatUnlock } from './format.js';
import { followedLogs, formatLogs, stdoutTakesColor } from './format-logs.js';
import { formatRunReport } from './run-report.js';
import { shown, stepsAsText } from './show.js';
import { bindValues } from './argv.js';
import { exportOptions, nonEmpty, optionalText, positiveNumber, runCount } from './command-options.js';
import { boundFlags, commandFlags, globalOptions } from './options.js';
import { runManifestStatus, status } from '../commands/status.js';
import { teardown } from '../commands/teardown.js';
import { up } from '../commands/up.js';
import { check } from '../commands/check.js';
import { formatContractCheck } from './format-contract.js';
import { formatRunManifest, formatVerify } from './format-manifest.js';
import { runLocally, runPipelineToEnd, startPipelineRun } from '../commands/run.js';
import { logs } from '../commands/logs.js';
import { exportResults, verifyExported } from '../commands/export.js';
import { cycle } from '../commands/cycle.js';
import { unlock } from '../commands/unlock.js';

/**
 * Exit code after SIGTERM (what Kubernetes, systemd and most schedulers send to stop a process):
 * 128 + 15, as a shell reports a process that SIGTERM ended. Ctrl-C (SIGINT) gives 130, 128 + 2.
 */
export const EXIT_TERMINATED = 143;

/**
 * The only place that knows about yargs, process signals and exit codes. Options come from flags,
 * then PROVISIONER_* environment variables, then the --config JSON file, then defaults
 * (config/sources.ts).
 */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  // Every request in flight and every task waiting for a transfer slot listens for the interrupt:
  // as many as --max-requests allows, beyond Node's default warning threshold of 10.
  setMaxListeners(0, controller.signal);
  let logger: Logger = createLogger('info', 'pretty');
  // SIGTERM takes the path of Ctrl-C: the current AWS call finishes, open uploads are aborted.
  let interruptedExit = EXIT_INTERRUPTED;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
    if (controller.signal.aborted) process.exit(code);
    interruptedExit = code;
    logger.warn(
      signal === 'SIGTERM'
        ? 'interrupting on SIGTERM: finishing the current AWS call (send SIGTERM again to quit at once)'
        : 'interrupting: finishing the current AWS call (press Ctrl-C again to quit at once)',
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exitCode = 0;
  // Warnings about the options' sources, logged once the settings say how.
  const optionWarnings: string[] = [];
  // Every command handler gets validated settings, a logger, progress and the interrupt signal;
  // each shows its result through the terminal's io and hands back the exit code.
  const withSettings = (command: (env: CommandEnv, args: Record<string, unknown>, io: TerminalIo) => Promise<number>) => async (args: Record<string, unknown>) => {
    const settings: Settings = resolveSettings(args as RawOptions);
    const progress = createProgress();
    logger = createLogger(settings.logLevel, settings.logFormat, progress.clear);
    for (const warning of optionWarnings) logger.warn(warning);
    const runtime = { logger, progress, signal: controller.signal };
    const io = terminalIo(settings.json);
    exitCode = await command({ settings, runtime, confirm: io.confirm }, args, io);
    // A command that returns "interrupted" itself (run --wait) was interrupted by this signal.
    if (exitCode === EXIT_INTERRUPTED && controller.signal.aborted) exitCode = interruptedExit;
  };

  try {
    await globalOptions(yargs(bindValues(hideBin(['node', 'provisioner', ...argv]), boundFlags())), (warning) => optionWarnings.push(warning))
      .command(
        'up',
        'Create or converge the whole pipeline',
        (y) => y.options(commandFlags('up')),
        withSettings((env, a, io) => shown(io, up(env, { dryRun: a.dryRun === true }), formatChanges)),
      )
      .command('plan', 'Print what up would do, change nothing (= up --dry-run)', (y) => y, withSettings((env, _a, io) => shown(io, up(env, { dryRun: true }), formatChanges)))
      .command(
        'check',
        'Check the raw files against the data contract, as plan and up do, and upload nothing (no AWS call)',
        (y) => y,
        withSettings((env, _a, io) => shown(io, check(env), (result) => formatContractCheck(result, env.settings.dataDir))),
      )
      .command(
        'status',
        'Show what exists, its state, the last runs with their cost, and object counts',
        (y) => y.options(commandFlags('status')),
        withSettings((env, a, io) =>
          a.run === undefined ? shown(io, status(env, { runs: runCount(a.runs) }), formatStatus) : shown(io, runManifestStatus(env, nonEmpty(a.run, 'run')), formatRunManifest),
        ),
      )
      .command(
        'teardown',
        'Delete everything this stack created, data included',
        (y) => y.options(commandFlags('teardown')),
        withSettings((env, a, io) => shown(io, teardown(env, { yes: a.yes === true }), formatTeardown)),
      )
      .command(
        'run',
        'Run the pipeline now: the crawl, then the job (on Glue, or --local on this machine)',
        (y) => y.options(commandFlags('run')),
        withSettings((env, a, io) => {
          const timing = { timeoutMinutes: positiveNumber(a.timeout, 'timeout'), pollSeconds: positiveNumber(a.pollInterval, 'poll-interval') };
          if (a.local === true) return shown(io, runLocally(env, { python: optionalText(a.python, 'python') }), formatRunReport);
          return a.wait === true ? shown(io, runPipelineToEnd(env, timing), formatRunOutcome) : shown(io, startPipelineRun(env), formatRunStarted);
        }),
      )
      .command(
        'logs',
        "Show the job run's output and error logs from CloudWatch (the newest run, or --run ID)",
        (y) => y.options(commandFlags('logs')),
        withSettings((env, a, io) => {
          const options = { runId: a.run === undefined ? undefined : String(a.run), follow: a.follow === true, pollSeconds: positiveNumber(a.pollInterval, 'poll-interval') };
          const color = stdoutTakesColor(env.settings.json);
          const following = followedLogs(env.settings.json, color, (text) => process.stdout.write(text));
          return shown(io, logs(env, options, following), (result) => formatLogs(result, { color }));
        }),
      )
      .command(
        'report',
        "Write the quarter's results as one HTML page with charts",
        (y) => y.options(commandFlags('report')),
        // Loaded when asked for: the charting libraries would cost every other command memory and start-up time.
        withSettings(async (env, a, io) =>
          shown(io, (await import('../commands/report.js')).report(env, { from: nonEmpty(a.from, 'from'), out: nonEmpty(a.out, 'out'), open: a.open === true }), formatReport),
        ),
      )
      .command(
        'export',
        "Copy the results (processed/) out of the stack's bucket, into a folder or another bucket",
        (y) => y.options(commandFlags('export')),
        withSettings((env, a, io) =>
          a.verify === true ? shown(io, verifyExported(env, { to: nonEmpty(a.to, 'to') }), formatVerify) : shown(io, exportResults(env, exportOptions(a)), formatExport),
        ),
      )
      .command(
        'cycle',
        'One quarter without standing infrastructure: up, run and wait, export, teardown',
        (y) => y.options(commandFlags('cycle')),
        withSettings((env, a, io) => {
          const options = {
            ...exportOptions(a),
            local: a.local === true,
            python: optionalText(a.python, 'python'),
            timeoutMinutes: positiveNumber(a.timeout, 'timeout'),
            pollSeconds: positiveNumber(a.pollInterval, 'poll-interval'),
            yes: a.yes === true,
            teardownOnFailure: a.teardownOnFailure === true,
          };
          // As text each step shows its result as it ends; with --json the cycle's result holds them all.
          return shown(io, cycle(env, options, stepsAsText(io, env.settings.json, options.local)), () => undefined);
        }),
      )
      .command(
        'unlock <id>',
        'Remove the lock a command left when it died (the ID is the one a locked-out command names)',
        (y) => y.positional('id', { type: 'string', describe: 'The lock ID' }),
        withSettings((env, a, io) => {
          const id = nonEmpty(a.id, 'id');
          return shown(io, unlock(env, { id }), (result) => formatUnlock(result, id));
        }),
      )
      .demandCommand(1, 'name a command: up, plan, check, status, run, logs, report, export, cycle, teardown or unlock')
      .recommendCommands()
      .strict()
      .fail((message, error) => {
        if (error) throw error;
        // yargs spreads some messages over lines; errors here are one line each.
        throw new UsageError(message.replace(/\s*\n\s*/g, ' ').trim());
      })
      .help()
      .version()
      .parseAsync();
    return exitCode;
  } catch (error) {
    return reportFailure(error, logger, controller.signal, interruptedExit);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Errors are one line each, whatever the message they carry. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function reportFailure(error: unknown, logger: Logger, signal: AbortSignal, interruptedExit: number): number {
  if (signal.aborted && !(error instanceof UsageError)) {
    logger.error(oneLine(error instanceof InterruptedError ? error.message : `interrupted: ${describeCause(error)}`));
    return interruptedExit;
  }
  if (error instanceof ProvisionerError) {
    logger.error(oneLine(error.message));
    return error.exitCode;
  }
  // yargs re-wraps errors thrown while it reads options (e.g. a bad --config file) as YError.
  if (error instanceof Error && error.name === 'YError') {
    logger.error(oneLine(error.message));
    return EXIT_USAGE;
  }
  logger.error(oneLine(describeCause(error)));
  if (error instanceof Error && error.stack) logger.debug(error.stack);
  return 1;
}
