import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { formatAlerts } from '../../../src/cli/format-alerts.js';
import type { Logger } from '../../../src/core/logger.js';
import { alertKeyPolicy } from '../../../src/resources/alert-key.js';
import { alertTopicResource } from '../../../src/resources/alert-topic.js';
import { arrivalRuleResource } from '../../../src/resources/arrival.js';
import { TARGET_ID, crawlerFailureSpec, failureRuleResource, jobCeilingSpec, jobFailureSpec, type FailureRuleState } from '../../../src/resources/failure-rule.js';
import { UsageError } from '../../../src/core/errors.js';
import { checkAlertTarget, collectAlertStatus, userTopicProblems, type FoundEntry } from '../../../src/stack/alert-status.js';
import { snsAccessDenied, snsNotFound } from '../support/errors.js';
import { mockedStack, type MockedStack, type StackOptions } from '../support/stack.js';

const STACK_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:flight-delays-alerts';
const USER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-pager';
const OURS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

/** What status found of the topic and the two rules: each rule enabled and sending to `topic`, unless told. */
function entries(t: MockedStack, options: { topic?: boolean; ruleTopic?: string; ruleState?: string; rules?: boolean } = {}): FoundEntry[] {
  const rule = (spec: ReturnType<typeof jobFailureSpec>): FoundEntry => {
    const state: FailureRuleState = {
      rule: { Name: spec.name, State: (options.ruleState ?? 'ENABLED') as 'ENABLED' },
      targets: [{ Id: TARGET_ID, Arn: options.ruleTopic ?? (t.ctx.settings.notifyTopicArn ?? STACK_TOPIC) }],
    };
    return { resource: failureRuleResource(t.ctx, spec), found: options.rules === false ? undefined : { state, tags: OURS } };
  };
  return [
    { resource: alertTopicResource(t.ctx), found: options.topic === false ? undefined : { state: { attributes: {} }, tags: OURS } },
    rule(jobFailureSpec(t.ctx)),
    rule(crawlerFailureSpec(t.ctx)),
  ];
}

function subscriptions(t: MockedStack, list: [string, string][]): void {
  t.sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: list.map(([Endpoint, SubscriptionArn]) => ({ Endpoint, SubscriptionArn, Protocol: 'email' })) });
}

const stack = (options: StackOptions = { raw: { notify: ['ops@example.com', 'dev@example.com'] } }) => mockedStack(options);

describe('collectAlertStatus', () => {
  it('says alerts are off without --notify or --notify-topic-arn, reading nothing', async () => {
    const t = stack({});
    const status = await collectAlertStatus(t.ctx, []);
    expect(status).toEqual({ target: 'none', topicArn: null, wired: false, confirmed: false, subscriptions: [], problems: [] });
    expect(t.sns.calls()).toHaveLength(0);
    expect(formatAlerts(status)).toEqual(['  alerts: off (up --notify EMAIL or --notify-topic-arn ARN sends failed runs)']);
  });

  it('is wired and confirmed when a subscription is, and shows a pending email confirmation', async () => {
    const t = stack();
    subscriptions(t, [
      ['ops@example.com', `${STACK_TOPIC}:1111`],
      ['dev@example.com', 'PendingConfirmation'],
    ]);
    const status = await collectAlertStatus(t.ctx, entries(t));
    expect(status).toEqual({
      target: 'stack-topic',
      topicArn: STACK_TOPIC,
      wired: true,
      confirmed: true,
      subscriptions: [
        { protocol: 'email', endpoint: 'ops@example.com', confirmed: true },
        { protocol: 'email', endpoint: 'dev@example.com', confirmed: false },
      ],
      problems: [],
    });
    const text = formatAlerts(status);
    expect(text[0]).toBe('  alerts: wired: failed runs go to topic flight-delays-alerts; 1 of 2 subscriptions confirmed');
    expect(text[1]).toMatch(/email {2}ops@example\.com +confirmed$/);
    expect(text[2]).toMatch(/email {2}dev@example\.com +PENDING confirmation: open the link in the email "AWS Notification - Subscription Confirmation"$/);
  });

  it('judges only the failure rules: the arrival rule, absent or sending to the workflow, is no alert rule', async () => {
    const t = stack();
    subscriptions(t, [['ops@example.com', `${STACK_TOPIC}:1111`]]);
    const status = await collectAlertStatus(t.ctx, [...entries(t), { resource: arrivalRuleResource(t.ctx), found: undefined }]);
    expect(status).toMatchObject({ wired: true, problems: [] });
  });

  it('says nobody receives the alerts while every subscription is pending', async () => {
    const t = stack();
    subscriptions(t, [['ops@example.com', 'PendingConfirmation']]);
    const status = await collectAlertStatus(t.ctx, entries(t));
    expect(status.wired).toBe(true);
    expect(status.confirmed).toBe(false);
    expect(status.problems).toEqual(['no subscription is confirmed yet: nobody receives the alerts until an address follows the link in its confirmation email']);
  });

  it('is not wired when the topic or a rule is missing, disabled or sends elsewhere, and says which', async () => {
    const t = stack();
    subscriptions(t, []);
    expect((await collectAlertStatus(t.ctx, entries(t, { topic: false, rules: false }))).problems).toEqual([
      `topic ${STACK_TOPIC} does not exist: run provisioner up with --notify`,
      'rule flight-delays-job-failed does not exist: run provisioner up',
      'rule flight-delays-crawl-failed does not exist: run provisioner up',
    ]);
    const disabled = await collectAlertStatus(t.ctx, entries(t, { ruleState: 'DISABLED' }));
    expect(disabled.wired).toBe(false);
    expect(disabled.problems[0]).toBe('rule flight-delays-job-failed is DISABLED: run provisioner up');
    expect((await collectAlertStatus(t.ctx, entries(t, { ruleTopic: USER_TOPIC }))).problems[0]).toBe(
      `rule flight-delays-job-failed does not publish to ${STACK_TOPIC}: run provisioner up`,
    );
    expect(formatAlerts(disabled)[0]).toMatch(/^ {2}alerts: NOT wired/);
  });

  it('checks the user\'s topic with --notify-topic-arn: that it exists and that EventBridge may publish to it', async () => {
    const t = stack({ raw: { notifyTopicArn: USER_TOPIC } });
    t.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: '{"Statement":[]}', KmsMasterKeyId: 'alias/aws/sns' } });
    subscriptions(t, [['pager@example.com', `${USER_TOPIC}:9`]]);
    const status = await collectAlertStatus(t.ctx, entries(t));
    expect(status.target).toBe('user-topic');
    expect(status.problems).toEqual([
      "its access policy does not let EventBridge (events.amazonaws.com) sns:Publish, so the rules' alerts are refused",
      'it is encrypted with the AWS-managed key alias/aws/sns, which EventBridge cannot use: encrypt it with a customer managed key whose policy allows events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt',
    ]);
    expect(status.wired).toBe(false);
    expect(formatAlerts(status)[0]).toContain('go to your topic ops-pager');

    t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
    expect((await collectAlertStatus(t.ctx, entries(t))).problems).toEqual([`topic ${USER_TOPIC} (--notify-topic-arn) does not exist`]);
  });

  it('says what it could not read rather than failing status', async () => {
    const t = stack({ raw: { notifyTopicArn: USER_TOPIC } });
    t.sns.on(GetTopicAttributesCommand).rejects(snsAccessDenied());
    t.sns.on(ListSubscriptionsByTopicCommand).rejects(snsAccessDenied());
    const status = await collectAlertStatus(t.ctx, entries(t));
    expect(status.problems.map((p) => p.split(':')[0])).toEqual([`cannot read topic arn`, 'cannot list the subscriptions of arn']);
  });
});

describe('userTopicProblems', () => {
  const policy = (statement: Record<string, unknown>) => JSON.stringify({ Statement: [statement] });

  it('accepts a policy that lets EventBridge, or anyone, publish', () => {
    expect(userTopicProblems({ Policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' }) })).toEqual([]);
    expect(userTopicProblems({ Policy: policy({ Effect: 'Allow', Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] }, Action: ['sns:*'] }) })).toEqual([]);
    expect(userTopicProblems({ Policy: policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sns:Publish' }) })).toEqual([]);
    expect(userTopicProblems({ Policy: policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' }), KmsMasterKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/x' })).toEqual([]);
  });

  it('flags the AWS-managed key however it is named', () => {
    const allowed = policy({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' });
    expect(userTopicProblems({ Policy: allowed, KmsMasterKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/aws/sns' })).toHaveLength(1);
  });
});

describe('checkAlertTarget', () => {
  const logger = () => {
    const warnings: string[] = [];
    return { logger: { warn: vi.fn((m: string) => void warnings.push(m)), info: vi.fn(), error: vi.fn(), debug: vi.fn() } as unknown as Logger, warnings };
  };

  it('refuses a topic of another region before anything is created', async () => {
    const t = stack({ raw: { notifyTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' } });
    const failure = await checkAlertTarget(t.ctx).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toBe(
      'invalid --notify-topic-arn "arn:aws:sns:us-east-1:123456789012:ops": the topic is in us-east-1, the stack in eu-west-1, and EventBridge sends only to topics in its own region; valid: a topic in eu-west-1',
    );
    expect(t.sns.calls()).toHaveLength(0);
  });

  it('refuses a topic SNS does not know', async () => {
    const t = stack({ raw: { notifyTopicArn: USER_TOPIC } });
    t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
    await expect(checkAlertTarget(t.ctx)).rejects.toThrow(`invalid --notify-topic-arn "${USER_TOPIC}": SNS has no such topic; valid: the ARN of an existing standard topic in eu-west-1`);
  });

  it('warns about a topic EventBridge could not publish to, and about one it may not read', async () => {
    const t = stack({ raw: { notifyTopicArn: USER_TOPIC } });
    const { logger: log, warnings } = logger();
    t.sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: '{}' } });
    await checkAlertTarget({ ...t.ctx, logger: log });
    expect(warnings).toEqual([`--notify-topic-arn ${USER_TOPIC}: its access policy does not let EventBridge (events.amazonaws.com) sns:Publish, so the rules' alerts are refused`]);

    t.sns.on(GetTopicAttributesCommand).rejects(snsAccessDenied());
    await expect(checkAlertTarget({ ...t.ctx, logger: log })).resolves.toBeUndefined();
    expect(warnings[1]).toMatch(/^cannot read --notify-topic-arn .* to check that EventBridge may publish to it/);
  });

  it('warns when the --kms-key that encrypts the stack\'s topic does not let EventBridge use it', async () => {
    const t = stack({ raw: { notify: ['ops@example.com'], kmsKey: 'alias/data' } });
    const { logger: log, warnings } = logger();
    t.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*' }] }) });
    await checkAlertTarget({ ...t.ctx, logger: log });
    expect(warnings[0]).toContain('its key policy does not let EventBridge use it, so no alert would arrive');
    expect(t.kms.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: t.ctx.kmsKeyArn, PolicyName: 'default' });

    t.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(alertKeyPolicy(t.ctx)) });
    await checkAlertTarget({ ...t.ctx, logger: log });
    expect(warnings).toHaveLength(1);
  });

  it('reads nothing without alerts', async () => {
    const t = stack({ raw: { kmsKey: 'alias/data' } });
    await checkAlertTarget(t.ctx);
    expect([...t.sns.calls(), ...t.kms.calls()]).toHaveLength(0);
  });
});

describe('collectAlertStatus: the cost ceiling rule', () => {
  const ceiling = (t: MockedStack, wanted: boolean): FoundEntry => ({ resource: failureRuleResource(t.ctx, jobCeilingSpec(t.ctx, { maxUsd: 0.5, timeoutMinutes: 34 }), { wanted }), found: undefined });

  it('counts where --max-usd wants it: missing, alerts are not wired', async () => {
    const t = stack();
    subscriptions(t, [['ops@example.com', `${STACK_TOPIC}:1111`]]);
    const status = await collectAlertStatus(t.ctx, [...entries(t), ceiling(t, true)]);
    expect(status.wired).toBe(false);
    expect(status.problems).toEqual(['rule flight-delays-job-ceiling does not exist: run provisioner up']);
  });

  it('is no problem where the settings do not want it and it does not exist', async () => {
    const t = stack();
    subscriptions(t, [['ops@example.com', `${STACK_TOPIC}:1111`]]);
    const status = await collectAlertStatus(t.ctx, [...entries(t), ceiling(t, false)]);
    expect(status).toMatchObject({ wired: true, problems: [] });
  });
});
