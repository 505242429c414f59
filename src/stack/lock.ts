import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { hasName, isNotFound, orUndefined } from '../aws/errors.js';
import { ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import type { StackContext } from '../core/context.js';
import { PREFIX } from '../core/names.js';

/**
 * The stack's lock: one object in its bucket, written only if absent (S3's conditional write,
 * If-None-Match: *), as Terraform's S3 backend locks its state. Commands that change the stack hold
 * it, so `up` and `teardown` (or two `up`s) never interleave, from one machine or many. A lock whose
 * holder died on this machine is taken over; one left on another machine needs `unlock ID`.
 */
export const LOCK_KEY = `${PREFIX.tool}lock.json`;

/** Who holds the lock, as the next command to find it is told. */
export interface LockInfo {
  readonly id: string;
  readonly command: string;
  readonly who: string;
  /** The machine the holder runs on: there, a holder whose process is gone is known to be dead. */
  readonly host?: string;
  readonly pid: number;
  readonly createdAt: string;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Gives the lock back; a lock already gone (with its bucket, or broken) is no error. */
  release(): Promise<void>;
}

export async function acquireLock(ctx: StackContext, command: string, now: () => Date = () => new Date()): Promise<HeldLock> {
  const info: LockInfo = { id: randomUUID(), command, who: whoAmI(), host: hostname(), pid: process.pid, createdAt: now().toISOString() };
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  const write = async (condition: { IfNoneMatch: string } | { IfMatch: string }): Promise<string | undefined> =>
    (await s3.send(new PutObjectCommand({ Bucket, Key: LOCK_KEY, Body: JSON.stringify(info), ContentType: 'application/json', ...condition }))).ETag;
  let etag: string | undefined;
  try {
    etag = await write({ IfNoneMatch: '*' });
  } catch (error) {
    if (!isHeldElsewhere(error)) throw error;
    const held = await readLockWithEtag(ctx);
    // Our own write, whose answer was lost and whose retry S3 then refused: we hold the lock.
    if (held?.info.id === info.id) return heldLock(ctx, command, info, held.etag);
    if (!held || !diedOnThisMachine(held.info)) throw new ProvisionerError(lockedMessage(ctx, held?.info, now()), 'aws');
    // Its holder was killed here (kill -9, a closed terminal): take the lock over, but only if it is
    // still that one (If-Match), so two commands doing the same cannot both win.
    try {
      etag = await write({ IfMatch: held.etag });
    } catch (takeover) {
      if (!isHeldElsewhere(takeover)) throw takeover;
      throw new ProvisionerError(lockedMessage(ctx, (await readLock(ctx)) ?? held.info, now()), 'aws');
    }
    ctx.logger.warn(`took over the lock of \`${held.info.command}\` (pid ${held.info.pid}), which is no longer running on this machine`);
  }
  return heldLock(ctx, command, info, etag);
}

function heldLock(ctx: StackContext, command: string, info: LockInfo, etag: string | undefined): HeldLock {
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  ctx.logger.debug(`locked stack ${ctx.names.stack} (lock ${info.id})`);
  return {
    info,
    async release() {
      try {
        // If-Match: a lock broken and taken by another command meanwhile is theirs, not ours to delete.
        await s3.send(new DeleteObjectCommand({ Bucket, Key: LOCK_KEY, ...(etag ? { IfMatch: etag } : {}) }));
      } catch (error) {
        if (isNotFound(error)) return;
        if (isHeldElsewhere(error)) {
          ctx.logger.warn(`the lock of stack ${ctx.names.stack} was broken while ${command} ran; it now belongs to another command`);
          return;
        }
        throw error;
      }
    },
  };
}

/** `unlock ID`: removes a lock left by a command that died; the ID guards against removing a live one. */
export async function breakLock(ctx: StackContext, id: string): Promise<LockInfo | undefined> {
  const holder = await readLock(ctx);
  if (!holder) return undefined;
  if (holder.id !== id) {
    throw new UsageError(`invalid lock ID "${id}": stack ${ctx.names.stack} is locked by ${describeHolder(holder)} with lock ID ${holder.id}`);
  }
  await ctx.aws.s3.send(new DeleteObjectCommand({ Bucket: ctx.names.bucket, Key: LOCK_KEY }));
  return holder;
}

export async function readLock(ctx: StackContext): Promise<LockInfo | undefined> {
  return (await readLockWithEtag(ctx))?.info;
}

async function readLockWithEtag(ctx: StackContext): Promise<{ info: LockInfo; etag: string } | undefined> {
  const object = await orUndefined(ctx.aws.s3.send(new GetObjectCommand({ Bucket: ctx.names.bucket, Key: LOCK_KEY })));
  const text = await object?.Body?.transformToString();
  if (!object || !text) return undefined;
  const etag = object.ETag ?? '';
  try {
    return { info: JSON.parse(text) as LockInfo, etag };
  } catch {
    return { info: { id: 'unreadable', command: 'unknown', who: 'unknown', pid: 0, createdAt: '' }, etag };
  }
}

/** True only when the holder ran on this machine and its process is gone; anything unsure is alive. */
function diedOnThisMachine(holder: LockInfo): boolean {
  if (holder.host !== hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedMessage(ctx: StackContext, holder: LockInfo | undefined, now: Date): string {
  const stack = ctx.names.stack;
  if (!holder) return `stack ${stack} was locked by another command a moment ago; try again`;
  return (
    `stack ${stack} is locked by ${describeHolder(holder, now)}; wait for it to finish, or if it is no longer running, ` +
    `remove the lock with \`provisioner unlock ${holder.id} --name ${stack}\``
  );
}

function describeHolder(holder: LockInfo, now = new Date()): string {
  const started = Date.parse(holder.createdAt);
  const age = Number.isNaN(started) ? 'an unknown time' : `${formatAge((now.getTime() - started) / 1000)}`;
  return `\`${holder.command}\` of ${holder.who} (pid ${holder.pid}), started ${age} ago`;
}

function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The answers S3 gives a conditional write or delete that lost to another writer. */
function isHeldElsewhere(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return hasName(error, 'PreconditionFailed', 'ConditionalRequestConflict') || status === 412 || status === 409;
}

function whoAmI(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user name in some containers (a uid without a passwd entry).
  }
  return `${user}@${hostname()}`;
}

/** Runs `action` holding the lock, and always gives it back; a failure to give it back only warns. */
export async function withLock<T>(ctx: StackContext, command: string, action: () => Promise<T>): Promise<T> {
  const held = await acquireLock(ctx, command);
  try {
    return await action();
  } finally {
    await releaseQuietly(ctx, held);
  }
}

/** Gives a lock back without hiding the error of the command that held it. */
export async function releaseQuietly(ctx: StackContext, held: HeldLock | undefined): Promise<void> {
  try {
    await held?.release();
  } catch (error) {
    ctx.logger.warn(`could not remove the lock of stack ${ctx.names.stack} (${describeCause(error)}); \`provisioner unlock ${held?.info.id} --name ${ctx.names.stack}\` removes it`);
  }
}
