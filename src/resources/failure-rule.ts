import type { StackContext } from '../core/context.js';
import { formatUsd } from '../core/units.js';
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

/** The cost ceiling that sets the job's timeout (--max-usd), as the ceiling rule words its alert. */
export interface CeilingAlert {
  readonly maxUsd: number;
  /** The job's timeout: the whole minutes its workers can run for maxUsd. */
  readonly timeoutMinutes: number;
}

function jobRunUrl(ctx: Pick<StackContext, 'aws' | 'names'>): string {
  return `${consoleUrl(ctx)}/gluestudio/home?region=${ctx.aws.region}#/job/${encodeURIComponent(ctx.names.job)}/run/<runId>`;
}

/**
 * Failed, timed-out, stopped and errored runs of the stack's job. Glue sends "Glue Job State Change"
 * events to the default bus by itself: no setting on the job is needed. When the cost ceiling sets
 * the job's timeout, a TIMEOUT is the ceiling rule's to tell (jobCeilingSpec), and this one leaves it.
 */
export function jobFailureSpec(ctx: Pick<StackContext, 'aws' | 'names'>, ceiling?: CeilingAlert): FailureRuleSpec {
  const { names, aws } = ctx;
  const run = jobRunUrl(ctx);
  const states = ceiling ? FAILED_JOB_STATES.filter((state) => state !== 'TIMEOUT') : [...FAILED_JOB_STATES];
  return {
    name: names.jobFailureRule,
    description: `Sends failed runs of the Glue job ${names.job} (stack ${names.stack}) to the alert topic`,
    pattern: {
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: [names.job], state: states },
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

/**
 * Runs of the stack's job that Glue stopped at their timeout when that timeout is the cost ceiling's
 * (--max-usd): the run did not break, it ran out of the money it was given, and the alert says so.
 * Its text is fixed when `up` writes the rule: the ceiling and minutes of the settings then.
 */
export function jobCeilingSpec(ctx: Pick<StackContext, 'aws' | 'names'>, ceiling: CeilingAlert): FailureRuleSpec {
  const { names, aws } = ctx;
  const usd = formatUsd(ceiling.maxUsd);
  return {
    name: names.jobCeilingRule,
    description: `Sends runs of the Glue job ${names.job} (stack ${names.stack}) stopped by the cost ceiling to the alert topic`,
    pattern: {
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: [names.job], state: ['TIMEOUT'] },
    },
    transformer: {
      InputPathsMap: { job: '$.detail.jobName', runId: '$.detail.jobRunId', message: '$.detail.message', time: '$.time' },
      InputTemplate: textTemplate([
        `Stack ${names.stack}: run <runId> of the Glue job <job> was stopped by the cost ceiling of ${usd} (--max-usd) after ${ceiling.timeoutMinutes} min.`,
        '',
        'When:    <time>',
        'Glue:    <message>',
        `Ceiling: ${usd} a job run buys ${ceiling.timeoutMinutes} min of its workers; the quarter's outputs may be incomplete. Raise --max-usd (or use fewer --workers) and run it again.`,
        `Run:     ${jobRunUrl(ctx)}`,
        `Logs:    provisioner logs --name ${names.stack} --region ${aws.region} --run <runId>`,
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
 * let this rule publish; the stack's topic names every failure rule (alertTopicPolicy).
 */
export function failureRuleResource(ctx: StackContext, spec: FailureRuleSpec, options: { wanted?: boolean } = {}): ResourceDefinition<FailureRuleState, EventRuleKey> {
  return eventRuleResource(ctx, {
    name: spec.name,
    description: spec.description,
    pattern: spec.pattern,
    target: { Id: TARGET_ID, Arn: alertTopicArn(ctx), InputTransformer: spec.transformer },
    targetLabel: 'alert topic',
    wanted: alertTarget(ctx.settings) !== 'none' && options.wanted !== false,
  });
}
