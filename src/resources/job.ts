import {
  CreateJobCommand,
  DeleteJobCommand,
  GetJobCommand,
  UpdateJobCommand,
  type Job,
  type JobUpdate,
  type WorkerType,
} from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { glueArn, s3Uri, type StackContext } from '../stack/context.js';
import { sameJson } from '../util/json.js';
import { JOB_ENTRY_SCRIPT } from '../transfer/local-files.js';
import { PREFIX } from '../stack/names.js';
import { missingTags } from '../aws/tags.js';
import { retryWhileRolePropagates } from '../util/wait.js';
import { addMissingGlueTags, glueRemovable, readGlueTags } from './glue-tags.js';
import { assertOwnedByStack } from './ownership.js';
import type { Removable, Resource } from './resource.js';

export const GLUE_VERSION = '5.0';
/** The tables the crawler makes from raw/flights/ and raw/airports/. */
export const FLIGHTS_TABLE = 'flights';
export const AIRPORTS_TABLE = 'airports';

export interface JobState {
  readonly job: Job;
  readonly tags: Record<string, string>;
}

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
  >
>;

/**
 * The job as this stack wants it. `modules` are the S3 keys of the job's extra Python files.
 * Bookmarks make each run read only what the crawler added since the last one.
 */
export function jobSpec(ctx: Pick<StackContext, 'names' | 'settings' | 'roleArn'>, modules: readonly string[]): JobSpec {
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
  };
  if (modules.length > 0) defaultArguments['--extra-py-files'] = modules.map((key) => s3Uri(bucket, key)).join(',');
  return {
    Description: `Builds the flight-delay feature table of stack ${ctx.names.stack}`,
    Role: ctx.roleArn,
    Command: { Name: 'glueetl', ScriptLocation: s3Uri(bucket, PREFIX.scripts + JOB_ENTRY_SCRIPT), PythonVersion: '3' },
    DefaultArguments: defaultArguments,
    GlueVersion: GLUE_VERSION,
    WorkerType: ctx.settings.workerType as WorkerType,
    NumberOfWorkers: ctx.settings.workers,
    Timeout: ctx.settings.jobTimeoutMinutes,
    // A quarterly batch that failed needs a person, not the same failure again.
    MaxRetries: 0,
    ExecutionProperty: { MaxConcurrentRuns: 1 },
  };
}

export function jobDrift(spec: JobSpec, job: Job): string[] {
  const drift: string[] = [];
  if (job.Role?.split('/').pop() !== spec.Role.split('/').pop()) drift.push('role');
  if (job.Description !== spec.Description) drift.push('description');
  if (
    job.Command?.Name !== spec.Command.Name ||
    job.Command?.ScriptLocation !== spec.Command.ScriptLocation ||
    job.Command?.PythonVersion !== spec.Command.PythonVersion
  ) {
    drift.push('command');
  }
  if (!sameJson(job.DefaultArguments ?? {}, spec.DefaultArguments)) drift.push('arguments');
  if (job.GlueVersion !== spec.GlueVersion) drift.push('Glue version');
  if (job.WorkerType !== spec.WorkerType) drift.push('worker type');
  if (job.NumberOfWorkers !== spec.NumberOfWorkers) drift.push('workers');
  if (job.Timeout !== spec.Timeout) drift.push('timeout');
  if (job.MaxRetries !== spec.MaxRetries) drift.push('retries');
  if (job.ExecutionProperty?.MaxConcurrentRuns !== spec.ExecutionProperty.MaxConcurrentRuns) drift.push('concurrency');
  return drift;
}

export function jobResource(ctx: StackContext, modules: readonly string[]): Resource<JobState> {
  const { glue } = ctx.aws;
  const JobName = ctx.names.job;
  const arn = glueArn(ctx.aws, 'job', JobName);
  const spec = jobSpec(ctx, modules);

  return {
    kind: 'job',
    name: JobName,
    async describe() {
      const found = await orUndefined(glue.send(new GetJobCommand({ JobName })));
      if (!found?.Job) return undefined;
      const tags = await readGlueTags(glue, arn);
      assertOwnedByStack('job', JobName, tags, ctx.names.stack);
      return { job: found.Job, tags };
    },
    drift(current) {
      const drift = jobDrift(spec, current.job);
      if (Object.keys(missingTags(ctx.tags, current.tags)).length > 0) drift.push('tags');
      return drift;
    },
    createDetails() {
      return [`Glue ${spec.GlueVersion}`, `${spec.NumberOfWorkers} x ${spec.WorkerType}`, `timeout ${spec.Timeout} min`];
    },
    async create() {
      await retryWhileRolePropagates(
        () => glue.send(new CreateJobCommand({ Name: JobName, ...spec, Tags: { ...ctx.tags } })),
        ctx.logger,
        { signal: ctx.signal },
      );
      await addMissingGlueTags(glue, arn, ctx.tags);
    },
    async update(current, drift) {
      if (drift.some((d) => d !== 'tags')) {
        // UpdateJob replaces the whole definition, so send every setting, not just the drifted ones.
        await retryWhileRolePropagates(() => glue.send(new UpdateJobCommand({ JobName, JobUpdate: spec })), ctx.logger, {
          signal: ctx.signal,
        });
      }
      if (drift.includes('tags')) await addMissingGlueTags(glue, arn, ctx.tags, current.tags);
    },
  };
}

export function jobRemovable(ctx: StackContext): Removable {
  const { glue } = ctx.aws;
  const JobName = ctx.names.job;
  return glueRemovable(
    ctx,
    'job',
    JobName,
    () => glue.send(new GetJobCommand({ JobName })),
    () => glue.send(new DeleteJobCommand({ JobName })),
  );
}
