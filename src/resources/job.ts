import {
  CreateJobCommand,
  DeleteJobCommand,
  GetJobCommand,
  UpdateJobCommand,
  type Job,
  type JobUpdate,
  type WorkerType,
} from '@aws-sdk/client-glue';
import type { StackContext } from '../core/context.js';
import { sameJson } from '../util/json.js';
import { JOB_ENTRY_SCRIPT, type LocalFile } from '../transfer/local-files.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { glueResource } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';

/** The tables the crawler makes from raw/flights/ and raw/airports/. */
export const FLIGHTS_TABLE = 'flights';
export const AIRPORTS_TABLE = 'airports';

/** JobUpdate is the settable part of a job: what CreateJob takes and UpdateJob replaces. */
export type JobSpec = Required<
  Pick<
    JobUpdate,
    | 'Description'
    | 'Role'
    | 'Command'
    | 'DefaultArguments'
    | 'GlueVersion'
    | 'WorkerType'
    | 'NumberOfWorkers'
    | 'Timeout'
    | 'MaxRetries'
    | 'ExecutionProperty'
    | 'ExecutionClass'
    | 'JobRunQueuingEnabled'
  >
>;

/** The Glue job argument that pip-installs extra packages before the script starts. */
export const PYTHON_MODULES_ARGUMENT = '--additional-python-modules';

/**
 * The job argument holding the SHA-256 of the data contract `up` checked the raw files against
 * (the contract itself is never uploaded): the job records it in each run's manifest.
 */
export const CONTRACT_ARGUMENT = '--contract_sha256';

/** Raw data per worker besides the driver, under `--workers auto`. */
export const BYTES_PER_WORKER = 256 * 1024 * 1024;
/** The fewest workers Glue runs a Spark job on, and the most `--workers auto` chooses. */
export const AUTO_WORKERS = { min: 2, max: 20 } as const;

/** How many workers the job gets, and why (what `plan` and `up` show). */
export interface WorkerChoice {
  readonly count: number;
  /** `setting`: --workers gave the count; `auto`: chosen from `rawBytes`. */
  readonly from: 'setting' | 'auto';
  /** The bytes of raw data `up` sends to raw/: what an auto count is chosen from. */
  readonly rawBytes: number;
}

/**
 * The worker count: --workers when given, else one worker for the driver and one per started
 * 256 MiB of raw data, from 2 to 20. Gzip CSV cannot be split, so the job spreads the rows right
 * after reading them: the count follows the volume of data, not the number of files. The same
 * data gives the same count, so an `up` with nothing changed changes nothing.
 */
export function chooseWorkers(setting: number | undefined, rawBytes: number): WorkerChoice {
  if (setting !== undefined) return { count: setting, from: 'setting', rawBytes };
  const wanted = 1 + Math.ceil(rawBytes / BYTES_PER_WORKER);
  return { count: Math.min(AUTO_WORKERS.max, Math.max(AUTO_WORKERS.min, wanted)), from: 'auto', rawBytes };
}

/** The bytes of the files `up` uploads under raw/. */
export function rawDataBytes(files: readonly LocalFile[]): number {
  return files.reduce((sum, file) => sum + file.size, 0);
}

/**
 * The job as this stack wants it. `modules` are the S3 keys of the job's extra Python files;
 * `workers` the count chosen for the raw data (chooseWorkers), by default the one for no data.
 * Bookmarks make each run read only what the crawler added since the last one.
 */
export function jobSpec(
  ctx: Pick<StackContext, 'names' | 'settings' | 'roleArn'>,
  modules: readonly string[],
  workers: number = chooseWorkers(ctx.settings.workers, 0).count,
  /** --job-timeout, or the shorter one --max-usd allows (stack/cost-ceiling.ts). */
  timeoutMinutes: number = ctx.settings.jobTimeoutMinutes,
  /** The data contract's SHA-256; null without a contract (the argument is then left out). */
  contractSha256: string | null = null,
): JobSpec {
  const bucket = ctx.names.bucket;
  const defaultArguments: Record<string, string> = {
    '--job-language': 'python',
    '--job-bookmark-option': 'job-bookmark-enable',
    '--enable-metrics': 'true',
    '--enable-continuous-cloudwatch-log': 'true',
    '--enable-spark-ui': 'true',
    '--spark-event-logs-path': s3Uri(bucket, PREFIX.sparkLogs),
    '--TempDir': s3Uri(bucket, PREFIX.temp),
    '--database': ctx.names.database,
    '--flights_table': FLIGHTS_TABLE,
    '--airports_table': AIRPORTS_TABLE,
    '--output_path': s3Uri(bucket, PREFIX.processed),
    // The job writes a drift alert above it (resources/drift-rule.ts).
    '--drift_threshold': String(ctx.settings.driftThreshold),
  };
  if (modules.length > 0) defaultArguments['--extra-py-files'] = modules.map((key) => s3Uri(bucket, key)).join(',');
  if (ctx.settings.pythonModules.length > 0) defaultArguments[PYTHON_MODULES_ARGUMENT] = ctx.settings.pythonModules.join(',');
  if (contractSha256 !== null) defaultArguments[CONTRACT_ARGUMENT] = contractSha256;
  return {
    Description: `Builds the flight-delay feature table of stack ${ctx.names.stack}`,
    Role: ctx.roleArn,
    Command: { Name: 'glueetl', ScriptLocation: s3Uri(bucket, PREFIX.scripts + JOB_ENTRY_SCRIPT), PythonVersion: '3' },
    DefaultArguments: defaultArguments,
    GlueVersion: ctx.settings.glueVersion,
    WorkerType: ctx.settings.workerType as WorkerType,
    NumberOfWorkers: workers,
    Timeout: timeoutMinutes,
    // A quarterly batch that failed needs a person, not the same failure again.
    MaxRetries: 0,
    ExecutionProperty: { MaxConcurrentRuns: 1 },
    ExecutionClass: ctx.settings.executionClass,
    // Sent either way, so turning it off is an update Glue sees, not a member left out.
    JobRunQueuingEnabled: ctx.settings.jobRunQueuing,
  };
}

type JobKey =
  | 'role'
  | 'description'
  | 'command'
  | 'arguments'
  | 'glueVersion'
  | 'workerType'
  | 'workers'
  | 'timeout'
  | 'retries'
  | 'concurrency'
  | 'executionClass'
  | 'pythonModules'
  | 'contract'
  | 'queuing';

const LABELS: Readonly<Record<JobKey, string>> = {
  role: 'role',
  description: 'description',
  command: 'command',
  arguments: 'arguments',
  glueVersion: 'Glue version',
  workerType: 'worker type',
  workers: 'workers',
  timeout: 'timeout',
  retries: 'retries',
  concurrency: 'concurrency',
  executionClass: 'execution class',
  pythonModules: 'Python modules',
  contract: 'data contract checksum',
  queuing: 'job run queuing',
};

export function jobDrift(spec: JobSpec, job: Job): JobKey[] {
  const drift: JobKey[] = [];
  if (job.Role?.split('/').pop() !== spec.Role.split('/').pop()) drift.push('role');
  if (job.Description !== spec.Description) drift.push('description');
  if (
    job.Command?.Name !== spec.Command.Name ||
    job.Command?.ScriptLocation !== spec.Command.ScriptLocation ||
    job.Command?.PythonVersion !== spec.Command.PythonVersion
  ) {
    drift.push('command');
  }
  // The extra packages and the contract are settings of their own: a plan names them rather than "arguments".
  const { [PYTHON_MODULES_ARGUMENT]: currentModules, [CONTRACT_ARGUMENT]: currentContract, ...currentArguments } = job.DefaultArguments ?? {};
  const { [PYTHON_MODULES_ARGUMENT]: wantedModules, [CONTRACT_ARGUMENT]: wantedContract, ...wantedArguments } = spec.DefaultArguments;
  if (!sameJson(currentArguments, wantedArguments)) drift.push('arguments');
  if ((currentModules ?? '') !== (wantedModules ?? '')) drift.push('pythonModules');
  if ((currentContract ?? '') !== (wantedContract ?? '')) drift.push('contract');
  if (job.GlueVersion !== spec.GlueVersion) drift.push('glueVersion');
  if (job.WorkerType !== spec.WorkerType) drift.push('workerType');
  if (job.NumberOfWorkers !== spec.NumberOfWorkers) drift.push('workers');
  if (job.Timeout !== spec.Timeout) drift.push('timeout');
  if (job.MaxRetries !== spec.MaxRetries) drift.push('retries');
  if (job.ExecutionProperty?.MaxConcurrentRuns !== spec.ExecutionProperty.MaxConcurrentRuns) drift.push('concurrency');
  // A job created without an execution class runs STANDARD, and one without queuing does not queue.
  if ((job.ExecutionClass ?? 'STANDARD') !== spec.ExecutionClass) drift.push('executionClass');
  if ((job.JobRunQueuingEnabled ?? false) !== spec.JobRunQueuingEnabled) drift.push('queuing');
  return drift;
}

/**
 * The PySpark job that turns raw flights into features. `modules` are its extra Python files' keys;
 * `workers` its worker count (chooseWorkers), by default the one for no data.
 */
export function jobResource(
  ctx: StackContext,
  modules: readonly string[],
  workers: number = chooseWorkers(ctx.settings.workers, 0).count,
  timeoutMinutes: number = ctx.settings.jobTimeoutMinutes,
  contractSha256: string | null = null,
): ResourceDefinition<Job, JobKey> {
  const { glue } = ctx.aws;
  const JobName = ctx.names.job;
  const spec = jobSpec(ctx, modules, workers, timeoutMinutes, contractSha256);
  return glueResource(ctx, {
    type: 'job',
    name: JobName,
    labels: LABELS,
    // Runs as the stack's role, which Glue may not see yet when it was created moments ago.
    assumesRole: true,
    get: async () => (await glue.send(new GetJobCommand({ JobName }))).Job,
    drift: (job) => jobDrift(spec, job),
    createDetails: () => jobCreateDetails(spec),
    create: (Tags) => glue.send(new CreateJobCommand({ Name: JobName, ...spec, Tags })),
    // UpdateJob replaces the whole definition, so send every setting, not just the drifted ones.
    update: () => glue.send(new UpdateJobCommand({ JobName, JobUpdate: spec })),
    delete: () => glue.send(new DeleteJobCommand({ JobName })),
  });
}

/** What a plan shows for a new job: every setting a person chooses. */
export function jobCreateDetails(spec: JobSpec): string[] {
  const modules = spec.DefaultArguments[PYTHON_MODULES_ARGUMENT];
  return [
    `Glue ${spec.GlueVersion}`,
    `${spec.NumberOfWorkers} x ${spec.WorkerType}`,
    spec.ExecutionClass,
    `timeout ${spec.Timeout} min`,
    ...(modules ? [`Python modules ${modules}`] : []),
    ...(spec.JobRunQueuingEnabled ? ['job run queuing'] : []),
  ];
}
