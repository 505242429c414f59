import type { StackContext } from '../core/context.js';
import { alertTarget, alertTopicArn, consoleUrl } from './alerts.js';
import { eventRuleResource, type EventRuleKey, type EventRuleState } from './event-rule.js';
import type { ResourceDefinition } from './resource.js';

export { listTargets } from './event-rule.js';

/** What one failure rule matches and what it says: the rule is the same for the job and the crawler. */
export interface FailureRuleSpec {
  readonly name: string;
  readonly description: string;
  /** The EventBridge event pattern, as an object. */
  readonly pattern: Record<string, unknown>;
  /** The EventBridge input transformer: the event's values by name, and the text they go into. */
  readonly transformer: { readonly InputPathsMap: Record<string, string>; readonly InputTemplate: string };
}

export type FailureRuleState = EventRuleState;

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
export function failureRuleResource(ctx: StackContext, spec: FailureRuleSpec): ResourceDefinition<FailureRuleState, EventRuleKey> {
  return eventRuleResource(ctx, {
    name: spec.name,
    description: spec.description,
    pattern: spec.pattern,
    target: { Id: TARGET_ID, Arn: alertTopicArn(ctx), InputTransformer: spec.transformer },
    targetLabel: 'alert topic',
    wanted: alertTarget(ctx.settings) !== 'none',
  });
}
