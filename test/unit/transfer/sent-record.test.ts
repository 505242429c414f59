import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_MS, RecordKeeper, type SentEntry } from '../../../src/transfer/sent-record.js';

const entry = (n: number): SentEntry => ({ size: n, etag: `"e${n}"`, sha256: `h${n}` });

/** An S3 client that keeps the record documents written, each answered after `delayMs`. */
function recordingS3(delayMs = 0): { s3: S3Client; written: Record<string, SentEntry>[] } {
  const written: Record<string, SentEntry>[] = [];
  const s3 = {
    send: async (command: PutObjectCommand) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      written.push((JSON.parse(String(command.input.Body)) as { objects: Record<string, SentEntry> }).objects);
      return {};
    },
  } as unknown as S3Client;
  return { s3, written };
}

describe('RecordKeeper', () => {
  it('writes nothing while files arrive within the checkpoint interval', async () => {
    const { s3, written } = recordingS3();
    let now = 0;
    const keeper = new RecordKeeper(s3, 'b', 'raw/', new Map([['raw/old', entry(0)]]), () => now);
    keeper.add('raw/a', entry(1));
    now = CHECKPOINT_MS - 1;
    keeper.add('raw/b', entry(2));
    await keeper.settle();
    expect(written).toEqual([]);
    expect([...keeper.record.keys()]).toEqual(['raw/old', 'raw/a', 'raw/b']);
  });

  it('writes the base and every file so far once an interval has passed, one write at a time', async () => {
    const { s3, written } = recordingS3(5);
    let now = 0;
    const keeper = new RecordKeeper(s3, 'b', 'raw/', new Map([['raw/old', entry(0)]]), () => now);
    now = CHECKPOINT_MS;
    keeper.add('raw/a', entry(1));
    // Another interval passes while the first checkpoint is still being written: no second write.
    now = 2 * CHECKPOINT_MS;
    keeper.add('raw/b', entry(2));
    await keeper.settle();
    expect(written).toEqual([{ 'raw/a': entry(1), 'raw/old': entry(0) }]);
  });

  it('on failure saves what no checkpoint held, after the checkpoint in flight', async () => {
    const { s3, written } = recordingS3(5);
    let now = 0;
    const keeper = new RecordKeeper(s3, 'b', 'raw/', new Map(), () => now);
    now = CHECKPOINT_MS;
    keeper.add('raw/a', entry(1));
    keeper.add('raw/b', entry(2));
    await keeper.settle({ saveRest: true });
    expect(written).toEqual([{ 'raw/a': entry(1) }, { 'raw/a': entry(1), 'raw/b': entry(2) }]);
    // Nothing new since: nothing more to save.
    await keeper.settle({ saveRest: true });
    expect(written).toHaveLength(2);
  });

  it('never throws: a checkpoint that fails leaves the previous record', async () => {
    const s3 = { send: () => Promise.reject(new Error('503')) } as unknown as S3Client;
    let now = 0;
    const keeper = new RecordKeeper(s3, 'b', 'raw/', new Map(), () => now);
    now = CHECKPOINT_MS;
    keeper.add('raw/a', entry(1));
    await expect(keeper.settle({ saveRest: true })).resolves.toBeUndefined();
  });
});
