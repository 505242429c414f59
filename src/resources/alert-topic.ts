import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  SetTopicAttributesCommand,
  TagResourceCommand,
} from '@aws-sdk/client-sns';
import { orUndefined } from '../aws/errors.js';
import { tagList, tagRecord } from '../aws/tags.js';
import type { StackContext } from '../core/context.js';
import { parsePolicyDocument, sameJson } from '../util/json.js';
import { alertTarget, failureRuleArns, stackTopicArn } from './alerts.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

/** The topic's attributes as GetTopicAttributes returns them (all text). */
export interface AlertTopicState {
  readonly attributes: Readonly<Record<string, string>>;
}

type AlertTopicKey = 'displayName' | 'policy' | 'encryption';

/**
 * Only the stack's failure rules may publish (the ceiling rule's ARN is named even while it does not exist): EventBridge's service principal, and only on
 * behalf of a rule whose ARN is one of theirs (aws:SourceArn), so no other rule, in this account
 * or any other, can send to the topic. The account's own identities need no statement here: their
 * IAM policies decide.
 */
export function alertTopicPolicy(ctx: Pick<StackContext, 'aws' | 'names'>): unknown {
  return {
    Version: '2012-10-17',
    Id: `${ctx.names.alertTopic}-publishers`,
    Statement: [
      {
        Sid: 'FailureRulesPublish',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: stackTopicArn(ctx),
        Condition: { ArnEquals: { 'aws:SourceArn': failureRuleArns(ctx) } },
      },
    ],
  };
}

/** The key that encrypts the topic: the --kms-key (by its key ARN once resolved), else the stack's own. */
export function alertTopicKey(ctx: Pick<StackContext, 'settings' | 'kmsKeyArn' | 'names'>): string {
  return ctx.kmsKeyArn ?? ctx.settings.kmsKey ?? ctx.names.alertKeyAlias;
}

/** The sender name of the alert emails. */
export function alertDisplayName(ctx: Pick<StackContext, 'names'>): string {
  return `${ctx.names.stack} alerts`;
}

/**
 * The stack's SNS topic for --notify: encrypted with a key EventBridge can use (see alertKeyPolicy),
 * published to only by the stack's failure rules. Deleting it deletes its subscriptions.
 */
export function alertTopicResource(ctx: StackContext): ResourceDefinition<AlertTopicState, AlertTopicKey> {
  const { sns } = ctx.aws;
  const TopicArn = stackTopicArn(ctx);
  const policy = alertTopicPolicy(ctx);
  const setAttribute = (AttributeName: string, AttributeValue: string) =>
    sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName, AttributeValue }));

  return {
    kind: 'topic',
    name: ctx.names.alertTopic,
    wanted: alertTarget(ctx.settings) === 'stack-topic',
    label: labelsFrom<AlertTopicKey>({ displayName: 'display name', policy: 'access policy', encryption: 'encryption key' }),

    async find() {
      const attributes = (await orUndefined(sns.send(new GetTopicAttributesCommand({ TopicArn }))))?.Attributes;
      if (!attributes) return undefined;
      const tags = (await orUndefined(sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))))?.Tags;
      return { state: { attributes }, tags: tagRecord(tags) };
    },

    drift({ attributes }) {
      const drift: AlertTopicKey[] = [];
      if (attributes.DisplayName !== alertDisplayName(ctx)) drift.push('displayName');
      if (!sameJson(parsePolicy(attributes.Policy), policy)) drift.push('policy');
      if (attributes.KmsMasterKeyId !== alertTopicKey(ctx)) drift.push('encryption');
      return drift;
    },

    createDetails() {
      return [`encrypted with ${alertTopicKey(ctx)}`, 'published to by the failure rules only'];
    },

    async create() {
      await sns.send(
        new CreateTopicCommand({
          Name: ctx.names.alertTopic,
          Attributes: { DisplayName: alertDisplayName(ctx), Policy: JSON.stringify(policy), KmsMasterKeyId: alertTopicKey(ctx) },
          Tags: tagList(ctx.tags),
        }),
      );
    },

    async update(_current, keys) {
      if (keys.includes('displayName')) await setAttribute('DisplayName', alertDisplayName(ctx));
      if (keys.includes('policy')) await setAttribute('Policy', JSON.stringify(policy));
      if (keys.includes('encryption')) await setAttribute('KmsMasterKeyId', alertTopicKey(ctx));
    },

    async addTags(missing) {
      await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: tagList(missing) }));
    },

    async destroy() {
      // SNS deletes the topic's subscriptions with it, pending ones included.
      await sns.send(new DeleteTopicCommand({ TopicArn }));
    },
  };
}

/** A policy SNS holds as text; one that is not JSON simply differs. */
function parsePolicy(text: string | undefined): unknown {
  try {
    return parsePolicyDocument(text);
  } catch {
    return text;
  }
}
