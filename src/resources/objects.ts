import { AbortMultipartUploadCommand, DeleteObjectsCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { isNotFound } from '../aws/errors.js';
import { DELETE_BATCH_LIMIT } from '../aws/limits.js';
import { formatBytes } from '../core/units.js';
import type { StackContext } from '../core/context.js';
import { Budget } from '../transfer/budget.js';
import { checkNeeded, type Listed } from '../transfer/compare.js';
import { CHECKSUM_METADATA } from '../transfer/put-file.js';
import { hashFile, TransferBudgets, uploadFiles } from '../transfer/upload.js';
import { transferLimits } from '../transfer/limits.js';
import { listPrefix } from '../transfer/listing.js';
import type { LocalFile } from '../transfer/local-files.js';
import { retryTransient } from '../transfer/retry.js';
import { readSentRecord, RecordKeeper, sameRecord, writeSentRecord, type SentEntry, type SentRecord } from '../transfer/sent-record.js';
import { isArrivalMarker } from './arrival.js';
import type { ResourceDefinition } from './resource.js';

/** Where the prefix stands against the local files, decided without a request per unchanged file. */
export interface PrefixState {
  /** Files new, resized or changed: to send. */
  readonly toSend: readonly LocalFile[];
  /** With --prune, objects under the prefix that no local file has. */
  readonly toPrune: readonly string[];
  /** The record of sent files as it should read for what stays as it is. */
  readonly unchanged: SentRecord;
  /** The record as it was read, so it is written only when it changes. */
  readonly recorded: SentRecord;
  /** Multipart uploads left open under the prefix by an `up` that was killed. */
  readonly staleUploads: readonly { readonly key: string; readonly uploadId: string }[];
}

/**
 * A file to send or, with --prune, an object to delete (the key says which, and is its own label);
 * `record` when the record of sent files must be brought up to date (after an interrupted `up`).
 */
type ObjectsKey = `upload ${string}` | `delete ${string}` | 'record' | 'staleUploads';

/** Local files hashed at once while deciding what changed: disk and CPU bound, not network. */
const HASHES_AT_ONCE = 4;

/**
 * The files of one local directory mirrored under one key prefix. What is unchanged is decided from
 * the listing and the record of what was sent (see transfer/compare.ts): no request per file.
 */
export function objectsResource(
  ctx: StackContext,
  prefix: string,
  files: readonly LocalFile[],
  // Shared with whatever else transfers at the same time (stack/resources.ts); else its own.
  transfers: TransferBudgets = new TransferBudgets(transferLimits(ctx.settings)),
): ResourceDefinition<PrefixState, ObjectsKey> {
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  const { limits } = transfers;

  return {
    kind: 'objects',
    name: `s3://${Bucket}/${prefix}`,
    // The slowest step of a first `up`: the Glue resources are made meanwhile.
    alongside: true,
    label: (key) => (key === 'record' ? 'record of sent files' : key === 'staleUploads' ? 'unfinished uploads of an interrupted up' : key),

    async find() {
      let listed: Map<string, Listed>;
      let recorded: SentRecord;
      let staleUploads: PrefixState['staleUploads'];
      try {
        [listed, recorded, staleUploads] = await Promise.all([
          listPrefix(s3, Bucket, prefix, files.map((f) => f.key), { signal: ctx.signal }),
          readSentRecord(s3, Bucket, prefix),
          openUploads(ctx, prefix),
        ]);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      // Nothing under the prefix yet (a new bucket): a create, not an update. An upload left open
      // there by a killed `up` makes it an update, which aborts it: a create has nothing to abort.
      if (listed.size === 0 && staleUploads.length === 0) return undefined;
      const { toSend, unchanged } = await compare(ctx, files, listed, recorded, limits.requests);
      const localKeys = new Set(files.map((f) => f.key));
      // A delivery's marker has no local file, and is kept: --prune deleting it would be an arrival undone.
      const toPrune = ctx.settings.prune ? [...listed.keys()].filter((key) => !localKeys.has(key) && !isArrivalMarker(ctx.settings, key)) : [];
      // What was sent once and stays in the bucket though its local file is gone stays on record.
      const pruned = new Set(toPrune);
      for (const [key, entry] of recorded) {
        if (!localKeys.has(key) && !pruned.has(key) && listed.get(key)?.etag === entry.etag) unchanged.set(key, entry);
      }
      // Objects carry no tags of their own: they are the stack's because the bucket is.
      return { state: { toSend, toPrune, unchanged, recorded, staleUploads }, tags: {} };
    },

    prepare(state) {
      transfers.hashAhead(state ? state.toSend : files, ctx.signal);
    },

    drift(state) {
      const keys: ObjectsKey[] = [...state.toSend.map((f) => `upload ${f.key}` as const), ...state.toPrune.map((key) => `delete ${key}` as const)];
      if (keys.length === 0 && !sameRecord(state.unchanged, state.recorded)) keys.push('record');
      if (state.staleUploads.length > 0) keys.push('staleUploads');
      return keys;
    },

    createDetails() {
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      return [`upload ${files.length} files (${formatBytes(bytes)})`];
    },

    async create() {
      // Called after a `find` under the lock that saw no open upload under the prefix (one would
      // make it an update), and none can appear while this `up` holds the lock.
      await writeSentRecord(s3, Bucket, prefix, await send(files, new Map()));
    },

    async update(state) {
      // The uploads a killed `up` left open are aborted while the files go up: a failed abort fails
      // the step, but only once what was sent is on record.
      const [sent, aborted] = await Promise.allSettled([send(state.toSend, state.unchanged), abortStale(ctx, state.staleUploads)]);
      if (sent.status === 'rejected') throw sent.reason;
      if (!sameRecord(sent.value, state.recorded)) await writeSentRecord(s3, Bucket, prefix, sent.value);
      if (aborted.status === 'rejected') throw aborted.reason;
      for (let i = 0; i < state.toPrune.length; i += DELETE_BATCH_LIMIT) {
        const Objects = state.toPrune.slice(i, i + DELETE_BATCH_LIMIT).map((Key) => ({ Key }));
        await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      }
      if (state.toPrune.length > 0) ctx.logger.info(`pruned ${state.toPrune.length} objects no longer present locally`);
    },
  };

  /** Sends files; returns the record of sent files: `base` and what was sent. */
  async function send(toSend: readonly LocalFile[], base: SentRecord): Promise<SentRecord> {
    const keeper = new RecordKeeper(s3, Bucket, prefix, base);
    try {
      await uploadFiles(s3, Bucket, toSend, transfers, ctx, ({ key, ...entry }) => keeper.add(key, entry));
    } catch (error) {
      await keeper.settle({ saveRest: true });
      throw error;
    }
    // The last checkpoint must land before the final record, or it would overwrite it.
    await keeper.settle();
    return keeper.record;
  }
}

/**
 * Only a killed `up` leaves uploads open under raw/ or scripts/: a live one holds the stack's lock,
 * which a change runs under, so whatever is open then is stale. It costs storage until aborted.
 */
async function abortStale(ctx: StackContext, uploads: PrefixState['staleUploads']): Promise<void> {
  for (const { key, uploadId } of uploads) {
    await ctx.aws.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.names.bucket, Key: key, UploadId: uploadId }));
  }
  if (uploads.length > 0) ctx.logger.info(`aborted ${uploads.length} unfinished uploads left by an interrupted up`);
}

/** Multipart uploads open under the prefix. */
async function openUploads(ctx: StackContext, prefix: string): Promise<{ key: string; uploadId: string }[]> {
  const open: { key: string; uploadId: string }[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await ctx.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: ctx.names.bucket, Prefix: prefix, ...markers }));
    for (const upload of page.Uploads ?? []) if (upload.Key && upload.UploadId) open.push({ key: upload.Key, uploadId: upload.UploadId });
    if (!page.IsTruncated || !page.NextKeyMarker) return open;
    markers = { KeyMarker: page.NextKeyMarker, ...(page.NextUploadIdMarker ? { UploadIdMarker: page.NextUploadIdMarker } : {}) };
  }
}

/**
 * Sorts the local files into those to send and those unchanged. Only a file whose object has the
 * same size is looked at further: unchanged outright when it is the recorded object and the file's
 * stamp is the recorded one; else hashed locally and compared with the recorded hash, or, when the
 * object is not the recorded one, with the hash in the object's own metadata (one HEAD).
 */
async function compare(
  ctx: StackContext,
  files: readonly LocalFile[],
  listed: ReadonlyMap<string, Listed>,
  recorded: SentRecord,
  requestsAtOnce: number,
): Promise<{ toSend: LocalFile[]; unchanged: Map<string, SentEntry> }> {
  const hashes = new Budget(HASHES_AT_ONCE, 'a local hash');
  const requests = new Budget(requestsAtOnce, 'a request slot');
  const verdicts = await Promise.all(
    files.map(async (file): Promise<SentEntry | undefined> => {
      const object = listed.get(file.key);
      const sent = recorded.get(file.key);
      const check = checkNeeded(file, object, sent);
      if (check === 'send' || object === undefined) return undefined;
      if (check === 'same') return sent;
      const [local, remote] = await Promise.all([
        hashes.with(1, () => hashFile(file.path), ctx.signal),
        check === 'hash' ? sent!.sha256 : requests.with(1, () => storedChecksum(ctx, file.key), ctx.signal),
      ]);
      return local === remote ? { size: file.size, etag: object.etag, sha256: local, stamp: file.stamp } : undefined;
    }),
  );
  const toSend: LocalFile[] = [];
  const unchanged = new Map<string, SentEntry>();
  files.forEach((file, i) => {
    const entry = verdicts[i];
    if (entry) unchanged.set(file.key, entry);
    else toSend.push(file);
  });
  return { toSend, unchanged };
}

/** The SHA-256 this tool stored in an object's metadata when it sent it; undefined for others'. */
async function storedChecksum(ctx: StackContext, key: string): Promise<string | undefined> {
  const head = await retryTransient(
    () => ctx.aws.s3.send(new HeadObjectCommand({ Bucket: ctx.names.bucket, Key: key }), { abortSignal: ctx.signal }),
    ctx.signal,
  );
  return head.Metadata?.[CHECKSUM_METADATA];
}
