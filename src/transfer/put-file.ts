import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BlockPool } from './blocks.js';
import type { Budget } from './budget.js';
import { BODY_BUFFERS, FileBody } from './file-body.js';
import type { FileHasher } from './file-hasher.js';
import { fileShrunk, readExactly, type LocalFile } from './local-files.js';

/**
 * The three ways one file goes to S3, by its size: read whole and sent in one PUT (up to a part),
 * streamed from disk in one PUT (up to the multipart threshold), or sent in parts.
 */

/** What S3 holds after an upload: enough to recognise the object later from a listing. */
export interface UploadedFile {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly etag: string;
  /** The local file's stamp when it was scanned (LocalFile.stamp). */
  readonly stamp?: string | undefined;
}

/** User metadata holding the SHA-256 of the content, so an object can be checked without its bytes. */
export const CHECKSUM_METADATA = 'sha256';

/** The checksum a file sent in one PUT carries: the SHA-256 it is hashed with anyway. */
const WHOLE_CHECKSUM = 'SHA256';

/** The checksum each part of a multipart upload carries, and the whole object's is composed of. */
const PART_CHECKSUM = 'CRC32';

/** S3's smallest part (but the last) and its most parts per object. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** What one file's upload needs of the whole transfer. */
export interface UploadContext {
  readonly s3: S3Client;
  /** Sends one request within the bound on requests in flight, retried on its own when it fails for a passing reason. */
  request<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  readonly bucket: string;
  readonly memory: Budget;
  /** The buffers of parts of the usual size (parts of very large files are larger, and allocated). */
  readonly blocks: BlockPool;
  readonly partBytes: number;
  /** Hashes files to be streamed before they are sent, one file at a time. */
  readonly hasher: FileHasher;
  /** The buffers of files streamed from disk (STREAM_CHUNK each). */
  readonly streamBlocks: BlockPool;
  readonly signal: AbortSignal;
  readonly sent: (key: string, bytes: number) => void;
}

/**
 * A file that fits in one part: read once and hashed, sent in one PUT that carries its SHA-256 as
 * the checksum S3 checks on arrival (in place of the CRC32 the SDK would compute) and as metadata.
 * `order` is its place in the upload: memory goes to files in that order (see putInParts).
 */
export async function putWhole(ctx: UploadContext, file: LocalFile, order: number): Promise<UploadedFile> {
  return ctx.memory.with(
    file.size,
    async () => {
      const { body, digest } = readWhole(file);
      const sha256 = digest.toString('hex');
      const put = new PutObjectCommand({
        Bucket: ctx.bucket,
        Key: file.key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType(file.path),
        ChecksumAlgorithm: WHOLE_CHECKSUM,
        ChecksumSHA256: digest.toString('base64'),
        Metadata: { [CHECKSUM_METADATA]: sha256 },
      });
      const response = await ctx.request((abortSignal) => ctx.s3.send(put, { abortSignal }));
      ctx.sent(file.key, file.size);
      return { key: file.key, size: file.size, sha256, etag: response.ETag ?? '', stamp: file.stamp };
    },
    ctx.signal,
    order,
  );
}

/** How much of a streamed file is read at a time; a file being streamed holds BODY_BUFFERS such chunks. */
export const STREAM_CHUNK = 1024 * 1024;

/**
 * A mid-size file (larger than a part, up to the multipart threshold): read once to hash it, then
 * streamed from disk in one PUT that carries its SHA-256, as metadata and as the checksum S3 checks
 * against what arrives. One PUT rather than parts spares a CreateMultipartUpload and a
 * CompleteMultipartUpload per file, and the store's assembling of the object from its parts: on the
 * emulator, 8 files of 64 MiB through 15 ms each way went up in 4.5-5.3 s this way against 6.7-6.8 s
 * in 8 MiB parts. Whatever the size, the file holds two chunks of memory. A PUT that fails is sent
 * again from the start of the file, which is opened anew: the SDK cannot replay a stream it has
 * consumed (and does not retry one itself).
 */
export async function putStreamed(ctx: UploadContext, file: LocalFile, order: number): Promise<UploadedFile> {
  // Hashed before it takes memory for sending: files waiting for the hasher hold none.
  const digest = await ctx.hasher.sha256(file, ctx.signal, order);
  const sha256 = digest.toString('hex');
  return ctx.memory.with(
    BODY_BUFFERS * STREAM_CHUNK,
    async () => {
      const response = await ctx.request(async (abortSignal) => {
        let counted = 0;
        const body = new FileBody(file, ctx.streamBlocks, (bytes) => {
          counted += bytes;
          ctx.sent(file.key, bytes);
        });
        // A read that fails midway (the file shrank or went away) ends the request at once, which
        // would otherwise wait for the bytes its Content-Length promised.
        const stop = new AbortController();
        let readFailure: unknown;
        body.once('error', (error) => {
          readFailure = error;
          stop.abort();
        });
        const put = new PutObjectCommand({
          Bucket: ctx.bucket,
          Key: file.key,
          Body: body,
          ContentLength: file.size,
          ContentType: contentType(file.path),
          ChecksumAlgorithm: WHOLE_CHECKSUM,
          ChecksumSHA256: digest.toString('base64'),
          Metadata: { [CHECKSUM_METADATA]: sha256 },
        });
        try {
          return await ctx.s3.send(put, { abortSignal: AbortSignal.any([abortSignal, stop.signal]) });
        } catch (error) {
          body.destroy();
          ctx.sent(file.key, -counted); // sent again from the start if retried
          throw readFailure ?? error;
        }
      });
      return { key: file.key, size: file.size, sha256, etag: response.ETag ?? '', stamp: file.stamp };
    },
    ctx.signal,
    order,
  );
}

/**
 * A large file: read part by part, in order, each part once memory is free for it; each part is
 * hashed as it is read and sent while the next is read, so the file is read once and never held
 * whole. Its SHA-256 is known only when the last part is read, after S3 took the upload's
 * metadata: it goes into the record of sent files (transfer/sent-record.ts), not the metadata.
 *
 * Memory for a part goes to the file that came first in the upload (`order`) among those waiting,
 * so files are finished one after another rather than all together at the end: each completion
 * (and the record of it) then lands while other files are still being sent, and an upload cut
 * short has finished more files.
 */
export async function putInParts(ctx: UploadContext, file: LocalFile, order: number): Promise<UploadedFile> {
  const partSize = Math.max(ctx.partBytes, MIN_PART_SIZE, Math.ceil(file.size / MAX_PARTS));
  // Each part carries its CRC32 (the SDK computes it), which S3 checks on arrival; declared here, S3
  // also keeps a checksum of the whole object composed of the parts' own, as the AWS CLI asks for.
  // Without it a store may checksum the whole object again when it is completed (moto copies and
  // reads all of it once more), which made each completion of a 64 MiB file twice as slow.
  const create = new CreateMultipartUploadCommand({
    Bucket: ctx.bucket,
    Key: file.key,
    ContentType: contentType(file.path),
    ChecksumAlgorithm: PART_CHECKSUM,
  });
  const created = await ctx.request((abortSignal) => ctx.s3.send(create, { abortSignal }));
  const UploadId = created.UploadId!;
  const hash = createHash('sha256');
  const sending: Promise<CompletedPart>[] = [];
  let partFailure: unknown;
  try {
    const handle = await open(file.path, 'r');
    try {
      for (let offset = 0, number = 1; offset < file.size; offset += partSize, number++) {
        if (partFailure !== undefined) throw partFailure;
        const length = Math.min(partSize, file.size - offset);
        // The budget counts a whole part even for a shorter last one: that is the buffer it holds.
        const taken = await ctx.memory.take(partSize, ctx.signal, order);
        const block = partSize === ctx.blocks.blockBytes ? ctx.blocks.take() : Buffer.allocUnsafe(partSize);
        const release = (): void => {
          ctx.blocks.give(block);
          ctx.memory.give(taken);
        };
        let body: Buffer;
        try {
          body = await readExactly(handle, file, offset, block.subarray(0, length));
        } catch (error) {
          release();
          throw error;
        }
        hash.update(body);
        const part = sendPart(ctx, file.key, UploadId, number, body).finally(release);
        // Seen at once, so a failure is not unhandled while the loop waits for memory; it stops the loop.
        part.catch((error: unknown) => {
          partFailure ??= error;
        });
        sending.push(part);
      }
    } finally {
      await handle.close();
    }
    const parts = await Promise.all(sending);
    const complete = new CompleteMultipartUploadCommand({ Bucket: ctx.bucket, Key: file.key, UploadId, MultipartUpload: { Parts: parts } });
    const completed = await ctx.request((abortSignal) => ctx.s3.send(complete, { abortSignal }));
    return { key: file.key, size: file.size, sha256: hash.digest('hex'), etag: completed.ETag ?? '', stamp: file.stamp };
  } catch (error) {
    // A part that lands after the abort would be stored again, so the parts in flight end first.
    // Parts already sent are billed storage until aborted; abort even after Ctrl-C (no signal here).
    await Promise.allSettled(sending);
    await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: file.key, UploadId })).catch(() => undefined);
    throw error;
  }
}

async function sendPart(ctx: UploadContext, Key: string, UploadId: string, PartNumber: number, body: Buffer): Promise<CompletedPart> {
  const part = new UploadPartCommand({
    Bucket: ctx.bucket,
    Key,
    UploadId,
    PartNumber,
    Body: body,
    ContentLength: body.length,
    ChecksumAlgorithm: PART_CHECKSUM,
  });
  const response = await ctx.request((abortSignal) => ctx.s3.send(part, { abortSignal }));
  ctx.sent(Key, body.length);
  // An upload created with a checksum algorithm is completed with each part's checksum.
  return { PartNumber, ETag: response.ETag, ...(response.ChecksumCRC32 ? { ChecksumCRC32: response.ChecksumCRC32 } : {}) };
}

/**
 * Reads a whole (small) file into one buffer of its size, and hashes it. Synchronously: a file that
 * fits in one part is read in a few calls from the page cache, where each asynchronous call would
 * be a trip through libuv's thread pool. Measured on 2,000 files of 16 KiB, open, read and close
 * through fs/promises took a sixth of the CPU the whole upload used.
 */
function readWhole(file: LocalFile): { body: Buffer; digest: Buffer } {
  const fd = openSync(file.path, 'r');
  try {
    const body = Buffer.allocUnsafe(file.size);
    let filled = 0;
    while (filled < body.length) {
      const bytesRead = readSync(fd, body, filled, body.length - filled, filled);
      if (bytesRead === 0) throw fileShrunk(file);
      filled += bytesRead;
    }
    return { body, digest: createHash('sha256').update(body).digest() };
  } finally {
    closeSync(fd);
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.csv': 'text/csv',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.parquet': 'application/vnd.apache.parquet',
  '.py': 'text/x-python',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
};

function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
