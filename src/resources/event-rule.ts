import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  type DescribeRuleResponse,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { orUndefined } from '../aws/errors.js';
import { tagList, tagRecord } from '../aws/tags.js';
import type { StackContext } from '../core/context.js';
import { sameJson } from '../util/json.js';
import { ruleArn } from './alerts.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

/** One EventBridge rule of the stack on the default bus, with exactly one target. */
export interface EventRuleSpec {
  readonly name: string;
  readonly description: string;
  /** The EventBridge event pattern, as an object. */
  readonly pattern: Record<string, unknown>;
  /** Its one target, as PutTargets takes it. */
  readonly target: Target;
  /** How the target reads in an error and a plan ("the alert topic"). */
  readonly targetLabel: string;
  /** False when the settings turn the rule off (ResourceDefinition.wanted). */
  readonly wanted: boolean;
}

export interface EventRuleState {
  readonly rule: DescribeRuleResponse;
  readonly targets: readonly Target[];
}

export type EventRuleKey = 'pattern' | 'description' | 'state' | 'target';

/**
 * A rule and its one target: the failure rules (to the alert topic) and the arrival rule (to the
 * workflow) differ only in what they match and where it goes.
 */
export function eventRuleResource(ctx: StackContext, spec: EventRuleSpec): ResourceDefinition<EventRuleState, EventRuleKey> {
  const { events } = ctx.aws;
  const Name = spec.name;
  const arn = ruleArn(ctx, Name);
  const putRule = (withTags: boolean) =>
    events.send(
      new PutRuleCommand({
        Name,
        Description: spec.description,
        EventPattern: JSON.stringify(spec.pattern),
        State: 'ENABLED',
        // Tags count only when the rule is created: an update leaves them to TagResource.
        ...(withTags ? { Tags: tagList(ctx.tags) } : {}),
      }),
    );
  const putTarget = async (): Promise<void> => {
    const { FailedEntryCount, FailedEntries } = await events.send(new PutTargetsCommand({ Rule: Name, Targets: [spec.target] }));
    if (FailedEntryCount) {
      const entry = FailedEntries?.[0];
      throw new Error(`PutTargets refused the ${spec.targetLabel} target: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  };

  return {
    kind: 'rule',
    name: Name,
    wanted: spec.wanted,
    label: labelsFrom<EventRuleKey>({ pattern: 'event pattern', description: 'description', state: 'state', target: 'target' }),

    async find() {
      const rule = await orUndefined(events.send(new DescribeRuleCommand({ Name })));
      if (!rule?.Name) return undefined;
      const [tags, targets] = await Promise.all([
        orUndefined(events.send(new ListTagsForResourceCommand({ ResourceARN: rule.Arn ?? arn }))),
        listTargets(ctx, Name),
      ]);
      return { state: { rule, targets }, tags: tagRecord(tags?.Tags) };
    },

    drift({ rule, targets }) {
      const drift: EventRuleKey[] = [];
      if (!sameJson(parsePattern(rule.EventPattern), spec.pattern)) drift.push('pattern');
      if ((rule.Description ?? '') !== spec.description) drift.push('description');
      if (rule.State !== 'ENABLED') drift.push('state');
      // Exactly one target, the wanted one: one added by hand would get every matching event too.
      const wanted = spec.target;
      const same = (t: Target) =>
        t.Id === wanted.Id &&
        t.Arn === wanted.Arn &&
        (t.RoleArn ?? undefined) === wanted.RoleArn &&
        sameJson(t.InputTransformer, wanted.InputTransformer) &&
        !t.Input &&
        !t.InputPath;
      if (targets.length !== 1 || !same(targets[0]!)) drift.push('target');
      return drift;
    },

    createDetails() {
      return [`to ${spec.target.Arn}`];
    },

    async create() {
      await putRule(true);
      await putTarget();
    },

    async update({ targets }, keys) {
      if (keys.includes('pattern') || keys.includes('description') || keys.includes('state')) await putRule(false);
      if (keys.includes('target')) {
        await putTarget();
        const others = targets.map((t) => t.Id).filter((id): id is string => id !== undefined && id !== spec.target.Id);
        if (others.length > 0) await events.send(new RemoveTargetsCommand({ Rule: Name, Ids: others }));
      }
    },

    async addTags(missing) {
      await events.send(new TagResourceCommand({ ResourceARN: arn, Tags: tagList(missing) }));
    },

    async destroy() {
      // EventBridge deletes no rule that still has targets.
      const ids = (await listTargets(ctx, Name)).map((t) => t.Id).filter((id): id is string => id !== undefined);
      if (ids.length > 0) await events.send(new RemoveTargetsCommand({ Rule: Name, Ids: ids }));
      await events.send(new DeleteRuleCommand({ Name }));
    },

    summarize: ({ rule }) => ({ state: rule.State }),
  };
}

/** Every target of a rule (EventBridge's SDK client has no paginator for them). */
export async function listTargets(ctx: Pick<StackContext, 'aws'>, Rule: string): Promise<Target[]> {
  const targets: Target[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ctx.aws.events.send(new ListTargetsByRuleCommand({ Rule, ...(NextToken ? { NextToken } : {}) }));
    targets.push(...(page.Targets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return targets;
}

function parsePattern(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
