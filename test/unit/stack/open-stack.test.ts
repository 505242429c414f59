import { DescribeKeyCommand, KMSServiceException } from '@aws-sdk/client-kms';
import { describe, expect, it, vi } from 'vitest';
import type { Aws } from '../../../src/core/aws.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import { silentProgress } from '../../../src/core/progress.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { ProvisionerError, UsageError } from '../../../src/core/errors.js';
import { openStack, withStack } from '../../../src/stack/open-stack.js';
import { kmsNotFound } from '../support/errors.js';
import { mockedStack } from '../support/stack.js';

const runtime = { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal };

/** A connect() that hands over mocked clients for this account, region and partition; `aws` is what it returned. */
function fakeConnect(accountId: string, region = 'eu-west-2', partition = 'aws') {
  const t = mockedStack({ region });
  const aws: Aws = { ...t.ctx.aws, accountId, region, partition };
  const destroyed = [aws.s3, aws.glue, aws.iam, aws.sts, aws.kms].map((client) => vi.spyOn(client, 'destroy'));
  return { connect: async (): Promise<Aws> => aws, aws, kms: t.kms, allDestroyed: () => destroyed.every((spy) => spy.mock.calls.length === 1) };
}

describe('openStack', () => {
  it('names everything after the stack, account and region, with our tags and role', async () => {
    const settings = resolveSettings({ name: 'delays-test', region: 'eu-west-2' }, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321').connect);
    expect(ctx.names.bucket).toBe('delays-test-210987654321-eu-west-2');
    expect(ctx.names.database).toBe('delays_test');
    expect(ctx.tags).toEqual({ ManagedBy: 'glue-provisioner', Stack: 'delays-test' });
    expect(ctx.roleArn).toBe('arn:aws:iam::210987654321:role/delays-test-glue-role');
  });

  it('uses --bucket and --role-arn as given', async () => {
    const settings = resolveSettings({ bucket: 'my-bucket', roleArn: 'arn:aws:iam::210987654321:role/team/glue' }, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321', 'us-east-1').connect);
    expect(ctx.names.bucket).toBe('my-bucket');
    expect(ctx.roleArn).toBe('arn:aws:iam::210987654321:role/team/glue');
  });

  it('uses the partition of the credentials in the role ARN', async () => {
    const settings = resolveSettings({}, {});
    const ctx = await openStack(settings, runtime, fakeConnect('210987654321', 'cn-north-1', 'aws-cn').connect);
    expect(ctx.roleArn).toBe('arn:aws-cn:iam::210987654321:role/flight-delays-glue-role');
  });

  it('refuses a --role-arn of another account, naming both, and closes the clients it opened', async () => {
    const settings = resolveSettings({ roleArn: 'arn:aws:iam::111111111111:role/glue' }, {});
    const connection = fakeConnect('210987654321');
    const failure = await openStack(settings, runtime, connection.connect).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as UsageError).exitCode).toBe(2);
    expect((failure as Error).message).toContain('arn:aws:iam::111111111111:role/glue');
    expect((failure as Error).message).toContain('210987654321');
    expect(connection.allDestroyed()).toBe(true);
  });
});

describe('openStack with --kms-key', () => {
  const keyArn = 'arn:aws:kms:eu-west-2:210987654321:key/0b3f0c9e-1111-4222-8333-944455556666';

  it.each(['alias/data-key', 'arn:aws:kms:eu-west-2:210987654321:alias/data-key', '0b3f0c9e-1111-4222-8333-944455556666', keyArn])(
    'resolves %s to its key ARN with one DescribeKey',
    async (kmsKey) => {
      const connection = fakeConnect('210987654321');
      connection.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '0b3f0c9e-1111-4222-8333-944455556666', Arn: keyArn } });
      const ctx = await openStack(resolveSettings({ kmsKey }, {}), runtime, connection.connect, { resolveKmsKey: true });
      expect(ctx.kmsKeyArn).toBe(keyArn);
      expect(connection.kms.commandCalls(DescribeKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: kmsKey }]);
      // The bucket's default encryption keeps the key as the user named it.
      expect(ctx.settings.kmsKey).toBe(kmsKey);
    },
  );

  it('warns, and goes on, when the key exists but cannot be used now', async () => {
    const connection = fakeConnect('210987654321');
    connection.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: keyArn, KeyState: 'PendingDeletion' } });
    const warn = vi.fn();
    const logger = { ...silentLogger(), warn } as unknown as Logger;
    const ctx = await openStack(resolveSettings({ kmsKey: 'alias/data-key' }, {}), { ...runtime, logger }, connection.connect, { resolveKmsKey: true });
    expect(ctx.kmsKeyArn).toBe(keyArn);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`KMS key ${keyArn} (--kms-key "alias/data-key") is PendingDeletion`));
  });

  it('asks KMS nothing unless the command needs the key (teardown and status go on after the key is gone)', async () => {
    const connection = fakeConnect('210987654321');
    connection.kms.on(DescribeKeyCommand).rejects(kmsNotFound());
    const ctx = await openStack(resolveSettings({ kmsKey: 'alias/deleted' }, {}), runtime, connection.connect);
    expect(ctx.kmsKeyArn).toBeUndefined();
    expect(connection.kms.calls()).toHaveLength(0);
  });

  it('asks KMS nothing without --kms-key', async () => {
    const connection = fakeConnect('210987654321');
    const ctx = await openStack(resolveSettings({}, {}), runtime, connection.connect, { resolveKmsKey: true });
    expect(ctx.kmsKeyArn).toBeUndefined();
    expect(connection.kms.calls()).toHaveLength(0);
  });

  it('refuses a key that does not exist with one line naming it (exit 2), and closes the clients', async () => {
    const connection = fakeConnect('210987654321');
    connection.kms.on(DescribeKeyCommand).rejects(kmsNotFound('Alias arn:aws:kms:eu-west-2:210987654321:alias/missing is not found.'));
    const failure = await openStack(resolveSettings({ kmsKey: 'alias/missing' }, {}), runtime, connection.connect, { resolveKmsKey: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as UsageError).exitCode).toBe(2);
    expect((failure as Error).message).toContain('--kms-key "alias/missing"');
    expect((failure as Error).message).toContain('eu-west-2');
    expect((failure as Error).message).not.toContain('\n');
    expect(connection.allDestroyed()).toBe(true);
  });

  it('reports any other KMS failure as an AWS failure naming the key, and closes the clients', async () => {
    const connection = fakeConnect('210987654321');
    const denied = new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform kms:DescribeKey', $metadata: {} });
    connection.kms.on(DescribeKeyCommand).rejects(denied);
    const failure = await openStack(resolveSettings({ kmsKey: 'alias/data-key' }, {}), runtime, connection.connect, { resolveKmsKey: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect(failure).not.toBeInstanceOf(UsageError);
    expect((failure as ProvisionerError).exitCode).toBe(1);
    expect((failure as Error).message).toContain('alias/data-key');
    expect((failure as Error).message).toContain('AccessDeniedException');
    expect(connection.allDestroyed()).toBe(true);
  });
});

describe('withStack', () => {
  it('hands the opened stack over, returns what it returns, and closes the clients', async () => {
    const connection = fakeConnect('210987654321');
    const result = await withStack(resolveSettings({}, {}), runtime, async (ctx) => {
      expect(ctx.aws).toBe(connection.aws);
      expect(connection.allDestroyed()).toBe(false);
      return ctx.names.stack;
    }, connection.connect);
    expect(result).toBe('flight-delays');
    expect(connection.allDestroyed()).toBe(true);
  });

  it('closes the clients when the command fails, and passes the failure on', async () => {
    const connection = fakeConnect('210987654321');
    const boom = new Error('boom');
    await expect(withStack(resolveSettings({}, {}), runtime, async () => Promise.reject(boom), connection.connect)).rejects.toBe(boom);
    expect(connection.allDestroyed()).toBe(true);
  });
});
