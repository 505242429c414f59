import type { LocalFile } from './local-files.js';
import type { SentEntry } from './sent-record.js';

/** An object as a listing shows it. */
export interface Listed {
  readonly size: number;
  readonly etag: string;
}

/**
 * What it takes to know whether a local file must be sent, from the listing and the record alone:
 * - `send`: nothing there, or a different size: it must go;
 * - `same`: the object is the one the record says was sent, from a file not written since (its
 *   stamp is the recorded one): nothing to do, and nothing to read;
 * - `hash`: the object is the one the record says was sent: send only if the local hash differs
 *   from the recorded one (a file can change and keep its size);
 * - `head`: the object is not the recorded one (another tool wrote it, or an earlier `up` was
 *   interrupted before writing the record): read the checksum stored in its metadata.
 */
export type Check = 'send' | 'same' | 'hash' | 'head';

export function checkNeeded(file: Pick<LocalFile, 'size' | 'stamp'>, listed: Listed | undefined, recorded: SentEntry | undefined): Check {
  if (listed === undefined || listed.size !== file.size) return 'send';
  if (recorded !== undefined && recorded.size === listed.size && recorded.etag === listed.etag) {
    return file.stamp !== undefined && recorded.stamp === file.stamp ? 'same' : 'hash';
  }
  return 'head';
}
