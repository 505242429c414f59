import { UsageError } from '../core/errors.js';

/**
 * The HTML standard's check of an email address (what browsers accept in type="email"): a local
 * part, an "@", and a domain of dot-separated labels. Stricter checks turn away addresses that work.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * --notify: every address given, from a repeated flag (a list), PROVISIONER_NOTIFY or the config file
 * (comma-separated text or a list); each checked, duplicates (in any letter case) dropped.
 */
export function emailAddresses(value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  const given = Array.isArray(value) ? value : [value];
  const addresses: string[] = [];
  for (const item of given) {
    if (typeof item !== 'string') throw new UsageError(`invalid --notify ${JSON.stringify(item)}: expected an email address such as ops@example.com`);
    for (const part of item.split(',')) {
      const address = part.trim();
      if (address.length > 254 || !EMAIL.test(address)) {
        throw new UsageError(`invalid --notify ${JSON.stringify(address)}: not an email address; valid: an address such as ops@example.com, once per --notify`);
      }
      if (!addresses.some((a) => a.toLowerCase() === address.toLowerCase())) addresses.push(address);
    }
  }
  return addresses;
}
