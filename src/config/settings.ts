import path from 'node:path';
import { UsageError } from '../errors.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../cli/logger.js';
import { parseSchedule } from './schedule.js';

export const WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type WorkerType = (typeof WORKER_TYPES)[number];

/** The one list of defaults: the CLI shows these in --help, and settings fall back to them. */
export const DEFAULTS = Object.freeze({
  name: 'flight-delays',
  dataDir: './rawdata',
  jobDir: './glue-job',
  schedule: 'quarterly',
  workerType: 'G.1X' as WorkerType,
  workers: 2,
  jobTimeoutMinutes: 120,
  logLevel: 'info' as LogLevel,
  logFormat: 'pretty' as LogFormat,
});

/** Everything a command needs to know, validated once and never read from the environment again. */
export interface Settings {
  readonly name: string;
  /** Undefined: the SDK's own chain (AWS_REGION, profile) decides. */
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  /** Undefined: `<name>-<account>-<region>`. */
  readonly bucket: string | undefined;
  readonly dataDir: string;
  readonly jobDir: string;
  readonly schedule: string;
  readonly roleArn: string | undefined;
  readonly kmsKey: string | undefined;
  readonly workerType: WorkerType;
  readonly workers: number;
  readonly jobTimeoutMinutes: number;
  readonly prune: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly json: boolean;
}

/** The raw option values as yargs hands them over (flags, PROVISIONER_* env vars, config file). */
export interface RawOptions {
  name?: unknown;
  region?: unknown;
  endpointUrl?: unknown;
  bucket?: unknown;
  dataDir?: unknown;
  jobDir?: unknown;
  schedule?: unknown;
  roleArn?: unknown;
  kmsKey?: unknown;
  workerType?: unknown;
  workers?: unknown;
  jobTimeout?: unknown;
  prune?: unknown;
  logLevel?: unknown;
  logFormat?: unknown;
  json?: unknown;
}

export function resolveSettings(raw: RawOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const name = stackName(optionalString(raw.name, 'name') ?? DEFAULTS.name);
  const bucket = optionalString(raw.bucket, 'bucket');
  if (bucket !== undefined) assertBucketName(bucket);
  const roleArn = optionalString(raw.roleArn, 'role-arn');
  if (roleArn !== undefined) assertRoleArn(roleArn);
  const kmsKey = optionalString(raw.kmsKey, 'kms-key');
  if (kmsKey !== undefined) assertKmsKey(kmsKey);

  return Object.freeze({
    name,
    region: region(optionalString(raw.region, 'region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION),
    endpointUrl: endpointUrl(optionalString(raw.endpointUrl, 'endpoint-url') ?? env.AWS_ENDPOINT_URL),
    bucket,
    dataDir: path.resolve(cwd, optionalString(raw.dataDir, 'data-dir') ?? DEFAULTS.dataDir),
    jobDir: path.resolve(cwd, optionalString(raw.jobDir, 'job-dir') ?? DEFAULTS.jobDir),
    schedule: parseSchedule(optionalString(raw.schedule, 'schedule') ?? DEFAULTS.schedule),
    roleArn,
    kmsKey,
    workerType: oneOf(raw.workerType ?? DEFAULTS.workerType, 'worker-type', WORKER_TYPES),
    workers: integer(raw.workers ?? DEFAULTS.workers, 'workers', 2, 299),
    jobTimeoutMinutes: integer(raw.jobTimeout ?? DEFAULTS.jobTimeoutMinutes, 'job-timeout', 1, 2880),
    prune: raw.prune === true,
    logLevel: oneOf(raw.logLevel ?? DEFAULTS.logLevel, 'log-level', LOG_LEVELS),
    logFormat: oneOf(raw.logFormat ?? DEFAULTS.logFormat, 'log-format', LOG_FORMATS),
    json: raw.json === true,
  });
}

function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: expected text`);
  return value;
}

function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: valid values are ${allowed.join(', ')}`);
}

function integer(value: unknown, flag: string, min: number, max: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
  // JSON.stringify shows NaN (what yargs makes of `--workers abc`) as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new UsageError(`invalid --${flag} ${shown}: expected a whole number from ${min} to ${max}`);
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
      `invalid bucket name "${value}": ${problem}; valid: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit`,
    );
  }
}

function bucketNameProblem(value: string): string | undefined {
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

function region(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) return value;
  throw new UsageError(`invalid --region "${value}": expected an AWS region such as us-east-1 or eu-west-2`);
}

function endpointUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`invalid --endpoint-url "${value}": expected an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid --endpoint-url "${value}": expected an http:// or https:// URL`);
  }
  return value.replace(/\/+$/, '');
}
