import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { isAccessDenied, orUndefined } from '../aws/errors.js';
import { UsageError, describeCause } from '../core/errors.js';
import { listSubscriptions, type TopicSubscription } from '../resources/alert-emails.js';
import { alertTarget, alertTopicArn, type AlertTarget } from '../resources/alerts.js';
import type { FailureRuleState } from '../resources/failure-rule.js';
import type { AnyResource, Found } from '../resources/resource.js';
import type { StackContext } from '../core/context.js';

/** Whether a failed run reaches anyone: what `status` shows under "alerts". */
export interface AlertStatus {
  /** Where the settings send alerts: the stack's topic (--notify), the user's (--notify-topic-arn), or none. */
  target: AlertTarget;
  topicArn: string | null;
  /** The topic exists and the failure rules (the ceiling rule where wanted) exist, are enabled and publish to it. */
  wired: boolean;
  /** Some subscription of the topic is confirmed: someone receives the alerts. */
  confirmed: boolean;
  /** The topic's subscriptions; a pending email one waits for its address to follow the link SNS sent. */
  subscriptions: { protocol: string; endpoint: string; confirmed: boolean }[];
  /** What keeps alerts from arriving, one sentence each; empty when they would arrive. */
  problems: string[];
}

/** A resource of the stack with what `status` found of it. */
export interface FoundEntry {
  readonly resource: AnyResource;
  readonly found: Found<unknown> | undefined;
}

/**
 * Reads what decides whether alerts arrive: the rules and the stack's topic as status already found
 * them, the user's topic (its policy and key), and the topic's subscriptions.
 */
export async function collectAlertStatus(ctx: StackContext, entries: readonly FoundEntry[]): Promise<AlertStatus> {
  const target = alertTarget(ctx.settings);
  if (target === 'none') return { target, topicArn: null, wired: false, confirmed: false, subscriptions: [], problems: [] };
  const topicArn = alertTopicArn(ctx);
  const problems: string[] = [];

  let topicExists: boolean;
  if (target === 'stack-topic') {
    topicExists = entries.some((e) => e.resource.kind === 'topic' && e.found !== undefined);
    if (!topicExists) problems.push(`topic ${topicArn} does not exist: run provisioner up with --notify`);
  } else {
    const read = await readUserTopic(ctx, topicArn);
    topicExists = read.exists;
    problems.push(...read.problems);
  }

  // The failure rules only: the arrival rule (--start-on arrival) sends to the workflow, not the topic.
  // The ceiling rule counts where the settings want it (--max-usd) or it exists.
  const failureRules = new Set([ctx.names.jobFailureRule, ctx.names.crawlerFailureRule, ctx.names.jobCeilingRule, ctx.names.driftRule]);
  const counted = (e: FoundEntry) => e.resource.kind === 'rule' && failureRules.has(e.resource.name) && (e.resource.wanted !== false || e.found !== undefined);
  for (const { resource, found } of entries.filter(counted)) {
    const state = found?.state as FailureRuleState | undefined;
    if (!state) problems.push(`rule ${resource.name} does not exist: run provisioner up`);
    else if (state.rule.State !== 'ENABLED') problems.push(`rule ${resource.name} is ${state.rule.State ?? 'not enabled'}: run provisioner up`);
    else if (!state.targets.some((t) => t.Arn === topicArn)) problems.push(`rule ${resource.name} does not publish to ${topicArn}: run provisioner up`);
  }
  const wired = topicExists && problems.length === 0;

  let subscriptions: TopicSubscription[] = [];
  if (topicExists) {
    try {
      subscriptions = (await listSubscriptions(ctx.aws.sns, topicArn)) ?? [];
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      problems.push(`cannot list the subscriptions of ${topicArn}: ${describeCause(error)}`);
    }
  }
  const confirmed = subscriptions.some((s) => !s.pending);
  if (topicExists && subscriptions.length === 0 && !problems.some((p) => p.startsWith('cannot list'))) {
    problems.push('the topic has no subscriptions: nobody receives the alerts');
  } else if (subscriptions.length > 0 && !confirmed) {
    problems.push('no subscription is confirmed yet: nobody receives the alerts until an address follows the link in its confirmation email');
  }

  return {
    target,
    topicArn,
    wired,
    confirmed,
    subscriptions: subscriptions.map((s) => ({ protocol: s.protocol, endpoint: s.endpoint, confirmed: !s.pending })),
    problems,
  };
}

/** --notify-topic-arn: whether the user's topic exists, and whether EventBridge can publish to it. */
async function readUserTopic(ctx: StackContext, topicArn: string): Promise<{ exists: boolean; problems: string[] }> {
  try {
    const attributes = (await orUndefined(ctx.aws.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))))?.Attributes;
    if (!attributes) return { exists: false, problems: [`topic ${topicArn} (--notify-topic-arn) does not exist`] };
    return { exists: true, problems: userTopicProblems(attributes) };
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    // Unknown: the rules may well deliver. Say why it could not be checked.
    return { exists: true, problems: [`cannot read topic ${topicArn}: ${describeCause(error)}`] };
  }
}

const EVENTS = 'events.amazonaws.com';

/**
 * Why EventBridge could not publish to a topic of the user's, judged from its attributes: its access
 * policy lets no EventBridge rule publish, or it is encrypted with the AWS-managed key alias/aws/sns,
 * whose policy admits no service principal and cannot be changed. A rough reading of the policy:
 * conditions and Deny statements are not weighed.
 */
export function userTopicProblems(attributes: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  if (!allowsEventBridge(attributes.Policy)) {
    problems.push(`its access policy does not let EventBridge (${EVENTS}) sns:Publish, so the rules' alerts are refused`);
  }
  const key = attributes.KmsMasterKeyId;
  if (key && /(^|:)alias\/aws\/sns$/.test(key)) {
    problems.push(
      `it is encrypted with the AWS-managed key alias/aws/sns, which EventBridge cannot use: encrypt it with a customer managed key whose policy allows ${EVENTS} kms:GenerateDataKey* and kms:Decrypt`,
    );
  }
  return problems;
}

function allowsEventBridge(policyText: string | undefined): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText ?? '{}') as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.some((raw) => {
    const s = raw as { Effect?: string; Principal?: unknown; Action?: unknown } | undefined;
    if (s?.Effect !== 'Allow') return false;
    const principal = s.Principal as string | { Service?: unknown; AWS?: unknown } | undefined;
    const services = typeof principal === 'object' ? [principal.Service].flat() : [];
    const anyone = principal === '*' || (typeof principal === 'object' && [principal.AWS].flat().includes('*'));
    const actions = [s.Action].flat();
    return (anyone || services.includes(EVENTS)) && actions.some((a) => a === 'sns:Publish' || a === 'sns:*' || a === '*');
  });
}

/**
 * What `up` and `plan` check before changing anything: that --notify-topic-arn names an existing
 * topic in the stack's region (EventBridge sends to topics of its own region only) that EventBridge
 * can publish to, and that a --kms-key that is to encrypt the stack's topic lets EventBridge use it.
 * A topic that does not exist is bad input; what merely looks wrong is a warning.
 */
export async function checkAlertTarget(
  ctx: Pick<StackContext, 'aws' | 'settings' | 'kmsKeyArn' | 'logger'>,
): Promise<void> {
  const { settings, aws, logger } = ctx;
  const topicArn = settings.notifyTopicArn;
  if (topicArn) {
    const topicRegion = topicArn.split(':')[3];
    if (topicRegion !== aws.region) {
      throw new UsageError(
        `invalid --notify-topic-arn "${topicArn}": the topic is in ${topicRegion}, the stack in ${aws.region}, and EventBridge sends only to topics in its own region; valid: a topic in ${aws.region}`,
      );
    }
    let attributes: Record<string, string> | undefined;
    try {
      attributes = (await orUndefined(aws.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))))?.Attributes;
    } catch (error) {
      if (!isAccessDenied(error)) throw error;
      logger.warn(`cannot read --notify-topic-arn ${topicArn} to check that EventBridge may publish to it: ${describeCause(error)}`);
      return;
    }
    if (!attributes) {
      throw new UsageError(`invalid --notify-topic-arn "${topicArn}": SNS has no such topic; valid: the ARN of an existing standard topic in ${aws.region}`);
    }
    for (const problem of userTopicProblems(attributes)) logger.warn(`--notify-topic-arn ${topicArn}: ${problem}`);
  }
  if (alertTarget(settings) === 'stack-topic' && ctx.kmsKeyArn) {
    let policy: string | undefined;
    try {
      policy = (await aws.kms.send(new GetKeyPolicyCommand({ KeyId: ctx.kmsKeyArn, PolicyName: 'default' }))).Policy;
    } catch (error) {
      logger.warn(`cannot read the policy of --kms-key ${ctx.kmsKeyArn} to check that EventBridge may use it: ${describeCause(error)}`);
      return;
    }
    if (!keyAllowsEventBridge(policy)) {
      logger.warn(
        `--kms-key ${ctx.kmsKeyArn} encrypts the alert topic, but its key policy does not let EventBridge use it, so no alert would arrive: ` +
          `add a statement allowing Principal {"Service": "${EVENTS}"} the actions kms:GenerateDataKey* and kms:Decrypt`,
      );
    }
  }
}

function keyAllowsEventBridge(policyText: string | undefined): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText ?? '{}') as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const needed = ['kms:GenerateDataKey', 'kms:Decrypt'];
  return statements.some((raw) => {
    const s = raw as { Effect?: string; Principal?: { Service?: unknown } | string; Action?: unknown } | undefined;
    if (s?.Effect !== 'Allow' || typeof s.Principal !== 'object' || !([s.Principal.Service].flat() as unknown[]).includes(EVENTS)) return false;
    const actions = ([s.Action].flat() as unknown[]).filter((a): a is string => typeof a === 'string');
    return needed.every((need) => actions.some((a) => a === 'kms:*' || a === '*' || a === need || (a.endsWith('*') && need.startsWith(a.slice(0, -1)))));
  });
}
