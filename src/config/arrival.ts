import { UsageError } from '../core/errors.js';

/**
 * The marker's name goes into an EventBridge pattern (a wildcard under `raw/` ending in the name) and
 * sits among the raw data: a name that starts with `_` or `.` is one the crawler's exclusions and
 * Spark skip, so the marker is never read as a data file; no `*`, `/` or spaces keep the pattern
 * exact. Otherwise: ASCII letters, digits, `.`, `_`, `-`, at most 64.
 */
export function arrivalMarker(value: string): string {
  if (/^[_.][A-Za-z0-9._-]{1,63}$/.test(value) && value !== '..') return value;
  throw new UsageError(
    `invalid --arrival-marker ${JSON.stringify(value)}: valid: 2 to 64 letters, digits, ".", "_" or "-", starting with "_" or "." (e.g. _DELIVERED)`,
  );
}
