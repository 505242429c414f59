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
