import type { ExecutionClass, GlueVersion, WorkerType } from './glue.js';
import type { LogFormat, LogLevel } from './logger.js';

/** How the stack's workflow starts: `schedule` (a SCHEDULED trigger) or `arrival` (an EVENT trigger). */
export const START_ON = ['schedule', 'arrival'] as const;
export type StartOn = (typeof START_ON)[number];
/** A count of rows, or a share of a file's rows in percent (`0.1` is one row in a thousand). */
export type BadRowLimit = { readonly rows: number } | { readonly percent: number };

/**
 * Everything a command needs to know, validated once and never read from the environment again.
 * config/ builds it from the option table (one entry per field, checked against this type by the
 * compiler); every layer below the terminal reads it.
 */
export interface Settings {
  /** The stack: every resource name derives from it. */
  readonly name: string;
  /** Undefined: the SDK's own chain (AWS_REGION, the profile) decides. */
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  /** Undefined: `<name>-<account>-<region>`. */
  readonly bucket: string | undefined;
  /** Absolute paths of the raw data and of the Glue job's scripts. */
  readonly dataDir: string;
  readonly jobDir: string;
  /** The data contract's file; undefined: `contract.json` in the data directory, if there is one. */
  readonly contract: string | undefined;
  /** How many rows of a file may break the contract before the file is refused. */
  readonly maxBadRows: BadRowLimit;
  /** A Glue cron expression, `cron(...)` in UTC. */
  readonly schedule: string;
  /** What starts a pipeline run: the schedule, or a delivery's marker arriving under `raw/`. */
  readonly startOn: StartOn;
  /** The object name that, written under `raw/`, says a delivery is complete (`--start-on arrival`). */
  readonly arrivalMarker: string;
  /** Undefined: the stack creates its own Glue role. */
  readonly roleArn: string | undefined;
  /** Undefined: SSE-S3. */
  readonly kmsKey: string | undefined;
  readonly workerType: WorkerType;
  /** Undefined: `auto`, chosen from the bytes of raw data. */
  readonly workers: number | undefined;
  readonly jobTimeoutMinutes: number;
  /** The most one job run may cost, in USD; undefined: no ceiling but the timeout. */
  readonly maxUsd: number | undefined;
  /** PSI above which a feature counts as drifted from the quarter before (status). */
  readonly driftThreshold: number;
  readonly glueVersion: GlueVersion;
  readonly executionClass: ExecutionClass;
  readonly pythonModules: readonly string[];
  readonly jobRunQueuing: boolean;
  /** Undefined: the last successful run's minutes, else a default, for the cost estimate. */
  readonly expectedMinutes: number | undefined;
  /** A JVM size for local Spark; undefined: `auto`. */
  readonly sparkMemory: string | undefined;
  readonly retentionDays: number;
  /** The most one query in the stack's Athena workgroup may scan, in MB of 10^6 bytes. */
  readonly athenaScanLimitMb: number;
  readonly prune: boolean;
  /** Email addresses alerted on a failed run. */
  readonly notify: readonly string[];
  readonly notifyTopicArn: string | undefined;
  readonly dashboard: boolean;
  readonly maxRequests: number;
  readonly maxMemoryMib: number;
  readonly multipartThresholdMib: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly json: boolean;
}
