import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProvisionerError, UsageError } from '../../../src/core/errors.js';
import { LOCK_KEY, acquireLock, breakLock, type LockInfo } from '../../../src/stack/lock.js';
import { s3Error } from '../support/errors.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

let t: MockedStack;
beforeEach(() => {
  t = mockedStack({ raw: { bucket: 'data-bucket' } });
});

const holder: LockInfo = { id: 'lock-123', command: 'up', who: 'ana@build-7', pid: 4242, createdAt: '2026-11-23T10:00:00.000Z' };
function lockedBy(info: LockInfo): void {
  t.s3.on(GetObjectCommand, { Key: LOCK_KEY }).resolves({ Body: { transformToString: async () => JSON.stringify(info) } } as never);
}

describe('acquireLock', () => {
  it('writes the lock only if there is none (If-None-Match: *), naming the command, who and when', async () => {
    t.s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
    const held = await acquireLock(t.ctx, 'teardown', () => new Date('2026-11-23T12:00:00Z'));
    const input = t.s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: 'data-bucket', Key: '.provisioner/lock.json', IfNoneMatch: '*' });
    expect(JSON.parse(String(input.Body))).toMatchObject({ command: 'teardown', pid: process.pid, createdAt: '2026-11-23T12:00:00.000Z', id: held.info.id });
  });

  it('refuses when another command holds it, naming the holder, its age and how to remove a stale lock', async () => {
    t.s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold'));
    lockedBy(holder);
    const failure = await acquireLock(t.ctx, 'teardown', () => new Date('2026-11-23T10:25:00Z')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProvisionerError);
    expect((failure as ProvisionerError).message).toBe(
      'stack flight-delays is locked by `up` of ana@build-7 (pid 4242), started 25 min ago; wait for it to finish, or if it is no longer running, remove the lock with `provisioner unlock lock-123 --name flight-delays`',
    );
    expect((failure as ProvisionerError).exitCode).toBe(1);
  });

  it('holds the lock when its own write landed but the answer was lost (the retry is refused by its own lock)', async () => {
    let written: string | undefined;
    t.s3.on(PutObjectCommand).callsFake((input: { Body?: unknown }) => {
      written = String(input.Body);
      throw s3Error('PreconditionFailed', 412);
    });
    t.s3.on(GetObjectCommand, { Key: LOCK_KEY }).callsFake(() => ({ ETag: '"mine"', Body: { transformToString: async () => written } }));
    const held = await acquireLock(t.ctx, 'up');
    expect(JSON.parse(written!).id).toBe(held.info.id);
    t.s3.on(DeleteObjectCommand).resolves({});
    await held.release();
    expect(t.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'data-bucket', Key: LOCK_KEY, IfMatch: '"mine"' });
  });

  it('gives the lock back only if it is still the one it wrote (If-Match), and a lock already gone is fine', async () => {
    t.s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
    const held = await acquireLock(t.ctx, 'up');
    t.s3.on(DeleteObjectCommand).resolvesOnce({}).rejectsOnce(s3Error('NoSuchBucket', 404)).rejectsOnce(s3Error('PreconditionFailed', 412));
    await held.release();
    expect(t.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'data-bucket', Key: LOCK_KEY, IfMatch: '"e1"' });
    await expect(held.release()).resolves.toBeUndefined();
    await expect(held.release()).resolves.toBeUndefined();
  });
});

describe('breakLock', () => {
  it('removes the lock whose ID it is given', async () => {
    lockedBy(holder);
    await expect(breakLock(t.ctx, 'lock-123')).resolves.toEqual(holder);
    expect(t.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'data-bucket', Key: LOCK_KEY });
  });

  it('leaves a lock with another ID alone, naming it', async () => {
    lockedBy(holder);
    const failure = await breakLock(t.ctx, 'lock-999').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toContain('with lock ID lock-123');
    expect(t.s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });
});
