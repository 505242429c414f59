import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { OPTIONS } from '../config/options.js';
import { resolveSettings, type RawOptions } from '../config/settings.js';
import type { Settings } from '../core/settings.js';
import { EXIT_INTERRUPTED, EXIT_USAGE, InterruptedError, ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createLogger } from './logger.js';
import { createProgress } from './progress.js';
import { terminalIo, type CommandEnv } from './io.js';
import { status } from '../commands/status.js';
import { DEFAULT_STATUS_RUNS } from '../stack/status.js';
import { teardown } from '../commands/teardown.js';
import { up } from '../commands/up.js';
import { run as runPipeline } from '../commands/run.js';
import { logs } from '../commands/logs.js';
import { exportResults } from '../commands/export.js';
import { cycle } from '../commands/cycle.js';
import { unlock } from '../commands/unlock.js';

/**
 * Exit code after SIGTERM (what Kubernetes, systemd and most schedulers send to stop a process):
 * 128 + 15, as a shell reports a process that SIGTERM ended. Ctrl-C (SIGINT) gives 130, 128 + 2.
 */
export const EXIT_TERMINATED = 143;

/** The options of `run`; those taking a value are bound to it like the global ones (bindValues). */
const RUN_OPTIONS = {
  wait: { type: 'boolean', default: false, describe: 'Follow the run to its end; exit 0 only if the job SUCCEEDED' },
  // Numbers are handed over as given (yargs would make "" a 0); positiveNumber converts them.
  timeout: { default: 120, describe: 'Minutes to wait with --wait' },
  'poll-interval': { default: 15, describe: 'Seconds between status checks with --wait' },
  local: { type: 'boolean', default: false, describe: "Run the job on this machine's Spark against the bucket" },
  python: { type: 'string', default: 'python3', describe: 'Python with pyspark, for --local' },
} as const;

/** The options of `logs`, bound to their values like those of `run`. */
const LOGS_OPTIONS = {
  run: { type: 'string', describe: 'The job run id (jr_...); default: the newest run' },
  follow: { type: 'boolean', default: false, describe: 'Show new lines as they arrive, until the run has ended' },
  'poll-interval': { default: 5, describe: 'Seconds between reads with --follow' },
} as const;

/**
 * The only place that knows about yargs, process signals and exit codes. Options come from flags,
 * then PROVISIONER_* environment variables, then the --config JSON file, then defaults.
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
  // Every command handler gets validated settings, a logger, progress and the interrupt signal.
  const withSettings = (command: (env: CommandEnv, args: Record<string, unknown>) => Promise<number>) => async (args: Record<string, unknown>) => {
    // yargs reads no file for an empty --config and says nothing: empty text is invalid here too.
    if (args.config === '') throw new UsageError('invalid --config "": expected the path of a JSON file');
    const settings: Settings = resolveSettings(args as RawOptions);
    const progress = createProgress();
    logger = createLogger(settings.logLevel, settings.logFormat, progress.clear);
    const runtime = { logger, progress, signal: controller.signal };
    exitCode = await command({ settings, runtime, io: terminalIo(settings.json) }, args);
    // A command that returns "interrupted" itself (run --wait) was interrupted by this signal.
    if (exitCode === EXIT_INTERRUPTED && controller.signal.aborted) exitCode = interruptedExit;
  };

  try {
    await globalOptions(yargs(bindValues(hideBin(['node', 'provisioner', ...argv]), valueFlags())))
      .command(
        'up',
        'Create or converge the whole pipeline',
        (y) => y.option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, change nothing' }),
        withSettings((env, a) => up(env, { dryRun: a.dryRun === true })),
      )
      .command('plan', 'Print what up would do, change nothing (= up --dry-run)', (y) => y, withSettings((env) => up(env, { dryRun: true })))
      .command(
        'status',
        'Show what exists, its state, the last runs with their cost, and object counts',
        (y) => y.option('runs', { default: DEFAULT_STATUS_RUNS, describe: 'How many of the last workflow runs, crawls and job runs to show' }),
        withSettings((env, a) => status(env, { runs: runCount(a.runs) })),
      )
      .command(
        'teardown',
        'Delete everything this stack created, data included',
        (y) => y.option('yes', { type: 'boolean', default: false, describe: 'Confirm without a prompt' }),
        withSettings((env, a) => teardown(env, { yes: a.yes === true })),
      )
      .command(
        'run',
        'Run the pipeline now: the crawl, then the job (on Glue, or --local on this machine)',
        (y) => y.options(RUN_OPTIONS),
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
        'logs',
        "Show the job run's output and error logs from CloudWatch (the newest run, or --run ID)",
        (y) => y.options(LOGS_OPTIONS),
        withSettings((env, a) =>
          logs(env, {
            runId: a.run === undefined ? undefined : String(a.run),
            follow: a.follow === true,
            pollSeconds: positiveNumber(a.pollInterval, 'poll-interval'),
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
        // Loaded when asked for: the charting libraries would cost every other command memory and start-up time.
        withSettings(async (env, a) =>
          (await import('../commands/report.js')).report(env, { from: nonEmpty(a.from, 'from'), out: nonEmpty(a.out, 'out'), open: a.open === true }),
        ),
      )
      .command(
        'export',
        "Copy the results (processed/) out of the stack's bucket, into a folder or another bucket",
        (y) => y.options(EXPORT_OPTIONS),
        withSettings((env, a) => exportResults(env, exportOptions(a))),
      )
      .command(
        'cycle',
        'One quarter without standing infrastructure: up, run and wait, export, teardown',
        (y) =>
          y.options({
            ...EXPORT_OPTIONS,
            local: { type: 'boolean', default: false, describe: "Run the job on this machine's Spark, as run --local does" },
            python: { type: 'string', default: 'python3', describe: 'Python with pyspark, for --local' },
            timeout: { type: 'number', default: 120, describe: 'Minutes to wait for the run' },
            'poll-interval': { type: 'number', default: 15, describe: 'Seconds between status checks of the run' },
            yes: { type: 'boolean', default: false, describe: 'Confirm the teardown at the end without a prompt' },
            'teardown-on-failure': { type: 'boolean', default: false, describe: 'Tear down even when the run fails (default: keep it to look into)' },
          }),
        withSettings((env, a) =>
          cycle(env, {
            ...exportOptions(a),
            local: a.local === true,
            python: String(a.python),
            timeoutMinutes: positiveNumber(a.timeout, 'timeout'),
            pollSeconds: positiveNumber(a.pollInterval, 'poll-interval'),
            yes: a.yes === true,
            teardownOnFailure: a.teardownOnFailure === true,
          }),
        ),
      )
      .command(
        'unlock <id>',
        'Remove the lock a command left when it died (the ID is the one a locked-out command names)',
        (y) => y.positional('id', { type: 'string', describe: 'The lock ID' }),
        withSettings((env, a) => unlock(env, { id: nonEmpty(a.id, 'id') })),
      )
      .demandCommand(1, 'name a command: up, plan, status, run, logs, report, export, cycle, teardown or unlock')
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

/** The flags that take a value: the option table's strings and numbers, --config, run's and logs'. */
function valueFlags(): Set<string> {
  const global = Object.values(OPTIONS).filter((spec) => spec.type !== 'boolean').map((spec) => spec.flag);
  const run = Object.entries({ ...RUN_OPTIONS, ...LOGS_OPTIONS }).filter(([, spec]) => !('type' in spec) || spec.type !== 'boolean').map(([flag]) => flag);
  // status --runs takes a number too.
  const flags = [...global, 'config', 'runs', ...run];
  return new Set([...flags, ...flags.map((flag) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()))]);
}

/**
 * Binds each of `flags` to the argument after it, as `--flag=value`. yargs would read
 * `--name -ab` as --name without a value plus the flags -a and -b, and `--name` without a value
 * (`--name $UNSET`) as the default stack. Bound, "-ab" is checked as a stack name and rejected by
 * name, and a flag with no argument left (or another --option next) gets empty text, which is
 * rejected too.
 */
export function bindValues(argv: readonly string[], flags: ReadonlySet<string>): string[] {
  const bound: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--') {
      bound.push(...argv.slice(index));
      break;
    }
    const flag = /^--([A-Za-z][\w-]*)$/.exec(arg)?.[1];
    if (flag === undefined || !flags.has(flag)) {
      bound.push(arg);
      continue;
    }
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) {
      bound.push(`${arg}=`);
    } else {
      bound.push(`${arg}=${next}`);
      index += 1;
    }
  }
  return bound;
}

/** The options every command takes, straight from the one option table. */
function globalOptions(y: Argv): Argv {
  const specs = Object.values(OPTIONS);
  const options = Object.fromEntries(
    specs.map((spec) => [
      spec.flag,
      {
        // Numbers are handed over as given (yargs would make "" a 0): the option table converts
        // them, and its errors show what was given.
        ...(spec.type === 'number' ? {} : { type: spec.type }),
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
    .group(inGroup('Monitoring:'), 'Monitoring:')
    .group(inGroup('Transfer:'), 'Transfer:')
    .group([...inGroup('Output:'), 'help', 'version'], 'Output:');
}

/** The options of `export`, which `cycle` takes as well. */
const EXPORT_OPTIONS = {
  to: { type: 'string', demandOption: true, describe: 'A folder, or s3://BUCKET/PREFIX of another bucket' },
  only: { type: 'string', describe: 'Parts of processed/ to export, comma-separated (default: all but delivered)' },
  force: { type: 'boolean', default: false, describe: 'Write into a non-empty target that is not an export of this stack' },
} as const;

function exportOptions(args: Record<string, unknown>): { to: string; only: string | undefined; force: boolean } {
  return { to: nonEmpty(args.to, 'to'), only: args.only === undefined ? undefined : String(args.only), force: args.force === true };
}

function nonEmpty(value: unknown, flag: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a non-empty value`);
}

function positiveNumber(value: unknown, flag: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number) && number > 0) return number;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a number greater than 0`);
}

/** --runs of `status`: Glue returns at most 200 job runs a page; more than 50 lines helps nobody. */
function runCount(value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 50) return number;
  throw new UsageError(`invalid --runs ${typeof value === 'number' ? String(value) : JSON.stringify(value)}: expected a whole number from 1 to 50`);
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
    throw new UsageError(`invalid --config "${file}": not JSON (${jsonProblem((error as Error).message, text)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`invalid --config "${file}": expected a JSON object of options`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * What JSON.parse found wrong, in one line: V8 quotes the start of the text in some messages
 * (`Unexpected token 'a', "name: x\nfoo" is not valid JSON`), newlines included, and gives a
 * character offset in others, shown here as a line and column.
 */
function jsonProblem(message: string, text: string): string {
  const withoutQuote = message.replace(/, ".*" is not valid JSON$/s, '');
  const position = / in JSON at position (\d+).*$/s.exec(withoutQuote);
  if (!position) return oneLine(withoutQuote);
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return oneLine(`${withoutQuote.slice(0, position.index)} at line ${line} column ${column}`);
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
