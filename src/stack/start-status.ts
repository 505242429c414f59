import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Trigger, WorkflowRun } from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { arrivalMarkerKey } from '../resources/arrival.js';
import type { FoundEntry } from './alert-status.js';

/**
 * How the stack starts, from the start trigger that exists (not from the settings of this command,
 * which may not be those of the last `up`), and for an arrival start what is known of arrivals.
 */
export interface StartStatus {
  /** `none`: neither start trigger exists (the stack is not up). */
  on: 'schedule' | 'arrival' | 'none';
  /** On schedule: the trigger's cron expression. */
  schedule?: string;
  /** On arrival: the marker at the top of raw/ that `up` writes (a marker below raw/ starts a run too). */
  marker?: string;
  /** When that marker was last written (its LastModified); null when it is not there. */
  markerWrittenOn?: string | null;
  /**
   * The newest of the workflow runs status lists that an event started: Glue records the batch
   * condition that started a run only on runs an EVENT trigger started. Null when none of them was.
   */
  lastArrivalRun?: { id: string; startedOn: string | null } | null;
}

export async function collectStartStatus(
  ctx: StackContext,
  entries: readonly FoundEntry[],
  workflowRuns: readonly WorkflowRun[],
  bucketExists: boolean,
): Promise<StartStatus> {
  const trigger = (name: string) => entries.find((e) => e.resource.kind === 'trigger' && e.resource.name === name)?.found?.state as Trigger | undefined;
  const scheduled = trigger(ctx.names.scheduleTrigger);
  if (trigger(ctx.names.arrivalTrigger) !== undefined) {
    const marker = arrivalMarkerKey(ctx.settings);
    const head = bucketExists ? await orUndefined(ctx.aws.s3.send(new HeadObjectCommand({ Bucket: ctx.names.bucket, Key: marker }))) : undefined;
    const started = workflowRuns.find((run) => run.StartingEventBatchCondition !== undefined);
    return {
      on: 'arrival',
      marker,
      markerWrittenOn: head?.LastModified?.toISOString() ?? null,
      lastArrivalRun: started?.WorkflowRunId ? { id: started.WorkflowRunId, startedOn: started.StartedOn?.toISOString() ?? null } : null,
    };
  }
  if (scheduled !== undefined) return { on: 'schedule', ...(scheduled.Schedule ? { schedule: scheduled.Schedule } : {}) };
  return { on: 'none' };
}
