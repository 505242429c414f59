import {
  CreateTriggerCommand,
  CreateWorkflowCommand,
  DeleteTriggerCommand,
  DeleteWorkflowCommand,
  GetTriggerCommand,
  GetWorkflowCommand,
  StartTriggerCommand,
  UpdateTriggerCommand,
  UpdateWorkflowCommand,
  type Action as TriggerAction,
  type Predicate,
  type Trigger,
  type TriggerType,
} from '@aws-sdk/client-glue';
import { orUndefined } from '../aws/errors.js';
import { glueArn, type StackContext } from '../stack/context.js';
import { sameJson } from '../util/json.js';
import { missingTags } from '../aws/tags.js';
import { addMissingGlueTags, glueRemovable, readGlueTags } from './glue-tags.js';
import { assertOwnedByStack } from './ownership.js';
import type { Removable, Resource } from './resource.js';

export interface WorkflowState {
  readonly description: string | undefined;
  readonly maxConcurrentRuns: number | undefined;
  readonly tags: Record<string, string>;
}

/**
 * The workflow groups the crawler and job so that the whole chain descends from one trigger:
 * Glue only fires a conditional trigger for a crawl or job run that a trigger started.
 */
export function workflowResource(ctx: StackContext): Resource<WorkflowState> {
  const { glue } = ctx.aws;
  const Name = ctx.names.workflow;
  const arn = glueArn(ctx.aws, 'workflow', Name);
  const Description = `Quarterly crawl then feature job of stack ${ctx.names.stack}`;
  const MaxConcurrentRuns = 1;

  return {
    kind: 'workflow',
    name: Name,
    async describe() {
      const found = await orUndefined(glue.send(new GetWorkflowCommand({ Name })));
      if (!found?.Workflow) return undefined;
      const tags = await readGlueTags(glue, arn);
      assertOwnedByStack('workflow', Name, tags, ctx.names.stack);
      return { description: found.Workflow.Description, maxConcurrentRuns: found.Workflow.MaxConcurrentRuns, tags };
    },
    drift(current) {
      const drift: string[] = [];
      if (current.description !== Description) drift.push('description');
      if (current.maxConcurrentRuns !== MaxConcurrentRuns) drift.push('concurrency');
      if (Object.keys(missingTags(ctx.tags, current.tags)).length > 0) drift.push('tags');
      return drift;
    },
    async create() {
      await glue.send(new CreateWorkflowCommand({ Name, Description, MaxConcurrentRuns, Tags: { ...ctx.tags } }));
      await addMissingGlueTags(glue, arn, ctx.tags);
    },
    async update(current, drift) {
      if (drift.includes('description') || drift.includes('concurrency')) {
        await glue.send(new UpdateWorkflowCommand({ Name, Description, MaxConcurrentRuns }));
      }
      if (drift.includes('tags')) await addMissingGlueTags(glue, arn, ctx.tags, current.tags);
    },
  };
}

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

export interface TriggerState {
  readonly trigger: Trigger;
  readonly tags: Record<string, string>;
}

/** Differences that UpdateTrigger cannot fix: the trigger must be deleted and created again. */
const REPLACE = ['type', 'workflow'];

export function triggerDrift(spec: TriggerSpec, trigger: Trigger): string[] {
  const drift: string[] = [];
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

export function triggerResource(ctx: StackContext, spec: TriggerSpec): Resource<TriggerState> {
  const { glue } = ctx.aws;
  const { Name } = spec;
  const arn = glueArn(ctx.aws, 'trigger', Name);

  const create = async (): Promise<void> => {
    // Created active, so the schedule (and the condition) take effect without a second call.
    await glue.send(new CreateTriggerCommand({ ...spec, StartOnCreation: true, Tags: { ...ctx.tags } }));
    await addMissingGlueTags(glue, arn, ctx.tags);
  };

  return {
    kind: 'trigger',
    name: Name,
    async describe() {
      const found = await orUndefined(glue.send(new GetTriggerCommand({ Name })));
      if (!found?.Trigger) return undefined;
      const tags = await readGlueTags(glue, arn);
      assertOwnedByStack('trigger', Name, tags, ctx.names.stack);
      return { trigger: found.Trigger, tags };
    },
    drift(current) {
      const drift = triggerDrift(spec, current.trigger);
      if (Object.keys(missingTags(ctx.tags, current.tags)).length > 0) drift.push('tags');
      return drift;
    },
    createDetails() {
      return spec.Type === 'SCHEDULED'
        ? [`${spec.Schedule} starts crawler ${ctx.names.crawler}`]
        : [`crawl SUCCEEDED starts job ${ctx.names.job}`];
    },
    create,
    async update(current, drift) {
      if (drift.some((d) => REPLACE.includes(d))) {
        await glue.send(new DeleteTriggerCommand({ Name }));
        await create();
        return;
      }
      if (drift.some((d) => ['description', 'schedule', 'actions', 'predicate'].includes(d))) {
        const { Description, Schedule, Predicate: predicate, Actions } = spec;
        await glue.send(
          new UpdateTriggerCommand({
            Name,
            TriggerUpdate: { Name, Description, Actions, ...(Schedule ? { Schedule } : {}), ...(predicate ? { Predicate: predicate } : {}) },
          }),
        );
      }
      if (drift.includes('state')) await glue.send(new StartTriggerCommand({ Name }));
      if (drift.includes('tags')) await addMissingGlueTags(glue, arn, ctx.tags, current.tags);
    },
  };
}

export function workflowRemovable(ctx: StackContext): Removable {
  const { glue } = ctx.aws;
  const Name = ctx.names.workflow;
  return glueRemovable(
    ctx,
    'workflow',
    Name,
    () => glue.send(new GetWorkflowCommand({ Name })),
    () => glue.send(new DeleteWorkflowCommand({ Name })),
  );
}

export function triggerRemovable(ctx: StackContext, Name: string): Removable {
  const { glue } = ctx.aws;
  return glueRemovable(
    ctx,
    'trigger',
    Name,
    () => glue.send(new GetTriggerCommand({ Name })),
    () => glue.send(new DeleteTriggerCommand({ Name })),
  );
}
