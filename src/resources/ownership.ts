import { ProvisionerError } from '../errors.js';
import { isOwnedBy } from '../stack/names.js';

/**
 * `up` never adopts a resource it did not create: once tagged as ours, teardown would delete it.
 * Every resource is created with the stack's tags in the same call (the bucket is tagged first
 * thing), so an existing one without them belongs to someone else.
 */
export function assertOwnedByStack(kind: string, name: string, tags: Readonly<Record<string, string>>, stack: string): void {
  if (isOwnedBy(tags, stack)) return;
  const hint = kind === 'bucket' ? 'choose another --bucket or --name' : 'choose another --name, or remove it';
  throw new ProvisionerError(`${kind} ${name} already exists and is not tagged as stack "${stack}"'s; ${hint}`, 'user');
}
