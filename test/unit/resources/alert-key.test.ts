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
import { beforeEach, describe, expect, it } from 'vitest';
import { alertKeyPolicy, alertKeyResource, KEY_DELETION_DAYS, type AlertKeyState } from '../../../src/resources/alert-key.js';
import { kmsNotFound } from '../support/errors.js';
import { driftLabels, mockedStack, sentCommands, type MockedStack } from '../support/stack.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:eu-west-1:123456789012:key/${KEY_ID}`;
const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { notify: ['ops@example.com'] } });
});

function deployedKey(overrides: { keyState?: string; policy?: unknown; rotation?: boolean } = {}): void {
  t.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, KeyState: (overrides.keyState ?? 'Enabled') as 'Enabled' } });
  t.kms.on(ListResourceTagsCommand).resolves({ Tags: Object.entries(TAGS).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) });
  t.kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(overrides.policy ?? alertKeyPolicy(t.ctx)) });
  t.kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: overrides.rotation ?? true });
}

describe('alertKeyPolicy', () => {
  it('keeps the key the account\'s and lets EventBridge encrypt for and decrypt from the topic, nothing more', () => {
    expect(alertKeyPolicy(t.ctx)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'EventBridgePublishesToEncryptedTopic',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Resource: '*',
        },
      ],
    });
  });
});

describe('alertKeyResource', () => {
  it('is found by its alias, with its tags, policy and rotation', async () => {
    deployedKey();
    const found = await alertKeyResource(t.ctx).find();
    expect(found?.tags).toEqual(TAGS);
    expect(found?.state).toMatchObject({ keyId: KEY_ID, arn: KEY_ARN, keyState: 'Enabled', rotation: true });
    expect(t.kms.commandCalls(DescribeKeyCommand)[0]!.args[0].input).toEqual({ KeyId: 'alias/flight-delays-alerts' });
    expect(t.kms.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ID, PolicyName: 'default' });
  });

  it('does not exist when KMS knows no such alias', async () => {
    t.kms.on(DescribeKeyCommand).rejects(kmsNotFound());
    await expect(alertKeyResource(t.ctx).find()).resolves.toBeUndefined();
  });

  it('reads no rotation status of a key waiting for deletion (KMS refuses it) and calls that drift of its state', async () => {
    deployedKey({ keyState: 'PendingDeletion' });
    const key = alertKeyResource(t.ctx);
    const found = await key.find();
    expect(t.kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(0);
    expect(driftLabels(key, found!.state)).toEqual(['key state', 'key rotation']);
  });

  it('drifts on a changed policy and on rotation turned off', async () => {
    const key = alertKeyResource(t.ctx);
    const state: AlertKeyState = { keyId: KEY_ID, arn: KEY_ARN, keyState: 'Enabled', policy: alertKeyPolicy(t.ctx), rotation: true };
    expect(key.drift(state)).toEqual([]);
    expect(driftLabels(key, { ...state, policy: { Statement: [] }, rotation: false })).toEqual(['key policy', 'key rotation']);
    expect(key.drift({ ...state, keyState: 'Disabled' })).toEqual(['state']);
  });

  it('creates the key with the tags and policy in one call, then its alias and rotation', async () => {
    t.kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN } });
    await alertKeyResource(t.ctx).create();
    expect(sentCommands(t)).toEqual(['CreateKeyCommand', 'CreateAliasCommand', 'EnableKeyRotationCommand']);
    const input = t.kms.commandCalls(CreateKeyCommand)[0]!.args[0].input;
    expect(input.Tags).toEqual([
      { TagKey: 'ManagedBy', TagValue: 'glue-provisioner' },
      { TagKey: 'Stack', TagValue: 'flight-delays' },
    ]);
    expect(JSON.parse(input.Policy!)).toEqual(alertKeyPolicy(t.ctx));
    expect(t.kms.commandCalls(CreateAliasCommand)[0]!.args[0].input).toEqual({ AliasName: 'alias/flight-delays-alerts', TargetKeyId: KEY_ID });
  });

  it('schedules the deletion of a new key whose alias could not be made: nothing could find it again', async () => {
    t.kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN } });
    t.kms.on(CreateAliasCommand).rejects(new Error('AlreadyExistsException'));
    await expect(alertKeyResource(t.ctx).create()).rejects.toThrow('AlreadyExistsException');
    expect(t.kms.commandCalls(ScheduleKeyDeletionCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ID, PendingWindowInDays: KEY_DELETION_DAYS });
  });

  it('updates only what drifted: policy, rotation; a key waiting for deletion is taken back and enabled', async () => {
    const key = alertKeyResource(t.ctx);
    const state: AlertKeyState = { keyId: KEY_ID, arn: KEY_ARN, keyState: 'Enabled', policy: {}, rotation: true };
    await key.update(state, ['policy']);
    expect(sentCommands(t)).toEqual(['PutKeyPolicyCommand']);
    expect(JSON.parse(t.kms.commandCalls(PutKeyPolicyCommand)[0]!.args[0].input.Policy!)).toEqual(alertKeyPolicy(t.ctx));

    t.kms.resetHistory();
    await key.update({ ...state, keyState: 'PendingDeletion', rotation: undefined }, ['state', 'rotation']);
    expect(sentCommands(t)).toEqual(['CancelKeyDeletionCommand', 'EnableKeyCommand', 'EnableKeyRotationCommand']);
    expect(t.kms.commandCalls(CancelKeyDeletionCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ID });
    expect(t.kms.commandCalls(EnableKeyCommand)).toHaveLength(1);
    expect(t.kms.commandCalls(EnableKeyRotationCommand)).toHaveLength(1);
  });

  it('adds missing tags by key id', async () => {
    deployedKey();
    await alertKeyResource(t.ctx).addTags!({ Stack: 'flight-delays' }, {});
    expect(t.kms.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ID, Tags: [{ TagKey: 'Stack', TagValue: 'flight-delays' }] });
  });

  it('is deleted after the shortest wait KMS allows, then loses its alias', async () => {
    deployedKey();
    await alertKeyResource(t.ctx).destroy!();
    expect(sentCommands(t)).toEqual(['DescribeKeyCommand', 'ScheduleKeyDeletionCommand', 'DeleteAliasCommand']);
    expect(t.kms.commandCalls(ScheduleKeyDeletionCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ID, PendingWindowInDays: 7 });
    expect(t.kms.commandCalls(DeleteAliasCommand)[0]!.args[0].input).toEqual({ AliasName: 'alias/flight-delays-alerts' });
  });

  it('only loses its alias when its deletion was scheduled already (a teardown stopped half-way)', async () => {
    deployedKey({ keyState: 'PendingDeletion' });
    await alertKeyResource(t.ctx).destroy!();
    expect(sentCommands(t)).toEqual(['DescribeKeyCommand', 'DeleteAliasCommand']);
  });

  it('is wanted with --notify and no --kms-key only', () => {
    expect(alertKeyResource(t.ctx).wanted).toBe(true);
    expect(alertKeyResource(mockedStack({ raw: { notify: ['a@example.com'], kmsKey: 'alias/data' } }).ctx).wanted).toBe(false);
    expect(alertKeyResource(mockedStack().ctx).wanted).toBe(false);
    expect(alertKeyResource(mockedStack({ raw: { notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' } }).ctx).wanted).toBe(false);
  });
});
