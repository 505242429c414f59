import {
  CreateTriggerCommand,
  DeleteTriggerCommand,
  GetTriggerCommand,
  StartTriggerCommand,
  UpdateTriggerCommand,
  type Action as TriggerAction,
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
const UPDATE: readonly TriggerKey[] = ['description', 'schedule', 'actions', 'predicate'];

/** Drift keys; each reads as itself in a plan. */
type TriggerKey = 'type' | 'workflow' | 'description' | 'schedule' | 'actions' | 'predicate' | 'state';

export function triggerDrift(spec: TriggerSpec, trigger: Trigger): TriggerKey[] {
  const drift: TriggerKey[] = [];
  if (trigger.Type !== spec.Type) drift.push('type');
  if (trigger.WorkflowName !== spec.WorkflowName) drift.push('workflow');
  if (trigger.Description !== spec.Description) drift.push('description');
  if ((trigger.Schedule ?? undefined) !== spec.Schedule) drift.push('schedule');
  if (!sameJson(normalizeActions(trigger.Actions), normalizeActions(spec.Actions))) drift.push('actions');
  if (!sameJson(normalizePredicate(trigger.Predicate), normalizePredicate(spec.Predicate))) drift.push('predicate');
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

export function triggerResource(ctx: StackContext, spec: TriggerSpec): ResourceDefinition<Trigger, TriggerKey> {
  const { glue } = ctx.aws;
  const { Name } = spec;

  const trigger: ResourceDefinition<Trigger, TriggerKey> = glueResource(ctx, {
    type: 'trigger',
    name: Name,
    get: async () => (await glue.send(new GetTriggerCommand({ Name }))).Trigger,
    drift: (current) => triggerDrift(spec, current),
    createDetails: () =>
      spec.Type === 'SCHEDULED' ? [`${spec.Schedule} starts crawler ${ctx.names.crawler}`] : [`crawl SUCCEEDED starts job ${ctx.names.job}`],
    // Created active, so the schedule (and the condition) take effect without a second call.
    create: (Tags) => glue.send(new CreateTriggerCommand({ ...spec, StartOnCreation: true, Tags })),
    async update(_current, keys) {
      if (keys.some((key) => REPLACE.includes(key))) {
        await glue.send(new DeleteTriggerCommand({ Name }));
        await trigger.create();
        return;
      }
      if (keys.some((key) => UPDATE.includes(key))) {
        const { Description, Schedule, Predicate: predicate, Actions } = spec;
        await glue.send(
          new UpdateTriggerCommand({
            Name,
            TriggerUpdate: { Name, Description, Actions, ...(Schedule ? { Schedule } : {}), ...(predicate ? { Predicate: predicate } : {}) },
          }),
        );
      }
      if (keys.includes('state')) await glue.send(new StartTriggerCommand({ Name }));
    },
    delete: () => glue.send(new DeleteTriggerCommand({ Name })),
    summarize: (current) => ({ type: current.Type, state: current.State, schedule: current.Schedule }),
  });
  return trigger;
}
