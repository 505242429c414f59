import path from 'node:path';
import { partition } from '@aws-sdk/core/client';
import { UsageError } from '../core/errors.js';
import { EXECUTION_CLASSES, FLEX_WORKER_TYPES, GLUE_VERSIONS, WORKER_TYPES, type ExecutionClass, type GlueVersion, type WorkerType } from '../core/glue.js';
import { LOG_FORMATS, LOG_LEVELS } from '../core/logger.js';
import type { Settings } from '../core/settings.js';
import { parseSchedule } from './schedule.js';



/** Where an option's value may be looked up besides the option itself. */
interface Surroundings {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** One option: how the CLI offers it, and how its raw value becomes a setting. */
interface OptionSpec<T> {
  /** The flag, kebab-case; also PROVISIONER_<FLAG> and a camelCase or kebab-case config file key. */
  readonly flag: string;
  readonly type: 'string' | 'number' | 'boolean';
  readonly group: 'Stack:' | 'Pipeline:' | 'Monitoring:' | 'Transfer:' | 'Output:';
  readonly describe: string;
  /** Shown in --help and used when the option is not given. */
  readonly default?: string | number | boolean;
  readonly choices?: readonly string[];
  /**
   * Validates the raw value into the setting; throws UsageError. An option not given arrives as its
   * default, or undefined when it has none. Empty text is a value given (`--name "$UNSET"`), never
   * the default: where it makes no sense it is an error naming the option.
   */
  parse(value: unknown, around: Surroundings): T;
}

const option = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;

/**
 * The one table of options: the CLI's flags, their variables, config keys and defaults all derive
 * from it, so an option is declared once; the compiler holds it to one entry per field of Settings.
 */
export const OPTIONS = {
  name: option({
    flag: 'name',
    type: 'string',
    group: 'Stack:',
    describe: 'Stack name; every resource name derives from it',
    default: 'flight-delays',
    parse: (value) => stackName(text(value, 'name')),
  }),
  region: option({
    flag: 'region',
    type: 'string',
    group: 'Stack:',
    describe: 'AWS region (default: AWS_REGION or the profile)',
    // Undefined: the SDK's own chain (AWS_REGION, profile) decides.
    parse: (value, { env }) => region(optionalString(value, 'region') ?? awsVariable(env.AWS_REGION) ?? awsVariable(env.AWS_DEFAULT_REGION)),
  }),
  endpointUrl: option({
    flag: 'endpoint-url',
    type: 'string',
    group: 'Stack:',
    describe: 'AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)',
    parse: (value, { env }) => endpointUrl(optionalString(value, 'endpoint-url') ?? awsVariable(env.AWS_ENDPOINT_URL)),
  }),
  bucket: option({
    flag: 'bucket',
    type: 'string',
    group: 'Stack:',
    describe: 'Bucket name (default: <name>-<account>-<region>)',
    parse: (value) => validated(optionalString(value, 'bucket'), assertBucketName),
  }),
  dataDir: option({
    flag: 'data-dir',
    type: 'string',
    group: 'Stack:',
    describe: 'Raw data to upload under raw/',
    default: './rawdata',
    parse: (value, { cwd }) => directory(value, 'data-dir', cwd),
  }),
  jobDir: option({
    flag: 'job-dir',
    type: 'string',
    group: 'Stack:',
    describe: 'Glue job scripts to upload under scripts/',
    default: './glue-job',
    parse: (value, { cwd }) => directory(value, 'job-dir', cwd),
  }),
  schedule: option({
    flag: 'schedule',
    type: 'string',
    group: 'Pipeline:',
    describe: 'quarterly, monthly, weekly, daily or cron(...) in UTC',
    default: 'quarterly',
    parse: (value) => parseSchedule(text(value, 'schedule')),
  }),
  roleArn: option({
    flag: 'role-arn',
    type: 'string',
    group: 'Pipeline:',
    describe: 'Use this IAM role for Glue instead of creating one',
    parse: (value) => validated(optionalString(value, 'role-arn'), assertRoleArn),
  }),
  kmsKey: option({
    flag: 'kms-key',
    type: 'string',
    group: 'Pipeline:',
    describe: 'Encrypt the bucket with this KMS key (default: SSE-S3)',
    parse: (value) => validated(optionalString(value, 'kms-key'), assertKmsKey),
  }),
  workerType: option({
    flag: 'worker-type',
    type: 'string',
    group: 'Pipeline:',
    describe: 'Glue worker type',
    default: 'G.1X',
    choices: WORKER_TYPES,
    parse: (value) => oneOf(value, 'worker-type', WORKER_TYPES),
  }),
  workers: option({
    flag: 'workers',
    type: 'number',
    group: 'Pipeline:',
    describe: 'Number of Glue workers (2 to 299), or auto: one per started 256 MiB of raw data plus the driver, 2 to 20',
    default: 'auto',
    // Undefined: `up` chooses the count from the raw data it uploads (resources/job.ts, chooseWorkers).
    parse: (value) => (value === 'auto' ? undefined : integer(value, 'workers', 2, 299, ', or auto')),
  }),
  jobTimeoutMinutes: option({
    flag: 'job-timeout',
    type: 'number',
    group: 'Pipeline:',
    describe: 'Job timeout in minutes',
    default: 120,
    parse: (value) => integer(value, 'job-timeout', 1, 2880),
  }),
  glueVersion: option({
    flag: 'glue-version',
    type: 'string',
    group: 'Pipeline:',
    describe: `Glue version of the job: ${GLUE_VERSIONS.join(' or ')}`,
    default: '5.0',
    // No yargs choices: a config file may give the version as the number 5.1.
    parse: (value) => glueVersion(value),
  }),
  executionClass: option({
    flag: 'execution-class',
    type: 'string',
    group: 'Pipeline:',
    describe: 'STANDARD, or FLEX: spare capacity at a lower price, runs may start later (G.1X and G.2X only)',
    default: 'STANDARD',
    choices: EXECUTION_CLASSES,
    parse: (value) => oneOf(value, 'execution-class', EXECUTION_CLASSES),
  }),
  pythonModules: option({
    flag: 'python-modules',
    type: 'string',
    group: 'Pipeline:',
    describe: 'Extra Python packages for the job, pip specs separated by commas (e.g. "pyarrow==17.0.0,rapidfuzz>=3")',
    parse: (value) => pythonModules(optionalString(value, 'python-modules')),
  }),
  jobRunQueuing: option({
    flag: 'job-run-queuing',
    type: 'boolean',
    group: 'Pipeline:',
    describe: 'Let Glue queue a run that would exceed account limits instead of failing it',
    default: false,
    parse: (value) => value === true,
  }),
  expectedMinutes: option({
    flag: 'expected-minutes',
    type: 'number',
    group: 'Pipeline:',
    describe: "Minutes a job run takes, for the cost estimate (default: the last successful run's, else 15)",
    parse: (value) => (value === undefined || value === null ? undefined : positive(value, 'expected-minutes', 2880)),
  }),
  sparkMemory: option({
    flag: 'spark-memory',
    type: 'string',
    group: 'Pipeline:',
    describe: "Memory of local Spark for run --local and cycle --local: auto (60% of this machine's) or a size such as 4g or 1536m, at least 1g",
    default: 'auto',
    // Undefined: run/local-run.ts sizes it to the machine it runs on.
    parse: (value) => sparkMemory(value),
  }),
  retentionDays: option({
    flag: 'retention-days',
    type: 'number',
    group: 'Stack:',
    describe: 'Days before objects under tmp/ and spark-logs/ expire; 0 keeps them',
    default: 30,
    parse: (value) => integer(value, 'retention-days', 0, 3650),
  }),
  prune: option({
    flag: 'prune',
    type: 'boolean',
    group: 'Pipeline:',
    describe: 'Delete uploaded files that no longer exist locally',
    default: false,
    parse: (value) => value === true,
  }),
  notify: option({
    flag: 'notify',
    type: 'string',
    group: 'Monitoring:',
    describe: 'Email this address when a run fails, times out or is stopped (repeatable)',
    // Given several times, yargs hands over a list; PROVISIONER_NOTIFY holds them comma-separated.
    parse: (value) => emailAddresses(value),
  }),
  notifyTopicArn: option({
    flag: 'notify-topic-arn',
    type: 'string',
    group: 'Monitoring:',
    describe: 'Send failed runs to this SNS topic of yours instead (never changed here)',
    parse: (value) => validated(optionalString(value, 'notify-topic-arn'), assertTopicArn),
  }),
  dashboard: option({
    flag: 'dashboard',
    type: 'boolean',
    group: 'Monitoring:',
    describe: "A CloudWatch dashboard of the job's metrics and the crawler's runs",
    default: false,
    parse: (value) => value === true,
  }),
  maxRequests: option({
    flag: 'max-requests',
    type: 'number',
    group: 'Transfer:',
    describe: 'Requests to S3 in flight at once, across files and parts',
    default: 32,
    parse: (value) => integer(value, 'max-requests', 1, 256),
  }),
  maxMemoryMib: option({
    flag: 'max-memory',
    type: 'number',
    group: 'Transfer:',
    describe: 'MiB of file contents held in memory at once while transferring (at least one 8 MiB part)',
    // Three 8 MiB parts in flight: far above the bandwidth-delay product of a 1 Gbit/s link at 30 ms
    // (about 4 MB), and measured as fast as 48 or 80 (see README, Uploads) with less memory.
    default: 24,
    parse: (value) => integer(value, 'max-memory', 8, 4096),
  }),
  multipartThresholdMib: option({
    flag: 'multipart-threshold',
    type: 'number',
    group: 'Transfer:',
    describe: 'MiB above which a file is sent in 8 MiB parts; one up to it goes in one request, streamed from disk',
    // One PUT per file spares each file a multipart upload's two extra requests and the assembly of
    // its parts at completion; many files in flight at once keep the link busy all the same. Past
    // this, parts let a single large file use many connections and retry 8 MiB, not the file.
    default: 64,
    parse: (value) => integer(value, 'multipart-threshold', 8, 5120),
  }),
  logLevel: option({
    flag: 'log-level',
    type: 'string',
    group: 'Output:',
    describe: 'How much to log on stderr',
    default: 'info',
    choices: LOG_LEVELS,
    parse: (value) => oneOf(value, 'log-level', LOG_LEVELS),
  }),
  logFormat: option({
    flag: 'log-format',
    type: 'string',
    group: 'Output:',
    describe: 'Log lines for people, or one JSON object per line',
    default: 'pretty',
    choices: LOG_FORMATS,
    parse: (value) => oneOf(value, 'log-format', LOG_FORMATS),
  }),
  json: option({
    flag: 'json',
    type: 'boolean',
    group: 'Output:',
    describe: 'Print a machine-readable result on stdout',
    default: false,
    parse: (value) => value === true,
  }),
} satisfies { readonly [K in keyof Settings]: OptionSpec<Settings[K]> };

type Options = typeof OPTIONS;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The raw option values as yargs hands them over (flags, PROVISIONER_* env vars, config file). */
export type RawOptions = { [K in keyof Options as CamelCase<Options[K]['flag']>]?: unknown };

export function resolveSettings(raw: RawOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const values = raw as Record<string, unknown>;
  const settings = Object.fromEntries(
    Object.entries(OPTIONS).map(([key, spec]: [string, OptionSpec<unknown>]) => {
      const given = values[camelCase(spec.flag)];
      return [key, spec.parse(given === undefined || given === null ? spec.default : given, { env, cwd })];
    }),
  );
  return Object.freeze(assertOneAlertTarget(checkCombinations(settings as unknown as Settings)));
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function validated<T>(value: T | undefined, assert: (value: T) => void): T | undefined {
  if (value !== undefined) assert(value);
  return value;
}

/** Text that must be there: an option with a default always is. */
function text(value: unknown, flag: string): string {
  const given = optionalString(value, flag);
  if (given === undefined) throw new UsageError(`invalid --${flag}: expected text`);
  return given;
}

/** Undefined only when not given: empty text is given, and the option's own check rejects it. */
function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected text`);
  return value;
}

/** AWS_REGION and the like: set but empty counts as unset, as in the AWS SDK and CLI. */
function awsVariable(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** A directory, against the working directory; empty text would silently mean the working directory. */
function directory(value: unknown, flag: string, cwd: string): string {
  const given = text(value, flag);
  if (given.trim() === '') throw new UsageError(`invalid --${flag} ${JSON.stringify(given)}: expected a directory`);
  return path.resolve(cwd, given);
}

function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: valid values are ${allowed.join(', ')}`);
}

/** `alternative` ends the error's list of what is valid, e.g. ", or auto". */
function integer(value: unknown, flag: string, min: number, max: number, alternative = ''): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
  // JSON.stringify shows NaN (what yargs makes of `--workers abc`) as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new UsageError(`invalid --${flag} ${shown}: expected a whole number from ${min} to ${max}${alternative}`);
}

/** MiB in one unit of a JVM memory size (what -Xmx and Spark's --driver-memory take). */
const JVM_UNIT_MIB: Readonly<Record<string, number>> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** The least --spark-memory takes: Spark's own default heap (below 450m Spark does not start at all). */
const MIN_SPARK_MEMORY_MIB = 1024;

/**
 * --spark-memory: undefined for auto, else the size as the JVM takes it (digits and k, m, g or t,
 * written in lower case), at least 1g. Spark's "gb" spellings are refused: spark-submit hands the
 * driver's size to the JVM as -Xmx, which knows only the one-letter units.
 */
function sparkMemory(value: unknown): string | undefined {
  if (value === 'auto') return undefined;
  const match = typeof value === 'string' ? /^([1-9]\d{0,9})([kmgt])$/i.exec(value.trim()) : null;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (!match) {
    throw new UsageError(`invalid --spark-memory ${shown}: valid values are auto, or a size in k, m, g or t such as 4g or 1536m (at least 1g)`);
  }
  const unit = match[2]!.toLowerCase();
  if (Number(match[1]) * JVM_UNIT_MIB[unit]! < MIN_SPARK_MEMORY_MIB) {
    throw new UsageError(`invalid --spark-memory ${shown}: below 1g, too little for Spark to run the job; valid: auto, or a size of at least 1g such as 4g`);
  }
  return `${match[1]}${unit}`;
}

function positive(value: unknown, flag: string, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isFinite(number) && number > 0 && number <= max) return number;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new UsageError(`invalid --${flag} ${shown}: expected a number of minutes greater than 0 and at most ${max}`);
}

function glueVersion(value: unknown): GlueVersion {
  // 5 and 5.1 from a JSON config file are the versions 5.0 and 5.1.
  const given = typeof value === 'number' ? value.toFixed(1) : value;
  if (typeof given === 'string' && (GLUE_VERSIONS as readonly string[]).includes(given)) return given as GlueVersion;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new UsageError(`invalid --glue-version ${shown}: valid values are ${GLUE_VERSIONS.join(', ')}`);
}

/**
 * One pip requirement as Glue's --additional-python-modules takes it: a distribution name, optional
 * extras and at most one version clause (the list itself is split on commas, so "a>=1,<2" cannot be
 * said), or the s3:// path of a wheel.
 */
const PIP_SPEC = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._-]+\])?(?:(?:===|==|~=|!=|>=|<=|>|<)[A-Za-z0-9.*+!_-]+)?$/;
const WHEEL_PATH = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.whl$/;

/** The extra Python packages as a list; empty text or none given is none. */
function pythonModules(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return Object.freeze([]);
  const specs = value.split(',').map((spec) => spec.trim());
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!PIP_SPEC.test(spec) && !WHEEL_PATH.test(spec)) {
      throw new UsageError(
        `invalid --python-modules "${value}": ${spec === '' ? 'an empty entry' : `"${spec}" is not a pip requirement`}; valid: comma-separated NAME, NAME==VERSION (or >=, <=, ~=, !=, >, <), NAME[EXTRA]==VERSION or s3://BUCKET/KEY.whl`,
      );
    }
    const name = spec.startsWith('s3://') ? spec : spec.split(/[[=~!<>]/)[0]!.toLowerCase().replace(/[._-]+/g, '-');
    if (seen.has(name)) throw new UsageError(`invalid --python-modules "${value}": "${name}" is listed twice; valid: each package once`);
    seen.add(name);
  }
  return Object.freeze(specs);
}

/** Settings that are each valid but that Glue refuses together. */
function checkCombinations<S extends { executionClass: ExecutionClass; workerType: WorkerType }>(settings: S): S {
  if (settings.executionClass === 'FLEX' && !FLEX_WORKER_TYPES.includes(settings.workerType)) {
    throw new UsageError(
      `invalid --worker-type ${settings.workerType} with --execution-class FLEX: Glue runs Flex jobs on ${FLEX_WORKER_TYPES.join(' or ')} workers only; valid: --worker-type ${FLEX_WORKER_TYPES.join(' or ')}, or --execution-class STANDARD`,
    );
  }
  return settings;
}

/**
 * Stack names become part of the bucket, role, database, crawler, job and trigger names, so they
 * must satisfy the strictest of those rules and leave room for the account and region suffix.
 */
export function stackName(value: string): string {
  if (/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(value) && !value.includes('--')) return value;
  throw new UsageError(
    `invalid --name "${value}": use 2 to 32 lowercase letters, digits and single hyphens, starting with a letter`,
  );
}

export function assertBucketName(value: string): void {
  const problem = bucketNameProblem(value);
  if (problem) {
    throw new UsageError(
      `invalid --bucket "${value}": ${problem}; valid: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit`,
    );
  }
}

export function bucketNameProblem(value: string): string | undefined {
  if (value === '') return 'it is empty';
  if (value.length < 3 || value.length > 63) return `it is ${value.length} characters long`;
  if (!/^[a-z0-9.-]+$/.test(value)) return 'it has characters other than a-z, 0-9, "-" and "."';
  if (!/^[a-z0-9]/.test(value) || !/[a-z0-9]$/.test(value)) return 'it must start and end with a letter or digit';
  if (value.includes('..')) return 'it has two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return 'it looks like an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value)) return 'it starts with a reserved prefix';
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(value)) return 'it ends with a reserved suffix';
  return undefined;
}

function assertRoleArn(value: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)) {
    throw new UsageError(`invalid --role-arn "${value}": expected arn:aws:iam::<12-digit account>:role/<name>`);
  }
}

function assertKmsKey(value: string): void {
  const keyId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const arn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[\w/-]+)$/;
  if (keyId.test(value) || arn.test(value) || /^alias\/[\w/-]+$/.test(value)) return;
  throw new UsageError(`invalid --kms-key "${value}": expected a key id, key ARN, alias/NAME or alias ARN`);
}

/**
 * The HTML standard's check of an email address (what browsers accept in type="email"): a local
 * part, an "@", and a domain of dot-separated labels. Stricter checks turn away addresses that work.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * --notify: every address given, from a repeated flag (a list), PROVISIONER_NOTIFY or the config file
 * (comma-separated text or a list); each checked, duplicates (in any letter case) dropped.
 */
function emailAddresses(value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  const given = Array.isArray(value) ? value : [value];
  const addresses: string[] = [];
  for (const item of given) {
    if (typeof item !== 'string') throw new UsageError(`invalid --notify ${JSON.stringify(item)}: expected an email address such as ops@example.com`);
    for (const part of item.split(',')) {
      const address = part.trim();
      if (address.length > 254 || !EMAIL.test(address)) {
        throw new UsageError(`invalid --notify ${JSON.stringify(address)}: not an email address; valid: an address such as ops@example.com, once per --notify`);
      }
      if (!addresses.some((a) => a.toLowerCase() === address.toLowerCase())) addresses.push(address);
    }
  }
  return addresses;
}

function assertTopicArn(value: string): void {
  const match = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256}(\.fifo)?)$/.exec(value);
  if (!match) {
    throw new UsageError(`invalid --notify-topic-arn "${value}": expected arn:aws:sns:<region>:<12-digit account>:<topic name>`);
  }
  if (match[2]) {
    throw new UsageError(
      `invalid --notify-topic-arn "${value}": a FIFO topic takes only messages with a group id, which alerts do not have; valid: a standard topic`,
    );
  }
}

/** The stack sends alerts to its own topic (--notify) or to yours (--notify-topic-arn), not both. */
function assertOneAlertTarget<S extends Pick<Settings, 'notify' | 'notifyTopicArn'>>(settings: S): S {
  if (settings.notifyTopicArn && settings.notify.length > 0) {
    throw new UsageError(
      `invalid --notify "${settings.notify.join(',')}" with --notify-topic-arn: the stack emails --notify addresses from a topic of its own and never changes yours; valid: one of the two (subscribe the addresses to your topic yourself)`,
    );
  }
  return settings;
}

function region(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) {
    throw new UsageError(`invalid --region "${value}": expected an AWS region such as us-east-1 or eu-west-2`);
  }
  if (!knownRegion(value)) {
    throw new UsageError(
      `invalid --region "${value}": not a region the AWS SDK knows; list the regions of your account with: aws account list-regions`,
    );
  }
  return value;
}

/**
 * Whether the AWS SDK's partition data (partitions.json, shipped in @aws-sdk/core, the data the
 * clients resolve endpoints from) lists the region. For any other name that merely looks like a
 * region the SDK still builds an endpoint, and the first calls fail only after some resources
 * were made; so do emulators, which serve known regions only (moto, and LocalStack unless told
 * otherwise). A region newer than this SDK needs a newer release of the tool.
 */
function knownRegion(value: string): boolean {
  // partition() merges a listed region's own entry, with its description, into the partition's;
  // a name that only matches a partition's regionRegex gets the partition alone.
  return 'description' in partition(value);
}

function endpointUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const invalid = () => new UsageError(`invalid --endpoint-url "${redactUrl(value)}": expected an http:// or https:// URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid();
  return value.replace(/\/+$/, '');
}

/**
 * A URL as it may be shown in a log line or an error: a password (user:****) or a lone user name,
 * often a token (****), replaced. Text that is no URL loses everything before its last "@".
 */
export function redactUrl(value: string): string;
export function redactUrl(value: string | undefined): string | undefined;
export function redactUrl(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('@')) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const rest = value.slice(scheme.length);
  let url: URL | undefined;
  try {
    url = scheme ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) return `${scheme}****${rest.slice(rest.lastIndexOf('@'))}`;
  if (url.username === '' && url.password === '') return value;
  // The user part ends at the last "@" before the path, query or fragment.
  const authorityEnd = rest.search(/[/\\?#]/);
  const at = rest.lastIndexOf('@', authorityEnd < 0 ? rest.length : authorityEnd);
  const user = url.password === '' ? '****' : `${rest.slice(0, rest.indexOf(':'))}:****`;
  return `${scheme}${user}${rest.slice(at)}`;
}
