import { UsageError } from '../core/errors.js';
import { DEFAULT_STATUS_RUNS } from '../stack/status.js';

/**
 * The options of each command beyond the ones every command takes (config/options.ts), declared
 * once, as yargs takes them. Numbers without a type are handed over as given (yargs would make ""
 * a 0), and the checks below convert them.
 */

const UP_OPTIONS = {
  'dry-run': { type: 'boolean', default: false, describe: 'Print the plan, change nothing' },
} as const;

const STATUS_OPTIONS = {
  runs: { default: DEFAULT_STATUS_RUNS, describe: 'How many of the last workflow runs, crawls and job runs to show' },
  run: { type: 'string', describe: "Show this run's manifest instead (a job run id jr_..., or local-... of run --local)" },
} as const;

const TEARDOWN_OPTIONS = {
  yes: { type: 'boolean', default: false, describe: 'Confirm without a prompt' },
} as const;

const PYTHON_DESCRIPTION =
  "Python with pyspark, for --local (default: the one `make` installs for the stack's --glue-version, .venv/ or .venv-spark4/, if in this folder; else python3)";

const RUN_OPTIONS = {
  wait: { type: 'boolean', default: false, describe: 'Follow the run to its end; exit 0 only if the job SUCCEEDED' },
  timeout: { default: 120, describe: 'Minutes to wait with --wait' },
  'poll-interval': { default: 15, describe: 'Seconds between status checks with --wait' },
  local: { type: 'boolean', default: false, describe: "Run the job on this machine's Spark against the bucket" },
  python: { type: 'string', describe: PYTHON_DESCRIPTION },
} as const;

const LOGS_OPTIONS = {
  run: { type: 'string', describe: 'The job run id (jr_...); default: the newest run' },
  follow: { type: 'boolean', default: false, describe: 'Show new lines as they arrive, until the run has ended' },
  'poll-interval': { default: 5, describe: 'Seconds between reads with --follow' },
} as const;

const REPORT_OPTIONS = {
  from: { type: 'string', default: 's3', describe: "s3 (the stack's processed/ prefix) or a folder exported from it" },
  out: { type: 'string', default: 'report.html', describe: 'Where to write the page' },
  open: { type: 'boolean', default: false, describe: 'Open the page in a browser' },
} as const;

/** The options of `export`, which `cycle` takes as well. */
const EXPORT_OPTIONS = {
  to: { type: 'string', demandOption: true, describe: 'A folder, or s3://BUCKET/PREFIX of another bucket' },
  only: { type: 'string', describe: 'Parts of processed/ to export, comma-separated (default: all but delivered)' },
  force: { type: 'boolean', default: false, describe: 'Write into a non-empty target that is not an export of this stack' },
} as const;

/** `export` alone: `cycle` exports and never verifies. */
const EXPORT_ONLY_OPTIONS = {
  verify: { type: 'boolean', default: false, describe: 'Check every file of the folder --to against the run manifest and the export record; copy nothing' },
} as const;

const CYCLE_OPTIONS = {
  ...EXPORT_OPTIONS,
  local: { type: 'boolean', default: false, describe: "Run the job on this machine's Spark, as run --local does" },
  python: { type: 'string', describe: PYTHON_DESCRIPTION },
  // Numbers are handed over as given (yargs would make "abc" a NaN, shown as null); positiveNumber converts them.
  timeout: { default: 120, describe: 'Minutes to wait for the run' },
  'poll-interval': { default: 15, describe: 'Seconds between status checks of the run' },
  yes: { type: 'boolean', default: false, describe: 'Confirm the teardown at the end without a prompt' },
  'teardown-on-failure': { type: 'boolean', default: false, describe: 'Tear down even when the run fails (default: keep it to look into)' },
} as const;

/** Each command's own options, by the command's name. */
export const COMMAND_OPTIONS = {
  up: UP_OPTIONS,
  plan: {},
  status: STATUS_OPTIONS,
  teardown: TEARDOWN_OPTIONS,
  run: RUN_OPTIONS,
  logs: LOGS_OPTIONS,
  report: REPORT_OPTIONS,
  export: { ...EXPORT_OPTIONS, ...EXPORT_ONLY_OPTIONS },
  cycle: CYCLE_OPTIONS,
  unlock: {},
} as const;

/** One option of a command as declared above. */
export interface CommandOption {
  readonly type?: 'string' | 'number' | 'boolean';
  readonly default?: string | number | boolean;
  readonly demandOption?: boolean;
  readonly describe: string;
}

/** Every command's options, as [command, flag, option]. */
export function commandOptions(): [string, string, CommandOption][] {
  return Object.entries(COMMAND_OPTIONS).flatMap(([command, options]) =>
    Object.entries(options as Record<string, CommandOption>).map(([flag, spec]): [string, string, CommandOption] => [command, flag, spec]),
  );
}

export function exportOptions(args: Record<string, unknown>): { to: string; only: string | undefined; force: boolean } {
  return { to: nonEmpty(args.to, 'to'), only: args.only === undefined ? undefined : String(args.only), force: args.force === true };
}

export function nonEmpty(value: unknown, flag: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a non-empty value`);
}

/** An optional text option: undefined when not given, refused when given empty. */
export function optionalText(value: unknown, flag: string): string | undefined {
  return value === undefined ? undefined : nonEmpty(value, flag);
}

export function positiveNumber(value: unknown, flag: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number) && number > 0) return number;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected a number greater than 0`);
}

/** --runs of `status`: Glue returns at most 200 job runs a page; more than 50 lines helps nobody. */
export function runCount(value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 50) return number;
  throw new UsageError(`invalid --runs ${typeof value === 'number' ? String(value) : JSON.stringify(value)}: expected a whole number from 1 to 50`);
}
