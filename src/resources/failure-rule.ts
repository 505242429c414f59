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
import { alertTarget, alertTopicArn, consoleUrl, ruleArn } from './alerts.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

/** What one failure rule matches and what it says: the rule is the same for the job and the crawler. */
export interface FailureRuleSpec {
  readonly name: string;
  readonly description: string;
  /** The EventBridge event pattern, as an object. */
  readonly pattern: Record<string, unknown>;
  /** The EventBridge input transformer: the event's values by name, and the text they go into. */
  readonly transformer: { readonly InputPathsMap: Record<string, string>; readonly InputTemplate: string };
}

export interface FailureRuleState {
  readonly rule: DescribeRuleResponse;
  readonly targets: readonly Target[];
}

type FailureRuleKey = 'pattern' | 'description' | 'state' | 'target';

/** The one target of a failure rule: the alert topic. */
export const TARGET_ID = 'alert-topic';

/** The job run states Glue ends a run in without success. EXPIRED runs never started: no event. */
export const FAILED_JOB_STATES = ['FAILED', 'TIMEOUT', 'STOPPED', 'ERROR'] as const;

/**
 * An input template for text (not JSON): one JSON string per line, which EventBridge decodes line by
 * line and joins with line breaks, each <name> replaced by the value its path takes in the event.
 * A single string with "\n" in it would arrive with the backslashes, and quotes, as typed.
 */
export function textTemplate(lines: readonly string[]): string {
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

/**
 * Failed, timed-out, stopped and errored runs of the stack's job. Glue sends "Glue Job State Change"
 * events to the default bus by itself: no setting on the job is needed.
 */
export function jobFailureSpec(ctx: Pick<StackContext, 'aws' | 'names'>): FailureRuleSpec {
  const { names, aws } = ctx;
  const run = `${consoleUrl(ctx)}/gluestudio/home?region=${aws.region}#/job/${encodeURIComponent(names.job)}/run/<runId>`;
  return {
    name: names.jobFailureRule,
    description: `Sends failed runs of the Glue job ${names.job} (stack ${names.stack}) to the alert topic`,
    pattern: {
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: [names.job], state: [...FAILED_JOB_STATES] },
    },
    transformer: {
      InputPathsMap: { job: '$.detail.jobName', runId: '$.detail.jobRunId', state: '$.detail.state', message: '$.detail.message', time: '$.time' },
      InputTemplate: textTemplate([
        `Stack ${names.stack}: run <runId> of the Glue job <job> ended <state>.`,
        '',
        'When:  <time>',
        'Error: <message>',
        `Run:   ${run}`,
        `Logs:  provisioner logs --name ${names.stack} --region ${aws.region} --run <runId>`,
      ]),
    },
  };
}

/** Failed crawls of the stack's crawler: the job is not started then, so the quarter goes unprocessed. */
export function crawlerFailureSpec(ctx: Pick<StackContext, 'aws' | 'names'>): FailureRuleSpec {
  const { names, aws } = ctx;
  const crawler = `${consoleUrl(ctx)}/glue/home?region=${aws.region}#/v2/data-catalog/crawlers/view/${encodeURIComponent(names.crawler)}`;
  return {
    name: names.crawlerFailureRule,
    description: `Sends failed crawls of the Glue crawler ${names.crawler} (stack ${names.stack}) to the alert topic`,
    pattern: {
      source: ['aws.glue'],
      'detail-type': ['Glue Crawler State Change'],
      detail: { crawlerName: [names.crawler], state: ['Failed'] },
    },
    transformer: {
      InputPathsMap: { crawler: '$.detail.crawlerName', state: '$.detail.state', message: '$.detail.errorMessage', time: '$.time' },
      InputTemplate: textTemplate([
        `Stack ${names.stack}: the crawl of the Glue crawler <crawler> <state>, so the job did not run.`,
        '',
        'When:    <time>',
        'Error:   <message>',
        `Crawler: ${crawler}`,
        `Logs:    CloudWatch log group /aws-glue/crawlers, stream ${names.crawler}`,
      ]),
    },
  };
}

/**
 * An EventBridge rule on the default bus that sends matching Glue events, as a readable message, to
 * the alert topic: the stack's (--notify) or the user's (--notify-topic-arn). The topic's policy must
 * let this rule publish; the stack's topic names both rules (alertTopicPolicy).
 */
export function failureRuleResource(ctx: StackContext, spec: FailureRuleSpec): ResourceDefinition<FailureRuleState, FailureRuleKey> {
  const { events } = ctx.aws;
  const Name = spec.name;
  const arn = ruleArn(ctx, Name);
  const target = (): Target => ({ Id: TARGET_ID, Arn: alertTopicArn(ctx), InputTransformer: spec.transformer });
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
    const { FailedEntryCount, FailedEntries } = await events.send(new PutTargetsCommand({ Rule: Name, Targets: [target()] }));
    if (FailedEntryCount) {
      const entry = FailedEntries?.[0];
      throw new Error(`PutTargets refused the alert topic target: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  };

  return {
    kind: 'rule',
    name: Name,
    wanted: alertTarget(ctx.settings) !== 'none',
    label: labelsFrom<FailureRuleKey>({ pattern: 'event pattern', description: 'description', state: 'state', target: 'target' }),

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
      const drift: FailureRuleKey[] = [];
      if (!sameJson(parsePattern(rule.EventPattern), spec.pattern)) drift.push('pattern');
      if ((rule.Description ?? '') !== spec.description) drift.push('description');
      if (rule.State !== 'ENABLED') drift.push('state');
      // Exactly one target, the alert topic: one added by hand would get every failure too.
      const wantedTarget = target();
      const same = (t: Target) =>
        t.Id === wantedTarget.Id && t.Arn === wantedTarget.Arn && sameJson(t.InputTransformer, wantedTarget.InputTransformer) && !t.Input && !t.InputPath;
      if (targets.length !== 1 || !same(targets[0]!)) drift.push('target');
      return drift;
    },

    createDetails() {
      return [`to ${alertTopicArn(ctx)}`];
    },

    async create() {
      await putRule(true);
      await putTarget();
    },

    async update({ targets }, keys) {
      if (keys.includes('pattern') || keys.includes('description') || keys.includes('state')) await putRule(false);
      if (keys.includes('target')) {
        await putTarget();
        const others = targets.map((t) => t.Id).filter((id): id is string => id !== undefined && id !== TARGET_ID);
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
