import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  ListSubscriptionsByTopicCommand,
} from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { alertEmailsResource } from '../../../src/resources/alert-emails.js';
import { alertTopicPolicy, alertTopicResource } from '../../../src/resources/alert-topic.js';
import { snsNotFound } from '../support/errors.js';
import { driftLabels, mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:flight-delays-alerts';
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const RULES = ['job-failed', 'crawl-failed', 'job-ceiling', 'drift'].map((rule) => `arn:aws:events:eu-west-1:123456789012:rule/flight-delays-${rule}`);

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { notify: ['ops@example.com', 'dev@example.com'] } });
});

/** The attributes as SNS returns them for a topic up made. */
function attributesOf(stack: MockedStack, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TopicArn: TOPIC_ARN,
    Owner: '123456789012',
    DisplayName: 'flight-delays alerts',
    Policy: JSON.stringify(alertTopicPolicy(stack.ctx)),
    KmsMasterKeyId: 'alias/flight-delays-alerts',
    SubscriptionsConfirmed: '1',
    SubscriptionsPending: '1',
    ...overrides,
  };
}

describe('alertTopicPolicy', () => {
  it('lets only EventBridge publish, and only for the failure rules of this stack, the ceiling and drift rules included', () => {
    expect(alertTopicPolicy(t.ctx)).toEqual({
      Version: '2012-10-17',
      Id: 'flight-delays-alerts-publishers',
      Statement: [
        {
          Sid: 'FailureRulesPublish',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: TOPIC_ARN,
          Condition: { ArnEquals: { 'aws:SourceArn': RULES } },
        },
      ],
    });
  });
});

describe('alertTopicResource', () => {
  it('is found with its attributes and tags; absent when SNS knows no such topic', async () => {
    t.sns.on(GetTopicAttributesCommand).resolves({ Attributes: attributesOf(t) });
    t.sns.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
    const found = await alertTopicResource(t.ctx).find();
    expect(found?.tags).toEqual(TAGS);
    expect(alertTopicResource(t.ctx).drift(found!.state)).toEqual([]);

    t.sns.on(GetTopicAttributesCommand).rejects(snsNotFound());
    await expect(alertTopicResource(t.ctx).find()).resolves.toBeUndefined();
  });

  it('creates the topic encrypted with the stack\'s key, its policy and tags in the one CreateTopic', async () => {
    await alertTopicResource(t.ctx).create();
    expect(sentCommands(t)).toEqual(['CreateTopicCommand']);
    const input = t.sns.commandCalls(CreateTopicCommand)[0]!.args[0].input;
    expect(input.Name).toBe('flight-delays-alerts');
    expect(input.Tags).toEqual([{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }]);
    expect(input.Attributes).toMatchObject({ DisplayName: 'flight-delays alerts', KmsMasterKeyId: 'alias/flight-delays-alerts' });
    expect(JSON.parse(input.Attributes!.Policy!)).toEqual(alertTopicPolicy(t.ctx));
  });

  it('is encrypted with the --kms-key, by the key ARN it resolved to', async () => {
    const s = mockedStack({ raw: { notify: ['ops@example.com'], kmsKey: 'alias/data' } });
    await alertTopicResource(s.ctx).create();
    expect(s.sns.commandCalls(CreateTopicCommand)[0]!.args[0].input.Attributes?.KmsMasterKeyId).toBe(s.ctx.kmsKeyArn);
  });

  it('drifts on each attribute, and sets only what drifted', async () => {
    const topic = alertTopicResource(t.ctx);
    const drifted = { attributes: attributesOf(t, { DisplayName: 'x', Policy: '{"Statement":[]}', KmsMasterKeyId: 'alias/aws/sns' }) };
    expect(driftLabels(topic, drifted)).toEqual(['display name', 'access policy', 'encryption key']);
    expect(topic.drift({ attributes: attributesOf(t, { Policy: 'not json' }) })).toEqual(['policy']);
    // A topic without encryption has no KmsMasterKeyId at all.
    const unencrypted: Record<string, string> = attributesOf(t);
    delete unencrypted.KmsMasterKeyId;
    expect(topic.drift({ attributes: unencrypted })).toEqual(['encryption']);

    await topic.update(drifted, ['encryption']);
    expect(t.sns.commandCalls(SetTopicAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: TOPIC_ARN, AttributeName: 'KmsMasterKeyId', AttributeValue: 'alias/flight-delays-alerts' },
    ]);
  });

  it('tags by ARN and is deleted by ARN', async () => {
    const topic = alertTopicResource(t.ctx);
    await topic.addTags!({ Stack: 'flight-delays' }, {});
    await topic.destroy!();
    expect(t.sns.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ ResourceArn: TOPIC_ARN, Tags: [{ Key: 'Stack', Value: 'flight-delays' }] });
    expect(t.sns.commandCalls(DeleteTopicCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC_ARN });
  });

  it('is wanted with --notify only', () => {
    expect(alertTopicResource(t.ctx).wanted).toBe(true);
    expect(alertTopicResource(mockedStack().ctx).wanted).toBe(false);
    expect(alertTopicResource(mockedStack({ raw: { notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' } }).ctx).wanted).toBe(false);
  });
});

describe('alertEmailsResource', () => {
  const subscription = (Endpoint: string, SubscriptionArn: string, Protocol = 'email') => ({ Endpoint, SubscriptionArn, Protocol, TopicArn: TOPIC_ARN });

  it('subscribes every --notify address when the topic has no email subscription (a create)', async () => {
    t.sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const emails = alertEmailsResource(t.ctx);
    await expect(emails.find()).resolves.toBeUndefined();
    expect(emails.createDetails!()).toEqual(['ops@example.com', 'dev@example.com', 'each confirms by email']);
    await emails.create();
    expect(t.sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: TOPIC_ARN, Protocol: 'email', Endpoint: 'ops@example.com' },
      { TopicArn: TOPIC_ARN, Protocol: 'email', Endpoint: 'dev@example.com' },
    ]);
  });

  it('is in sync with a pending and a confirmed address (any letter case); leaves other protocols alone', async () => {
    t.sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        subscription('OPS@example.com', `${TOPIC_ARN}:1111`),
        subscription('dev@example.com', 'PendingConfirmation'),
        subscription('https://chat.example.com/hook', `${TOPIC_ARN}:2222`, 'https'),
      ],
    });
    const emails = alertEmailsResource(t.ctx);
    const found = await emails.find();
    expect(found?.state.emails.map((s) => [s.endpoint, s.pending])).toEqual([
      ['OPS@example.com', false],
      ['dev@example.com', true],
    ]);
    expect(emails.drift(found!.state)).toEqual([]);
  });

  it('subscribes a new address and unsubscribes a confirmed one no longer given; a pending one cannot be and is left', async () => {
    t.sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        subscription('ops@example.com', `${TOPIC_ARN}:1111`),
        subscription('old@example.com', `${TOPIC_ARN}:3333`),
        subscription('typo@example.con', 'PendingConfirmation'),
      ],
    });
    const emails = alertEmailsResource(t.ctx);
    const found = await emails.find();
    const keys = emails.drift(found!.state);
    expect(keys).toEqual(['subscribe dev@example.com', 'unsubscribe old@example.com']);
    await emails.update(found!.state, keys);
    expect(t.sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input.Endpoint)).toEqual(['dev@example.com']);
    expect(t.sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input)).toEqual([{ SubscriptionArn: `${TOPIC_ARN}:3333` }]);
  });

  it('lives inside the topic: no tags, no delete of its own', async () => {
    t.sns.on(ListSubscriptionsByTopicCommand).rejects(snsNotFound());
    const emails = alertEmailsResource(t.ctx);
    await expect(emails.find()).resolves.toBeUndefined();
    expect(emails.addTags).toBeUndefined();
    expect(emails.destroy).toBeUndefined();
  });
});
