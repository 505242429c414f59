import { alertEmailsResource } from '../resources/alert-emails.js';
import { alertKeyResource } from '../resources/alert-key.js';
import { alertTopicResource } from '../resources/alert-topic.js';
import { arrivalRoleResource, arrivalRuleResource } from '../resources/arrival.js';
import { bucketEventsResource } from '../resources/bucket-events.js';
import { bucketResource } from '../resources/bucket.js';
import { crawlerResource } from '../resources/crawler.js';
import { dashboardResource } from '../resources/dashboard.js';
import { databaseResource } from '../resources/database.js';
import { driftAlertSpec } from '../resources/drift-rule.js';
import { alertTarget } from '../resources/alerts.js';
import { crawlerFailureSpec, failureRuleResource, jobCeilingSpec, jobFailureSpec, type CeilingAlert } from '../resources/failure-rule.js';
import { chooseWorkers, jobResource, rawDataBytes } from '../resources/job.js';
import { namedQueriesResource } from '../resources/named-queries.js';
import { objectsResource } from '../resources/objects.js';
import { OUTPUT_TABLES } from '../resources/output-tables.js';
import type { AnyResource } from '../resources/resource.js';
import { roleResource } from '../resources/role.js';
import { tableResource } from '../resources/table.js';
import { arrivalTriggerSpec, jobTriggerSpec, scheduleTriggerSpec, triggerResource } from '../resources/trigger.js';
import { workflowResource } from '../resources/workflow.js';
import { workgroupResource } from '../resources/workgroup.js';
import { transferLimits } from '../transfer/limits.js';
import { JOB_ENTRY_SCRIPT, type LocalFile } from '../transfer/local-files.js';
import { TransferBudgets } from '../transfer/upload.js';
import type { StackContext } from '../core/context.js';
import { PREFIX } from '../core/names.js';
import { keptCeiling } from './cost-ceiling.js';

/** The local files `up` mirrors into the bucket; teardown and status need none. */
export interface LocalSources {
  readonly data: readonly LocalFile[];
  readonly scripts: readonly LocalFile[];
  /** The SHA-256 of the data contract the data was checked against; absent or null without one. */
  readonly contractSha256?: string | null;
}

export const NO_SOURCES: LocalSources = { data: [], scripts: [] };

/**
 * The stack: every resource in the order it must exist. `up` walks this list, `teardown` walks
 * it backwards, `status` maps over it. A new resource is a module plus one line here. Resources
 * the settings turn off stay in the list (`wanted: false`), so that up and teardown find them.
 */
export function stackResources(ctx: StackContext, sources: LocalSources = NO_SOURCES): AnyResource[] {
  const modules = sources.scripts.filter((f) => !f.key.endsWith(`/${JOB_ENTRY_SCRIPT}`)).map((f) => f.key);
  // Both uploads may run at once (alongside): within one bound on requests and one on memory.
  const transfers = new TransferBudgets(transferLimits(ctx.settings));
  const workers = chooseWorkers(ctx.settings.workers, rawDataBytes(sources.data)).count;
  const arriving = ctx.settings.startOn === 'arrival';
  const alerting = alertTarget(ctx.settings) !== 'none';
  const ceiling = keptCeiling(ctx.settings, workers, ctx.aws.region);
  // A TIMEOUT is the cost ceiling's only when the ceiling, not --job-timeout, sets the timeout.
  const ceilingAlert: CeilingAlert | undefined = ceiling?.setsTimeout ? { maxUsd: ceiling.maxUsd, timeoutMinutes: ceiling.timeoutMinutes } : undefined;
  return [
    bucketResource(ctx),
    // The scripts (a few KiB) first, then the data, the longest step, sent while the rest is made.
    objectsResource(ctx, PREFIX.scripts, sources.scripts, transfers),
    objectsResource(ctx, PREFIX.raw, sources.data, transfers),
    // A role passed with --role-arn is the user's: never created, changed or deleted here.
    ...(ctx.settings.roleArn ? [] : [roleResource(ctx)]),
    databaseResource(ctx),
    // The job's outputs as tables Athena can query the moment a quarter is written.
    ...OUTPUT_TABLES.map((table) => tableResource(ctx, table)),
    // Where they are queried: results in the bucket, a scan limit, and the report's questions saved.
    workgroupResource(ctx),
    namedQueriesResource(ctx),
    crawlerResource(ctx),
    // As many workers as the raw data asks for, unless --workers says: the count `up` shows; and
    // the timeout --max-usd allows them, if it is shorter than --job-timeout.
    // The contract's checksum as an argument, so that each run's manifest names the contract.
    jobResource(ctx, modules, workers, ceiling?.timeoutMinutes ?? ctx.settings.jobTimeoutMinutes, sources.contractSha256 ?? null),
    workflowResource(ctx),
    // The workflow's start, by --start-on: its schedule, or an arrival. The other one `up` deletes.
    triggerResource(ctx, scheduleTriggerSpec(ctx), { wanted: !arriving }),
    triggerResource(ctx, arrivalTriggerSpec(ctx), { wanted: arriving }),
    triggerResource(ctx, jobTriggerSpec(ctx)),
    // An arrival reaches the workflow: the bucket's events, a rule for the marker's, its role.
    arrivalRoleResource(ctx),
    arrivalRuleResource(ctx),
    // Lives in the bucket (no teardown of its own); left on when back on schedule (bucket-events.ts).
    // Alerts need it too: a drift alert is an object the job writes (the drift rule below).
    ...(arriving || alerting ? [bucketEventsResource(ctx)] : []),
    // Alerts and the dashboard exist as the settings say (`wanted`); turned off, up deletes them.
    alertKeyResource(ctx),
    alertTopicResource(ctx),
    alertEmailsResource(ctx),
    failureRuleResource(ctx, jobFailureSpec(ctx, ceilingAlert)),
    failureRuleResource(ctx, crawlerFailureSpec(ctx)),
    // A run stopped at the ceiling's timeout, told as such (--max-usd); without it, a TIMEOUT is a
    // failure above, and this rule is not wanted: only its name matters then, for up and teardown.
    failureRuleResource(ctx, jobCeilingSpec(ctx, ceilingAlert ?? { maxUsd: 0, timeoutMinutes: 0 }), { wanted: ceilingAlert !== undefined }),
    // A run that ended with drift above --drift-threshold (the job writes the alert it sends).
    failureRuleResource(ctx, driftAlertSpec(ctx)),
    dashboardResource(ctx),
  ];
}

/** The resources that stand on their own (not held inside another), in the order they are made. */
export function standaloneResources(ctx: StackContext): AnyResource[] {
  return stackResources(ctx).filter((resource) => resource.destroy !== undefined);
}
