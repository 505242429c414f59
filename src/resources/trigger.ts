import {
  CreateTriggerCommand,
  DeleteTriggerCommand,
  GetTriggerCommand,
  StartTriggerCommand,
  UpdateTriggerCommand,
  type Action as TriggerAction,
  type EventBatchingCondition,
  type Predicate,
  type Trigger,
  type TriggerType,
} from '@aws-sdk/client-glue';
import type { StackContext } from '../core/context.js';
import { sameJson } from '../util/json.js';
import { glueResource } from './glue-resource.js';
import type { ResourceDefinition } from './resource.js';

export interface TriggerSpec {
  readonly Name: string;
  readonly WorkflowName: string;
  readonly Type: TriggerType;
  readonly Description: string;
  readonly Schedule?: string;
  readonly Predicate?: Predicate;
  /** EVENT triggers: how many events, or how long, before the trigger fires. */
  readonly EventBatchingCondition?: EventBatchingCondition;
  readonly Actions: TriggerAction[];
}

export function scheduleTriggerSpec(ctx: Pick<StackContext, 'names' | 'settings'>): TriggerSpec {
  return {
    Name: ctx.names.scheduleTrigger,
    WorkflowName: ctx.names.workflow,
    Type: 'SCHEDULED',
    Description: `Starts the crawl of stack ${ctx.names.stack} on schedule (UTC)`,
    Schedule: ctx.settings.schedule,
    Actions: [{ CrawlerName: ctx.names.crawler }],
  };
}

/**
 * With --start-on arrival, the workflow's start: EventBridge passes each marker's event to the
 * workflow (resources/arrival.ts), and the first one fires this trigger at once (a batch of one).
 * A marker that comes while a run is under way starts no second run (MaxConcurrentRuns 1).
 */
export function arrivalTriggerSpec(ctx: Pick<StackContext, 'names' | 'settings'>): TriggerSpec {
  return {
    Name: ctx.names.arrivalTrigger,
    WorkflowName: ctx.names.workflow,
    Type: 'EVENT',
    Description: `Starts the crawl of stack ${ctx.names.stack} when a delivery's ${ctx.settings.arrivalMarker} arrives under raw/`,
    EventBatchingCondition: { BatchSize: 1 },
    Actions: [{ CrawlerName: ctx.names.crawler }],
  };
}

export function jobTriggerSpec(ctx: Pick<StackContext, 'names'>): TriggerSpec {
  return {
    Name: ctx.names.jobTrigger,
    WorkflowName: ctx.names.workflow,
    Type: 'CONDITIONAL',
    Description: `Starts the job of stack ${ctx.names.stack} when the crawl succeeds`,
    Predicate: {
      Logical: 'AND',
      Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: ctx.names.crawler, CrawlState: 'SUCCEEDED' }],
    },
    Actions: [{ JobName: ctx.names.job }],
  };
}

/** Differences that UpdateTrigger cannot fix: the trigger must be deleted and created again. */
const REPLACE: readonly TriggerKey[] = ['type', 'workflow'];
/** Differences that UpdateTrigger fixes. */
const UPDATE: readonly TriggerKey[] = ['description', 'schedule', 'actions', 'predicate', 'batching'];

/** Drift keys; each reads as itself in a plan. */
type TriggerKey = 'type' | 'workflow' | 'description' | 'schedule' | 'actions' | 'predicate' | 'batching' | 'state';

export function triggerDrift(spec: TriggerSpec, trigger: Trigger): TriggerKey[] {
  const drift: TriggerKey[] = [];
  if (trigger.Type !== spec.Type) drift.push('type');
  if (trigger.WorkflowName !== spec.WorkflowName) drift.push('workflow');
  if (trigger.Description !== spec.Description) drift.push('description');
  if ((trigger.Schedule ?? undefined) !== spec.Schedule) drift.push('schedule');
  if (!sameJson(normalizeActions(trigger.Actions), normalizeActions(spec.Actions))) drift.push('actions');
  if (!sameJson(normalizePredicate(trigger.Predicate), normalizePredicate(spec.Predicate))) drift.push('predicate');
  if (spec.Type === 'EVENT' && !sameBatching(trigger.EventBatchingCondition, spec.EventBatchingCondition)) drift.push('batching');
  if (trigger.State !== 'ACTIVATED' && trigger.State !== 'ACTIVATING') drift.push('state');
  return drift;
}

function normalizeActions(actions: TriggerAction[] | undefined): unknown {
  return (actions ?? []).map((a) => ({
    CrawlerName: a.CrawlerName,
    JobName: a.JobName,
    Arguments: a.Arguments && Object.keys(a.Arguments).length > 0 ? a.Arguments : undefined,
  }));
}

/** Glue reads an EVENT trigger without a batch window back with its default of 900 seconds. */
function sameBatching(current: EventBatchingCondition | undefined, wanted: EventBatchingCondition | undefined): boolean {
  const DEFAULT_WINDOW = 900;
  return current?.BatchSize === wanted?.BatchSize && (current?.BatchWindow ?? DEFAULT_WINDOW) === (wanted?.BatchWindow ?? DEFAULT_WINDOW);
}

function normalizePredicate(predicate: Predicate | undefined): unknown {
  if (!predicate?.Conditions?.length) return undefined;
  return {
    Logical: predicate.Logical ?? 'AND',
    Conditions: predicate.Conditions.map((c) => ({
      LogicalOperator: c.LogicalOperator,
      CrawlerName: c.CrawlerName,
      CrawlState: c.CrawlState,
      JobName: c.JobName,
      State: c.State,
    })),
  };
}

/** `wanted`: false when the settings turn the trigger off (the schedule's under --start-on arrival). */
export function triggerResource(ctx: StackContext, spec: TriggerSpec, options: { wanted?: boolean } = {}): ResourceDefinition<Trigger, TriggerKey> {
  const { glue } = ctx.aws;
  const { Name } = spec;

  const trigger: ResourceDefinition<Trigger, TriggerKey> = glueResource(ctx, {
    type: 'trigger',
    name: Name,
    get: async () => (await glue.send(new GetTriggerCommand({ Name }))).Trigger,
    drift: (current) => triggerDrift(spec, current),
    createDetails: () => [startsWhat(ctx, spec)],
    // Created active, so the schedule (and the condition) take effect without a second call.
    create: (Tags) => glue.send(new CreateTriggerCommand({ ...spec, StartOnCreation: true, Tags })),
    async update(_current, keys) {
      if (keys.some((key) => REPLACE.includes(key))) {
        await glue.send(new DeleteTriggerCommand({ Name }));
        await trigger.create();
        return;
      }
      if (keys.some((key) => UPDATE.includes(key))) {
        const { Description, Schedule, Predicate: predicate, Actions, EventBatchingCondition: batching } = spec;
        await glue.send(
          new UpdateTriggerCommand({
            Name,
            TriggerUpdate: {
              Name,
              Description,
              Actions,
              ...(Schedule ? { Schedule } : {}),
              ...(predicate ? { Predicate: predicate } : {}),
              ...(batching ? { EventBatchingCondition: batching } : {}),
            },
          }),
        );
      }
      if (keys.includes('state')) await glue.send(new StartTriggerCommand({ Name }));
    },
    delete: () => glue.send(new DeleteTriggerCommand({ Name })),
    summarize: (current) => ({ type: current.Type, state: current.State, schedule: current.Schedule }),
  });
  return options.wanted === undefined ? trigger : { ...trigger, wanted: options.wanted };
}

/** What a plan says a new trigger does. */
function startsWhat(ctx: Pick<StackContext, 'names'>, spec: TriggerSpec): string {
  if (spec.Type === 'SCHEDULED') return `${spec.Schedule} starts crawler ${ctx.names.crawler}`;
  if (spec.Type === 'EVENT') return `an arrival starts crawler ${ctx.names.crawler}`;
  return `crawl SUCCEEDED starts job ${ctx.names.job}`;
}
