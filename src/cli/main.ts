import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { OPTIONS, resolveSettings, type RawOptions, type Settings } from '../config/settings.js';
import { EXIT_INTERRUPTED, EXIT_USAGE, InterruptedError, ProvisionerError, UsageError, describeCause } from '../errors.js';
import { createLogger, type Logger } from './logger.js';
import { createProgress } from './progress.js';
import { terminalIo, type CommandEnv } from './io.js';
import { status } from '../commands/status.js';
import { teardown } from '../commands/teardown.js';
import { up } from '../commands/up.js';
import { run as runPipeline } from '../commands/run.js';
import { report } from '../commands/report.js';

/**
 * The only place that knows about yargs, process signals and exit codes. Options come from flags,
 * then PROVISIONER_* environment variables, then the --config JSON file, then defaults.
 */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let logger: Logger = createLogger('info', 'pretty');
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    logger.warn('interrupting: finishing the current AWS call (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  let exitCode = 0;
  // Every command handler gets validated settings, a logger, progress and the interrupt signal.
  const withSettings = (command: (env: CommandEnv, args: Record<string, unknown>) => Promise<number>) => async (args: Record<string, unknown>) => {
    const settings: Settings = resolveSettings(args as RawOptions);
    logger = createLogger(settings.logLevel, settings.logFormat);
    const runtime = { logger, progress: createProgress(), signal: controller.signal };
    exitCode = await command({ settings, runtime, io: terminalIo(settings.json) }, args);
  };

  try {
    await globalOptions(yargs(hideBin(['node', 'provisioner', ...argv])))
      .command(
        'up',
        'Create or converge the whole pipeline',
        (y) => y.option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, change nothing' }),
        withSettings((env, a) => up(env, { dryRun: a.dryRun === true })),
      )
      .command('plan', 'Print what up would do, change nothing (= up --dry-run)', (y) => y, withSettings((env) => up(env, { dryRun: true })))
      .command('status', 'Show what exists, its state, the last runs and object counts', (y) => y, withSettings((env) => status(env)))
      .command(
        'teardown',
        'Delete everything this stack created, data included',
        (y) => y.option('yes', { type: 'boolean', default: false, describe: 'Confirm without a prompt' }),
        withSettings((env, a) => teardown(env, { yes: a.yes === true })),
      )
      .command(
        'run',
        'Run the pipeline now: the crawl, then the job (on Glue, or --local on this machine)',
        (y) =>
          y.options({
            wait: { type: 'boolean', default: false, describe: 'Follow the run to its end; exit 0 only if the job SUCCEEDED' },
            timeout: { type: 'number', default: 120, describe: 'Minutes to wait with --wait' },
            'poll-interval': { type: 'number', default: 15, describe: 'Seconds between status checks with --wait' },
            local: { type: 'boolean', default: false, describe: "Run the job on this machine's Spark against the bucket" },
            python: { type: 'string', default: 'python3', describe: 'Python with pyspark, for --local' },
          }),
        withSettings((env, a) =>
          runPipeline(env, {
            wait: a.wait === true,
            local: a.local === true,
            timeoutMinutes: positiveNumber(a.timeout, 'timeout'),
            pollSeconds: positiveNumber(a.pollInterval, 'poll-interval'),
            python: String(a.python),
          }),
        ),
      )
      .command(
        'report',
        "Write the quarter's results as one HTML page with charts",
        (y) =>
          y.options({
            from: { type: 'string', default: 's3', describe: "s3 (the stack's processed/ prefix) or a folder exported from it" },
            out: { type: 'string', default: 'report.html', describe: 'Where to write the page' },
            open: { type: 'boolean', default: false, describe: 'Open the page in a browser' },
          }),
        withSettings((env, a) => report(env, { from: nonEmpty(a.from, 'from'), out: nonEmpty(a.out, 'out'), open: a.open === true })),
      )
      .demandCommand(1, 'name a command: up, plan, status, run, report or teardown')
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
    return reportFailure(error, logger, controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The options every command takes, straight from the one option table. */
function globalOptions(y: Argv): Argv {
  const specs = Object.values(OPTIONS);
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.flag,
      {
        type: spec.type,
        describe: spec.describe,
        ...('default' in spec ? { default: spec.default } : {}),
        ...('choices' in spec ? { choices: spec.choices } : {}),
      },
    ]),
  );
  const inGroup = (group: string) => specs.filter((spec) => spec.group === group).map((spec) => spec.flag);
  return y
    .scriptName('provisioner')
    .usage('$0 <command> [options]\n\nStand up, run and tear down a quarterly AWS Glue pipeline.')
    .env('PROVISIONER')
    .config('config', 'JSON file with any of these options (camelCase or kebab-case keys)', loadConfigFile)
    .options(options)
    .group([...inGroup('Stack:'), 'config'], 'Stack:')
    .group(inGroup('Pipeline:'), 'Pipeline:')
    .group(inGroup('Transfer:'), 'Transfer:')
    .group([...inGroup('Output:'), 'help', 'version'], 'Output:');
}

function nonEmpty(value: unknown, flag: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a non-empty value`);
}

function positiveNumber(value: unknown, flag: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a number greater than 0`);
}

function loadConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`invalid --config "${file}": ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}; valid: a readable JSON file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid --config "${file}": not JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`invalid --config "${file}": expected a JSON object of options`);
  }
  return parsed as Record<string, unknown>;
}

function reportFailure(error: unknown, logger: Logger, signal: AbortSignal): number {
  if (signal.aborted && !(error instanceof UsageError)) {
    logger.error(error instanceof InterruptedError ? error.message : `interrupted: ${describeCause(error)}`);
    return EXIT_INTERRUPTED;
  }
  if (error instanceof ProvisionerError) {
    logger.error(error.message);
    return error.exitCode;
  }
  // yargs re-wraps errors thrown while it reads options (e.g. a bad --config file) as YError.
  if (error instanceof Error && error.name === 'YError') {
    logger.error(error.message);
    return EXIT_USAGE;
  }
  logger.error(describeCause(error));
  if (error instanceof Error && error.stack) logger.debug(error.stack);
  return 1;
}
