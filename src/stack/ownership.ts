import { ProvisionerError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AnyResource, Found, ResourceKind, Tags } from '../resources/resource.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, STACK_TAG } from '../core/tags.js';

/** True when the tags mark a resource as created by this stack. */
export function isOwnedBy(tags: Tags | undefined, stack: string): boolean {
  return tags?.[MANAGED_BY_TAG] === MANAGED_BY_VALUE && tags[STACK_TAG] === stack;
}

/** What teardown found for one resource. */
export type Ownership = 'absent' | 'owned' | 'foreign';

export function ownershipOf(found: { readonly tags: Tags } | undefined, stack: string): Ownership {
  if (found === undefined) return 'absent';
  return isOwnedBy(found.tags, stack) ? 'owned' : 'foreign';
}

/**
 * Whether a resource found without the stack's tags is one this tool's own create left untagged
 * (`unfinished`, only the bucket has it): then `up` tags it and carries on, and teardown deletes it.
 * Says so, as it is the one case where the tags do not decide.
 */
export async function isUnfinished(
  ctx: { readonly names: { readonly stack: string }; readonly logger?: Pick<Logger, 'warn'> },
  resource: Pick<AnyResource, 'kind' | 'name' | 'unfinished'>,
  found: Found<unknown>,
): Promise<boolean> {
  if (!resource.unfinished || !(await resource.unfinished(found))) return false;
  ctx.logger?.warn(
    `${resource.kind} ${resource.name} has no tags and holds nothing, as an interrupted up leaves it: taking it as stack "${ctx.names.stack}"'s`,
  );
  return true;
}

/** ownershipOf for a resource as found, with an unfinished one (isUnfinished) counted as owned. */
export async function judgeOwnership(
  ctx: { readonly names: { readonly stack: string }; readonly logger?: Pick<Logger, 'warn'> },
  resource: Pick<AnyResource, 'kind' | 'name' | 'unfinished'>,
  found: Found<unknown> | undefined,
): Promise<Ownership> {
  const ownership = ownershipOf(found, ctx.names.stack);
  if (ownership === 'foreign' && found && (await isUnfinished(ctx, resource, found))) return 'owned';
  return ownership;
}

/**
 * `up` never adopts a resource it did not create: once tagged as ours, teardown would delete it.
 * Every resource is created with the stack's tags in the same call, so an existing one without them
 * belongs to someone else; the one exception is a bucket left unfinished (isUnfinished).
 */
export function assertOwnedByStack(kind: ResourceKind, name: string, tags: Tags, stack: string): void {
  if (isOwnedBy(tags, stack)) return;
  const hint = kind === 'bucket' ? 'choose another --bucket or --name' : 'choose another --name, or remove it';
  throw new ProvisionerError(`${kind} ${name} already exists and is not tagged as stack "${stack}"'s; ${hint}`, 'user');
}
