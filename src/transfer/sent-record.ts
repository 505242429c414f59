import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { orUndefined } from '../aws/errors.js';
import { PREFIX } from '../core/names.js';

/**
 * What `up` sent under one prefix, kept in the bucket beside the data: for each key the size, the
 * ETag S3 gave the object, and the SHA-256 of the local file it came from. A listing returns size
 * and ETag for every object, so with this record an unchanged file is recognised without a request
 * of its own, whatever the ETag is (an MD5 or, under SSE-KMS and for multipart uploads, not one).
 */
export interface SentEntry {
  readonly size: number;
  readonly etag: string;
  readonly sha256: string;
  /** The local file's stamp (LocalFile.stamp) when it was hashed: while it holds, no hash is needed. */
  readonly stamp?: string | undefined;
}

export type SentRecord = ReadonlyMap<string, SentEntry>;

/** Outside raw/ and scripts/, so neither the crawler nor the job sees it; teardown removes it. */
export const RECORD_PREFIX = `${PREFIX.tool}sent/`;

export function recordKey(prefix: string): string {
  return `${RECORD_PREFIX}${prefix.replace(/\/+$/, '')}.json`;
}

interface RecordDocument {
  readonly version: 1;
  readonly objects: Record<string, SentEntry>;
}

/** The record for a prefix; empty when there is none or it cannot be read (the check then falls back). */
export async function readSentRecord(s3: S3Client, bucket: string, prefix: string): Promise<SentRecord> {
  const object = await orUndefined(s3.send(new GetObjectCommand({ Bucket: bucket, Key: recordKey(prefix) })));
  const text = await object?.Body?.transformToString();
  if (!text) return new Map();
  try {
    const document = JSON.parse(text) as Partial<RecordDocument>;
    if (document.version !== 1 || typeof document.objects !== 'object' || document.objects === null) return new Map();
    return new Map(Object.entries(document.objects).filter(([, entry]) => isEntry(entry)));
  } catch {
    return new Map();
  }
}

export async function writeSentRecord(s3: S3Client, bucket: string, prefix: string, record: SentRecord): Promise<void> {
  const sorted = Object.fromEntries([...record.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const document: RecordDocument = { version: 1, objects: sorted };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: recordKey(prefix),
      Body: JSON.stringify(document),
      ContentType: 'application/json',
    }),
  );
}

/** How often, at most, the record is written while files are being sent. */
export const CHECKPOINT_MS = 15_000;

/**
 * The record of one prefix while its files are sent: written again now and then (at most once per
 * CHECKPOINT_MS, one write at a time) and once more if sending fails, so that an `up` killed or
 * stopped midway still knows what it finished. That matters most for files sent in parts, whose
 * checksum is known only when the last part is read, too late for the object's metadata.
 */
export class RecordKeeper {
  private readonly entries: Map<string, SentEntry>;
  private lastWrite: number;
  private writing: Promise<void> | undefined;
  private unsaved = false;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    base: SentRecord,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new Map(base);
    this.lastWrite = now();
  }

  /** A file S3 now holds. */
  add(key: string, entry: SentEntry): void {
    this.entries.set(key, entry);
    this.unsaved = true;
    if (this.writing === undefined && this.now() - this.lastWrite >= CHECKPOINT_MS) this.write();
  }

  /** What is on record so far. */
  get record(): SentRecord {
    return this.entries;
  }

  /** Waits for a checkpoint in flight; with `saveRest`, then writes what it did not hold. Never throws. */
  async settle(options: { saveRest?: boolean } = {}): Promise<void> {
    await this.writing;
    if (options.saveRest && this.unsaved) this.write();
    await this.writing;
  }

  private write(): void {
    this.unsaved = false;
    this.lastWrite = this.now();
    // A checkpoint is a help, not a promise: one that fails leaves the previous record, still true.
    this.writing = writeSentRecord(this.s3, this.bucket, this.prefix, new Map(this.entries))
      .catch(() => undefined)
      .finally(() => {
        this.writing = undefined;
      });
  }
}

/**
 * Whether two records say the same of the objects. Stamps are left out: a file's stamp changes
 * without its content (copied, restored, touched), and a record rewritten only for that would
 * make an `up` with nothing to do write to the bucket. New stamps are kept whenever the record is
 * written for another reason.
 */
export function sameRecord(a: SentRecord, b: SentRecord): boolean {
  if (a.size !== b.size) return false;
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (!other || other.size !== entry.size || other.etag !== entry.etag || other.sha256 !== entry.sha256) return false;
  }
  return true;
}

function isEntry(value: unknown): value is SentEntry {
  const entry = value as Partial<SentEntry> | null;
  return (
    typeof entry?.size === 'number' &&
    typeof entry.etag === 'string' &&
    typeof entry.sha256 === 'string' &&
    (entry.stamp === undefined || typeof entry.stamp === 'string')
  );
}
