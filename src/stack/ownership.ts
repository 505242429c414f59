import { ProvisionerError } from '../errors.js';
import type { Tags } from '../resources/resource.js';

/**
 * How the tool knows what it created: every resource carries these two tags from the call that
 * creates it. Teardown deletes nothing without them, and `up` adopts nothing without them.
 */
export const MANAGED_BY_TAG = 'ManagedBy';
export const MANAGED_BY_VALUE = 'glue-provisioner';
export const STACK_TAG = 'Stack';

export function stackTags(stack: string): Record<string, string> {
  return { [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [STACK_TAG]: stack };
}

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
 * `up` never adopts a resource it did not create: once tagged as ours, teardown would delete it.
 * Every resource is created with the stack's tags in the same call (the bucket is tagged first
 * thing), so an existing one without them belongs to someone else.
 */
export function assertOwnedByStack(kind: string, name: string, tags: Tags, stack: string): void {
  if (isOwnedBy(tags, stack)) return;
  const hint = kind === 'bucket' ? 'choose another --bucket or --name' : 'choose another --name, or remove it';
  throw new ProvisionerError(`${kind} ${name} already exists and is not tagged as stack "${stack}"'s; ${hint}`, 'user');
}
