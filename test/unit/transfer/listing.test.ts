import { ListObjectsV2Command, S3Client, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { LIST_PAGE_KEYS, listPrefix, rangeEnds } from '../../../src/transfer/listing.js';
import { random } from '../support/random.js';

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A bucket that lists as S3 does: keys in UTF-8 byte order, at most `pageKeys` a page, after
 * StartAfter or from a continuation token (here the last key of the previous page).
 */
function fakeBucket(keys: readonly string[], pageKeys = LIST_PAGE_KEYS) {
  const s3 = mockClient(S3Client);
  const sorted = [...keys].sort(byBytes);
  const calls: ListObjectsV2CommandInput[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  s3.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
    calls.push(input);
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    const after = input.ContinuationToken ?? input.StartAfter;
    const matching = sorted.filter((key) => key.startsWith(input.Prefix ?? '') && (after === undefined || byBytes(key, after) > 0));
    const page = matching.slice(0, pageKeys);
    const truncated = matching.length > pageKeys;
    return {
      Contents: page.map((Key) => ({ Key, Size: Key.length, ETag: `"${Key}"` })),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: page.at(-1) } : {}),
    };
  });
  return { client: s3 as unknown as { send: S3Client['send'] } & S3Client, calls, peak: () => peakInFlight };
}

const key = (next: () => number): string => {
  // Mostly ASCII, some keys beyond it, where UTF-16 order and UTF-8 order differ.
  const alphabet = ['a', 'b', 'c', 'd', '0', '9', '-', '/', 'é', '\uffe0', '😀'];
  const length = 1 + Math.floor(next() * 6);
  return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
};

describe('listPrefix', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'finds exactly the objects under the prefix, whatever is local and whatever else is there (seed %i)',
    async (seed) => {
      const next = random(seed);
      const pageKeys = 1 + Math.floor(next() * 7);
      const remote = [...new Set(Array.from({ length: Math.floor(next() * 60) }, () => `raw/${key(next)}`))];
      const others = Array.from({ length: 5 }, () => `other/${key(next)}`);
      // Local files: some listed, some not there yet, in any order.
      const local = [...remote.filter(() => next() < 0.7), ...Array.from({ length: Math.floor(next() * 20) }, () => `raw/${key(next)}`)];
      const bucket = fakeBucket([...remote, ...others], pageKeys);
      // Ranges shorter and longer than a page; cuts at keys that are there and at keys that are not.
      const keysPerRange = 1 + Math.floor(next() * 5);
      const listed = await listPrefix(bucket.client, 'b', 'raw/', local, { keysPerRange });
      expect([...listed.keys()].sort()).toEqual([...remote].sort());
      for (const k of remote) expect(listed.get(k)).toEqual({ size: k.length, etag: `"${k}"` });
    },
  );

  it('lists the ranges at once: 2,500 local files under one prefix take three listings in parallel', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `raw/f${String(i).padStart(5, '0')}.csv`);
    const bucket = fakeBucket(keys);
    const listed = await listPrefix(bucket.client, 'b', 'raw/', keys);
    expect(listed.size).toBe(2500);
    expect(bucket.calls).toHaveLength(3);
    expect(bucket.peak()).toBe(3);
    expect(bucket.calls.map((c) => c.StartAfter)).toEqual([undefined, 'raw/f00999.csv', 'raw/f01999.csv']);
  });

  it('cuts nowhere for up to 1,000 local files, and orders cuts as S3 orders keys', () => {
    expect(rangeEnds(Array.from({ length: 1000 }, (_, i) => `k${i}`))).toEqual([]);
    const keys = Array.from({ length: 2001 }, (_, i) => `k${String(i).padStart(4, '0')}`).reverse();
    expect(rangeEnds(keys)).toEqual(['k0999', 'k1999']);
    // UTF-16 puts U+FFE0 after the surrogate pair of U+1F600; UTF-8, as S3, puts it before.
    expect(rangeEnds(['a😀', 'a\uffe0', 'a'], 1)).toEqual(['a', 'a\uffe0']);
  });
});
