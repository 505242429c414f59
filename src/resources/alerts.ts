import type { Settings } from '../core/settings.js';
import type { StackContext } from '../core/context.js';

/**
 * Where failure alerts go, by the settings: a topic of the stack that emails the --notify addresses,
 * the user's --notify-topic-arn (never created, changed or deleted here), or nowhere.
 */
export type AlertTarget = 'stack-topic' | 'user-topic' | 'none';

export function alertTarget(settings: Pick<Settings, 'notify' | 'notifyTopicArn'>): AlertTarget {
  if (settings.notifyTopicArn) return 'user-topic';
  return settings.notify.length > 0 ? 'stack-topic' : 'none';
}

/** The ARN of the topic the stack makes for --notify. */
export function stackTopicArn(ctx: Pick<StackContext, 'aws' | 'names'>): string {
  const { partition, region, accountId } = ctx.aws;
  return `arn:${partition}:sns:${region}:${accountId}:${ctx.names.alertTopic}`;
}

/** The topic the failure rules publish to: the user's, or the stack's. */
export function alertTopicArn(ctx: Pick<StackContext, 'aws' | 'names' | 'settings'>): string {
  return ctx.settings.notifyTopicArn ?? stackTopicArn(ctx);
}

/** A rule on the default event bus, the only bus AWS services send their events to. */
export function ruleArn(ctx: Pick<StackContext, 'aws'>, name: string): string {
  const { partition, region, accountId } = ctx.aws;
  return `arn:${partition}:events:${region}:${accountId}:rule/${name}`;
}

/**
 * The rules that publish to the alert topic: failed job runs, failed crawls, job runs stopped by
 * the cost ceiling (that one exists only with --max-usd; naming it always keeps the topic's policy
 * the same whether the ceiling is set or not), and runs that ended with drift above the threshold.
 */
export function failureRuleArns(ctx: Pick<StackContext, 'aws' | 'names'>): string[] {
  const { names } = ctx;
  return [names.jobFailureRule, names.crawlerFailureRule, names.jobCeilingRule, names.driftRule].map((name) => ruleArn(ctx, name));
}

/** The AWS console of the stack's region. */
export function consoleUrl(ctx: Pick<StackContext, 'aws'>): string {
  const { region, partition } = ctx.aws;
  const host = partition === 'aws-cn' ? 'console.amazonaws.cn' : partition === 'aws-us-gov' ? 'console.amazonaws-us-gov.com' : 'console.aws.amazon.com';
  return `https://${region}.${host}`;
}
