import {
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetJobCommand,
  GetJobRunsCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  GetWorkflowRunsCommand,
  type JobRun,
  type WorkflowRun,
} from '@aws-sdk/client-glue';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from './context.js';
import { PREFIX } from './names.js';
import { bucketExists } from '../resources/bucket.js';
import { summarizePrefix, type PrefixSummary } from '../resources/bucket-contents.js';

/**
 * What `status --json` prints: one object, stable keys. Times are ISO 8601 UTC strings, durations
 * whole seconds, sizes bytes. A missing resource has `exists: false` and no other fields.
 */
export interface StatusReport {
  stack: string;
  account: string;
  region: string;
  resources: ResourceStatus[];
  triggers: TriggerStatus[];
  lastWorkflowRun: RunStatus | null;
  lastJobRun: RunStatus | null;
  objects: Record<'raw' | 'scripts' | 'processed', PrefixSummary>;
}

export interface ResourceStatus {
  kind: string;
  name: string;
  exists: boolean;
  /** Crawler: READY, RUNNING or STOPPING; trigger: ACTIVATED and so on. */
  state?: string;
}

export interface TriggerStatus {
  name: string;
  exists: boolean;
  type?: string;
  state?: string;
  schedule?: string;
}

export interface RunStatus {
  id: string;
  state: string;
  startedOn: string | null;
  completedOn: string | null;
  durationSeconds: number | null;
  error?: string;
}

export async function collectStatus(ctx: StackContext): Promise<StatusReport> {
  const { glue, iam, s3 } = ctx.aws;
  const { names } = ctx;

  const [bucket, role, database, crawler, job, workflow, scheduleTrigger, jobTrigger, workflowRuns, jobRuns] = await Promise.all([
    bucketExists(s3, names.bucket),
    ctx.settings.roleArn ? Promise.resolve(undefined) : orUndefined(iam.send(new GetRoleCommand({ RoleName: names.role }))),
    orUndefined(glue.send(new GetDatabaseCommand({ Name: names.database }))),
    orUndefined(glue.send(new GetCrawlerCommand({ Name: names.crawler }))),
    orUndefined(glue.send(new GetJobCommand({ JobName: names.job }))),
    orUndefined(glue.send(new GetWorkflowCommand({ Name: names.workflow }))),
    orUndefined(glue.send(new GetTriggerCommand({ Name: names.scheduleTrigger }))),
    orUndefined(glue.send(new GetTriggerCommand({ Name: names.jobTrigger }))),
    orUndefined(glue.send(new GetWorkflowRunsCommand({ Name: names.workflow, MaxResults: 1 }))),
    orUndefined(glue.send(new GetJobRunsCommand({ JobName: names.job, MaxResults: 1 }))),
  ]);

  const resources: ResourceStatus[] = [
    { kind: 'bucket', name: names.bucket, exists: bucket },
    ctx.settings.roleArn
      ? { kind: 'role', name: ctx.settings.roleArn, exists: true, state: 'external' }
      : { kind: 'role', name: names.role, exists: Boolean(role?.Role) },
    { kind: 'database', name: names.database, exists: Boolean(database?.Database) },
    withState({ kind: 'crawler', name: names.crawler, exists: Boolean(crawler?.Crawler) }, crawler?.Crawler?.State),
    { kind: 'job', name: names.job, exists: Boolean(job?.Job) },
    { kind: 'workflow', name: names.workflow, exists: Boolean(workflow?.Workflow) },
  ];

  const triggers: TriggerStatus[] = [scheduleTrigger, jobTrigger].map((found, i) => {
    const name = i === 0 ? names.scheduleTrigger : names.jobTrigger;
    const trigger = found?.Trigger;
    if (!trigger) return { name, exists: false };
    return {
      name,
      exists: true,
      ...(trigger.Type ? { type: trigger.Type } : {}),
      ...(trigger.State ? { state: trigger.State } : {}),
      ...(trigger.Schedule ? { schedule: trigger.Schedule } : {}),
    };
  });

  const empty: PrefixSummary = { objects: 0, bytes: 0 };
  const [raw, scripts, processed] = bucket
    ? await Promise.all([PREFIX.raw, PREFIX.scripts, PREFIX.processed].map((p) => summarizePrefix(s3, names.bucket, p)))
    : [empty, empty, empty];

  return {
    stack: names.stack,
    account: ctx.aws.accountId,
    region: ctx.aws.region,
    resources,
    triggers,
    lastWorkflowRun: workflowRunStatus(workflowRuns?.Runs?.[0]),
    lastJobRun: jobRunStatus(jobRuns?.JobRuns?.[0]),
    objects: { raw: raw!, scripts: scripts!, processed: processed! },
  };
}

function withState(status: ResourceStatus, state: string | undefined): ResourceStatus {
  return state ? { ...status, state } : status;
}

function workflowRunStatus(run: WorkflowRun | undefined): RunStatus | null {
  if (!run?.WorkflowRunId) return null;
  return timing(run.WorkflowRunId, run.Status ?? 'UNKNOWN', run.StartedOn, run.CompletedOn, run.ErrorMessage);
}

export function jobRunStatus(run: JobRun | undefined): RunStatus | null {
  if (!run?.Id) return null;
  const status = timing(run.Id, run.JobRunState ?? 'UNKNOWN', run.StartedOn, run.CompletedOn, run.ErrorMessage);
  // Glue measures execution itself; prefer it over the wall clock, which includes queueing.
  if (run.ExecutionTime) status.durationSeconds = run.ExecutionTime;
  return status;
}

function timing(id: string, state: string, started: Date | undefined, completed: Date | undefined, error: string | undefined): RunStatus {
  const end = completed ?? undefined;
  return {
    id,
    state,
    startedOn: started?.toISOString() ?? null,
    completedOn: end?.toISOString() ?? null,
    durationSeconds: started ? Math.round(((end ?? new Date()).getTime() - started.getTime()) / 1000) : null,
    ...(error ? { error } : {}),
  };
}
