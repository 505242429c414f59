import { connect, type Aws } from '../aws/clients.js';
import type { Settings } from '../config/settings.js';
import type { StackContext } from './context.js';
import { UsageError } from '../errors.js';
import type { LocalFile } from '../transfer/local-files.js';
import { JOB_ENTRY_SCRIPT } from '../transfer/local-files.js';
import type { Logger } from '../cli/logger.js';
import { PREFIX, stackNames, stackTags } from './names.js';
import type { Progress } from '../cli/progress.js';
import { bucketRemovable, bucketResource } from '../resources/bucket.js';
import { crawlerRemovable, crawlerResource } from '../resources/crawler.js';
import { databaseRemovable, databaseResource } from '../resources/database.js';
import { jobRemovable, jobResource } from '../resources/job.js';
import { objectsResource } from '../resources/objects.js';
import type { Removable, Resource } from '../resources/resource.js';
import { roleArn, roleRemovable, roleResource } from '../resources/role.js';
import {
  jobTriggerSpec,
  scheduleTriggerSpec,
  triggerRemovable,
  triggerResource,
  workflowRemovable,
  workflowResource,
} from '../resources/workflow.js';

export interface Runtime {
  readonly logger: Logger;
  readonly progress: Progress;
  readonly signal: AbortSignal;
}

/** Connects to AWS and resolves every name of the stack; checks what can only be checked online. */
export async function openStack(settings: Settings, runtime: Runtime, connectTo: typeof connect = connect): Promise<StackContext> {
  const aws: Aws = await connectTo({ region: settings.region, endpointUrl: settings.endpointUrl });
  if (settings.roleArn) {
    const roleAccount = settings.roleArn.split(':')[4];
    if (roleAccount !== aws.accountId) {
      throw new UsageError(
        `invalid --role-arn "${settings.roleArn}": it belongs to account ${roleAccount}, but these credentials are for account ${aws.accountId}; valid: a role in ${aws.accountId}`,
      );
    }
  }
  const names = stackNames(settings.name, aws.accountId, aws.region, settings.bucket);
  return {
    aws,
    settings,
    names,
    tags: stackTags(settings.name),
    roleArn: settings.roleArn ?? roleArn(aws.partition, aws.accountId, names.role),
    ...runtime,
  };
}

export interface LocalSources {
  readonly data: readonly LocalFile[];
  readonly scripts: readonly LocalFile[];
}

/** Everything `up` converges, in the order it must exist. */
export function upResources(ctx: StackContext, sources: LocalSources): Resource<unknown>[] {
  const modules = sources.scripts.filter((f) => !f.key.endsWith(`/${JOB_ENTRY_SCRIPT}`)).map((f) => f.key);
  return [
    bucketResource(ctx),
    objectsResource(ctx, PREFIX.raw, sources.data),
    objectsResource(ctx, PREFIX.scripts, sources.scripts),
    ...(ctx.settings.roleArn ? [] : [roleResource(ctx)]),
    databaseResource(ctx),
    crawlerResource(ctx),
    jobResource(ctx, modules),
    workflowResource(ctx),
    triggerResource(ctx, scheduleTriggerSpec(ctx)),
    triggerResource(ctx, jobTriggerSpec(ctx)),
  ];
}

/** Everything `teardown` removes, dependents first. Runs are stopped before this list starts. */
export function teardownRemovables(ctx: StackContext): Removable[] {
  return [
    triggerRemovable(ctx, ctx.names.scheduleTrigger),
    triggerRemovable(ctx, ctx.names.jobTrigger),
    workflowRemovable(ctx),
    jobRemovable(ctx),
    crawlerRemovable(ctx),
    databaseRemovable(ctx),
    bucketRemovable(ctx),
    // A role passed with --role-arn is the user's, never ours to delete.
    ...(ctx.settings.roleArn ? [] : [roleRemovable(ctx)]),
  ];
}
