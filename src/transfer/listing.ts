import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Listed } from './compare.js';

/** The most keys one ListObjectsV2 page returns. */
export const LIST_PAGE_KEYS = 1000;

/**
 * Every object under `prefix` with its size and ETag, listed in ranges at once. The pages of one
 * listing follow each other (each needs its predecessor's token), so a prefix of n objects costs
 * n / 1,000 round trips in a row. The keys expected there (the local files) tell where to cut:
 * at every 1,000th of them, so that each range is about one page, and the ranges are listed at the
 * same time. Whatever else is under the prefix is found all the same: the ranges cover every key,
 * and a range goes on to further pages until it has passed its end.
 */
export async function listPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  expectedKeys: readonly string[],
  options: { readonly signal?: AbortSignal | undefined; readonly keysPerRange?: number } = {},
): Promise<Map<string, Listed>> {
  const { signal, keysPerRange = LIST_PAGE_KEYS } = options;
  const cuts = rangeEnds(expectedKeys, keysPerRange);
  const starts: (string | undefined)[] = [undefined, ...cuts];
  const ends: (string | undefined)[] = [...cuts, undefined];
  const ranges = await Promise.all(starts.map((start, i) => listRange(s3, bucket, prefix, start, ends[i], signal)));
  const listed = new Map<string, Listed>();
  for (const range of ranges) for (const [key, object] of range) listed.set(key, object);
  return listed;
}

/** Every `keysPerRange`th expected key, in S3's order (by UTF-8 bytes), each ending one range. */
export function rangeEnds(expectedKeys: readonly string[], keysPerRange = LIST_PAGE_KEYS): string[] {
  // Each key encoded once, not at every comparison of the sort.
  const sorted = [...new Set(expectedKeys)].map((key) => ({ key, bytes: utf8(key) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const ends: string[] = [];
  for (let i = keysPerRange - 1; i < sorted.length - 1; i += keysPerRange) ends.push(sorted[i]!.key);
  return ends;
}

/** The keys after `start` up to and including `end` (either open), page by page. */
async function listRange(
  s3: S3Client,
  bucket: string,
  prefix: string,
  start: string | undefined,
  end: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Map<string, Listed>> {
  const listed = new Map<string, Listed>();
  const endBytes = end === undefined ? undefined : utf8(end);
  // Keys come in S3's order, so once one is past the end, the rest of the listing is the next range's.
  const pastEnd = (key: string): boolean => endBytes !== undefined && Buffer.compare(utf8(key), endBytes) > 0;
  let token: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : start !== undefined ? { StartAfter: start } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && !pastEnd(object.Key)) listed.set(object.Key, { size: object.Size ?? 0, etag: object.ETag ?? '' });
    }
    const last = page.Contents?.at(-1)?.Key;
    // A page that reached the end (the end key itself, or beyond it) leaves nothing of this range.
    if (last !== undefined && end !== undefined && (last === end || pastEnd(last))) return listed;
    if (!page.IsTruncated || !page.NextContinuationToken) return listed;
    token = page.NextContinuationToken;
  }
}

/** S3 lists keys in the order of their UTF-8 bytes, which is not JavaScript's order of UTF-16 units. */
function utf8(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}
