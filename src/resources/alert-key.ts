import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { parsePolicyDocument, sameJson } from '../util/json.js';
import { alertTarget } from './alerts.js';
import { labelsFrom, type ResourceDefinition, type Tags } from './resource.js';

export interface AlertKeyState {
  readonly keyId: string;
  readonly arn: string;
  /** Enabled, Disabled, PendingDeletion and so on. */
  readonly keyState: string | undefined;
  readonly policy: unknown;
  /** Undefined while the key waits for deletion: KMS then answers no rotation status. */
  readonly rotation: boolean | undefined;
}

type AlertKeyKey = 'state' | 'policy' | 'rotation';

/** The shortest wait KMS allows before it deletes a key; until then teardown can still be undone. */
export const KEY_DELETION_DAYS = 7;

const POLICY_NAME = 'default';

/**
 * Who may use the alert topic's key. EventBridge publishes to an encrypted topic only if the key's
 * policy lets the service principal events.amazonaws.com generate data keys and decrypt with it.
 * The AWS-managed key alias/aws/sns cannot be that key: its policy admits only principals of the
 * account calling through SNS, and nobody can change it, so EventBridge's deliveries would fail
 * (visible only as FailedInvocations of the rule). The account keeps full control, so IAM policies
 * decide who else uses the key, as for any key with the default key policy. The topic policy, not
 * this one, limits publishing to the stack's failure rules.
 */
export function alertKeyPolicy(ctx: Pick<StackContext, 'aws'>): unknown {
  const { partition, accountId } = ctx.aws;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'EventBridgePublishesToEncryptedTopic',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
      },
    ],
  };
}

/**
 * The KMS key that encrypts the stack's alert topic, found by its alias. Made only when the stack
 * makes the topic (--notify) and no --kms-key is given; with --kms-key the topic uses that key.
 */
export function alertKeyResource(ctx: StackContext): ResourceDefinition<AlertKeyState, AlertKeyKey> {
  const { kms } = ctx.aws;
  const AliasName = ctx.names.alertKeyAlias;
  const policy = alertKeyPolicy(ctx);
  const kmsTags = (tags: Tags) => Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));

  return {
    kind: 'key',
    name: AliasName,
    wanted: alertTarget(ctx.settings) === 'stack-topic' && !ctx.settings.kmsKey,
    label: labelsFrom<AlertKeyKey>({ state: 'key state', policy: 'key policy', rotation: 'key rotation' }),

    async find() {
      const metadata = (await orUndefined(kms.send(new DescribeKeyCommand({ KeyId: AliasName }))))?.KeyMetadata;
      if (!metadata?.KeyId || !metadata.Arn) return undefined;
      const KeyId = metadata.KeyId;
      const pending = metadata.KeyState === 'PendingDeletion';
      const [tags, keyPolicy, rotation] = await Promise.all([
        kms.send(new ListResourceTagsCommand({ KeyId })),
        kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: POLICY_NAME })),
        pending ? undefined : kms.send(new GetKeyRotationStatusCommand({ KeyId })),
      ]);
      return {
        state: {
          keyId: KeyId,
          arn: metadata.Arn,
          keyState: metadata.KeyState,
          policy: parsePolicyDocument(keyPolicy.Policy),
          rotation: rotation?.KeyRotationEnabled,
        },
        tags: Object.fromEntries((tags.Tags ?? []).map((tag) => [tag.TagKey ?? '', tag.TagValue ?? ''])),
      };
    },

    drift(current) {
      const drift: AlertKeyKey[] = [];
      if (current.keyState !== 'Enabled') drift.push('state');
      if (!sameJson(current.policy, policy)) drift.push('policy');
      if (current.rotation !== true) drift.push('rotation');
      return drift;
    },

    createDetails() {
      return ['symmetric, rotated yearly', 'usable by EventBridge to publish to the alert topic'];
    },

    async create() {
      const { KeyMetadata } = await kms.send(
        new CreateKeyCommand({
          Description: `Encrypts the failure alerts of stack ${ctx.names.stack} (SNS topic ${ctx.names.alertTopic})`,
          Policy: JSON.stringify(policy),
          Tags: kmsTags(ctx.tags),
        }),
      );
      const KeyId = KeyMetadata?.KeyId;
      if (!KeyId) throw new Error('KMS CreateKey returned no key id');
      try {
        await kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: KeyId }));
      } catch (error) {
        // Without its alias nothing could find the key again: it would cost money forever.
        try {
          await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: KEY_DELETION_DAYS }));
        } catch {
          // The alias error is the one to report.
        }
        throw error;
      }
      await kms.send(new EnableKeyRotationCommand({ KeyId }));
    },

    async update(current, keys) {
      const KeyId = current.keyId;
      if (keys.includes('state')) {
        if (current.keyState === 'PendingDeletion') await kms.send(new CancelKeyDeletionCommand({ KeyId }));
        // A key taken back from deletion is Disabled, as one disabled by hand.
        await kms.send(new EnableKeyCommand({ KeyId }));
      }
      if (keys.includes('policy')) await kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: POLICY_NAME, Policy: JSON.stringify(policy) }));
      // A key whose deletion was cancelled had its rotation status unread: turn it on in any case.
      if (keys.includes('rotation') || keys.includes('state')) await kms.send(new EnableKeyRotationCommand({ KeyId }));
    },

    async addTags(missing) {
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: AliasName }))).KeyMetadata;
      await kms.send(new TagResourceCommand({ KeyId: metadata?.KeyId ?? AliasName, Tags: kmsTags(missing) }));
    },

    async destroy() {
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: AliasName }))).KeyMetadata;
      const KeyId = metadata?.KeyId;
      if (!KeyId) throw new Error(`KMS DescribeKey returned no key id for ${AliasName}`);
      // Deletion first: a key already waiting for it keeps its alias until the alias goes, and so
      // a teardown that stops between the two calls finds the key again next time.
      if (metadata.KeyState !== 'PendingDeletion') {
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: KEY_DELETION_DAYS }));
      }
      await kms.send(new DeleteAliasCommand({ AliasName }));
    },

    summarize: (current) => ({ state: current.keyState }),
  };
}
