import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { BadRowLimit } from '../core/settings.js';
import { shown } from './values.js';

/**
 * `--max-bad-rows`: a count of rows (`25`) or a share of each file's rows (`0.1%`). A share is the
 * default, as one threshold must fit a month of half a million rows and an airports file of a few
 * thousand; a count is for a CI job that wants none at all (`0`), or a fixed handful.
 */
export function badRowLimit(value: unknown): BadRowLimit {
  const given = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const share = given === undefined ? null : /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(given);
  if (share) {
    const percent = Number(share[1]);
    if (percent <= 100) return { percent };
  } else if (given !== undefined && /^\d+$/.test(given) && Number.isSafeInteger(Number(given))) {
    return { rows: Number(given) };
  }
  throw new UsageError(`invalid --max-bad-rows ${shown(value)}: valid: a whole number of rows per file (0, 25) or a share of each file's rows from 0% to 100% (0.1%)`);
}

/** The limit as it was written: `0.1%` or `25`. */
export function formatBadRowLimit(limit: BadRowLimit): string {
  return 'rows' in limit ? String(limit.rows) : `${limit.percent}%`;
}

/** `--contract`: a file, against the working directory; whether it exists is the check's to say. */
export function contractFile(value: unknown, cwd: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`invalid --contract ${shown(value)}: valid: the path of a contract file (JSON)`);
  return path.resolve(cwd, value);
}
