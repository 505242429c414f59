import { redactUrl } from '../config/redact.js';
import { InterruptedError } from '../core/errors.js';
import { usesTls } from '../resources/bucket-policy.js';
import type { AnyResource, PlannedChange } from '../resources/resource.js';
import type { StackContext } from '../core/context.js';
import { applyStep, planRemoval, planStep, type PlannedStep } from './plan.js';
import { stackResources, type LocalSources } from './resources.js';

/**
 * `up`: walks the stack's resources in order, reading each and creating or updating what differs.
 * With `dryRun` (`plan`) it only reads. Returns one planned change per resource, and one per resource
 * the settings turned off that an earlier `up` made (a deletion).
 */
export async function converge(
  ctx: StackContext,
  sources: LocalSources,
  options: {
    readonly dryRun: boolean;
    /**
     * Takes the stack's lock before the first change. It lives in the bucket, so a bucket being
     * created comes first; an `up` with nothing to change writes nothing, not even a lock.
     */
    readonly lock?: () => Promise<void>;
  },
): Promise<PlannedChange[]> {
  const { logger } = ctx;
  logger.info(`${options.dryRun ? 'planning' : 'converging'} stack ${ctx.names.stack} in ${ctx.aws.accountId} ${ctx.aws.region}`);
  if (!usesTls(ctx.settings.endpointUrl)) {
    logger.warn(`endpoint ${redactUrl(ctx.settings.endpointUrl)} is plain HTTP: the bucket gets no TLS-only policy`);
  }
  const changes: PlannedChange[] = [];
  let locked = false;
  const resources = stackResources(ctx, sources);
  const unwanted = resources.filter((resource) => resource.wanted === false);
  const wanted = resources.filter((resource) => resource.wanted !== false);
  // Everything is read at once: a stack in sync then costs a few round trips, not one per
  // resource. These reads are used only until the lock is taken (before the first change, or right
  // after the bucket is created); under it each resource is read again, as a change (or another
  // command) may have moved it.
  const early = wanted.map((resource) => planStep(ctx, resource));
  // Dependents first, as in teardown: the failure rules before the topic they publish to. What lives
  // inside another resource (the topic's email subscriptions) goes with it. Creating or updating
  // the resources wanted changes none of these, so they are read at once with the others.
  const removals = unwanted
    .reverse()
    .filter((resource) => resource.destroy !== undefined)
    .map((resource) => ({ resource, read: planRemoval(ctx, resource) }));
  for (const read of [...early, ...removals.map((r) => r.read)]) read.catch(() => undefined);
  if (!options.dryRun) {
    for (const [index, resource] of wanted.entries()) {
      if (!resource.prepare) continue;
      // Only a head start: a failed read is reported by the walk below, and so is a failed prepare's work.
      early[index]!.then((step) => step.change.action !== 'no-op' && resource.prepare!(step.found?.state)).catch(() => undefined);
    }
  }
  // The read each resource is converged from when its turn comes; none: it is read then, after the
  // changes before it, which may have moved it. The reads from before the lock are all dropped when
  // it is taken: another command may have moved anything until then.
  const reads: (Promise<PlannedStep> | undefined)[] = [...early];
  // The uploads converging while the loop goes on (ResourceDefinition.alongside).
  const alongside: Promise<void>[] = [];
  let alongsideFailure: unknown;
  // Ctrl-C, or an upload that failed, stops the walk before the next read or change.
  const stopIfCalledOff = (resource: AnyResource): void => {
    if (alongsideFailure !== undefined) throw alongsideFailure;
    if (ctx.signal.aborted) throw new InterruptedError(`interrupted before ${resource.kind} ${resource.name}`);
  };
  const takeLock = async (): Promise<void> => {
    await options.lock?.();
    locked = true;
  };
  const lockThenRead = async (from: number): Promise<void> => {
    await takeLock();
    reads.fill(undefined);
    // Uploads that follow one another are read at once: an upload (`alongside`) moves nothing but
    // its own prefix, so each read holds while the uploads before it start.
    let last = from;
    while (wanted[from]!.alongside && wanted[last + 1]?.alongside) last++;
    for (let index = from; index <= last; index++) {
      const read = planStep(ctx, wanted[index]!);
      read.catch(() => undefined); // reported when its turn comes
      reads[index] = read;
    }
  };
  try {
    for (const [index, resource] of wanted.entries()) {
      stopIfCalledOff(resource);
      let step = await (reads[index] ?? planStep(ctx, resource));
      if (!options.dryRun && !locked && step.change.action !== 'no-op' && !(resource.kind === 'bucket' && step.change.action === 'create')) {
        await lockThenRead(index);
        step = await reads[index]!;
      }
      changes.push(step.change);
      if (options.dryRun) continue;
      const { action, kind, name, details } = step.change;
      if (action === 'no-op') {
        logger.info(`${kind} ${name}: up to date`);
        continue;
      }
      stopIfCalledOff(resource);
      logger.info(`${action} ${kind} ${name}${action === 'update' ? ` (${summarizeDrift(details)})` : ''}`);
      if (resource.alongside) {
        const applying = applyStep(ctx, step);
        applying.catch((error: unknown) => {
          alongsideFailure ??= error;
        });
        alongside.push(applying);
        continue;
      }
      await applyStep(ctx, step);
      // The lock lives in the bucket: taken as soon as the bucket exists, before anything else is read.
      if (!locked && index + 1 < wanted.length) {
        stopIfCalledOff(wanted[index + 1]!);
        await lockThenRead(index + 1);
      }
    }
    await Promise.all(alongside);
  } catch (error) {
    // Whatever failed, what runs alongside ends before the command does. Its own failure, if any,
    // is the one reported: the walk stops because of it (or, on Ctrl-C, it says what was cut short).
    await Promise.allSettled(alongside);
    throw alongsideFailure ?? error;
  }
  for (const { resource, read } of removals) {
    let step = await read;
    if (step && !options.dryRun) {
      // Read at the start, before any lock: a deletion, too, is made under the lock from a read under it.
      stopIfCalledOff(resource);
      if (!locked) await takeLock();
      step = await planRemoval(ctx, resource);
    }
    if (!step) continue;
    changes.push(step.change);
    if (options.dryRun) continue;
    logger.info(`delete ${resource.kind} ${resource.name} (no longer in the settings)`);
    await applyStep(ctx, step);
  }
  return changes;
}

/** Uploads can list hundreds of files; a log line names a few changes at most. */
function summarizeDrift(details: readonly string[]): string {
  return details.length > 4 ? `${details.length} changes` : details.join(', ');
}
