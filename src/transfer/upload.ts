import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
import { formatBytes } from '../cli/progress.js';
import { InterruptedError, ProvisionerError } from '../errors.js';
import type { Runtime } from '../stack/context.js';
import { BlockPool } from './blocks.js';
import { Budget } from './budget.js';
import type { LocalFile } from './local-files.js';
import { retryTransient } from './retry.js';

/** User metadata holding the SHA-256 of the content, so an object can be checked without its bytes. */
export const CHECKSUM_METADATA = 'sha256';

/** The checksum each part of a multipart upload carries, and the whole object's is composed of. */
const PART_CHECKSUM = 'CRC32';

/** S3's smallest part (but the last) and its most parts per object. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** How much a transfer may have going on at once. */
export interface TransferLimits {
  /** Requests to S3 in flight, across all files and parts. */
  readonly requests: number;
  /** File contents held in memory, across all files and parts. */
  readonly memoryBytes: number;
  /** Part size of a multipart upload; a file up to this size goes in one PUT. */
  readonly partBytes: number;
}

/**
 * The bounds of a command's transfers, shared by all of them: uploads that run at the same time (the
 * job's scripts and the data) take requests and memory from the same allowances.
 */
export class TransferBudgets {
  readonly requests: Budget;
  readonly memory: Budget;
  /** The buffers of parts of the usual size (parts of very large files are larger, and allocated). */
  readonly blocks: BlockPool;

  constructor(readonly limits: TransferLimits) {
    this.requests = new Budget(limits.requests, 'a request slot');
    this.memory = new Budget(limits.memoryBytes, 'memory for file contents');
    this.blocks = new BlockPool(limits.partBytes);
  }
}

/** What S3 holds after an upload: enough to recognise the object later from a listing. */
export interface UploadedFile {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly etag: string;
  /** The local file's stamp when it was scanned (LocalFile.stamp). */
  readonly stamp?: string | undefined;
}

interface UploadContext {
  readonly s3: S3Client;
  /** Sends one request within the bound on requests in flight, retried on its own when it fails for a passing reason. */
  request<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  readonly bucket: string;
  readonly memory: Budget;
  /** The buffers of parts of the usual size (parts of very large files are larger, and allocated). */
  readonly blocks: BlockPool;
  readonly partBytes: number;
  readonly signal: AbortSignal;
  readonly sent: (key: string, bytes: number) => void;
}

/**
 * Sends files with many requests in flight across files and parts, within one bound on requests
 * and one on bytes held in memory, whatever the number and size of the files. A failed request is
 * retried on its own (a part, not the file; a file, not the batch). Ctrl-C aborts the multipart
 * uploads still open. Returns what was sent, in the order given; `onUploaded` hears of each file
 * as soon as S3 holds it.
 */
export async function uploadFiles(
  s3: S3Client,
  bucket: string,
  files: readonly LocalFile[],
  budgets: TransferBudgets,
  runtime: Runtime,
  onUploaded?: (file: UploadedFile) => void,
): Promise<UploadedFile[]> {
  const { limits, requests } = budgets;
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const progress = runtime.progress.transfer('uploading', total, files.length);
  const sentPerFile = new Map<string, number>();
  const ctx: UploadContext = {
    s3,
    request: (send) => retryTransient(() => requests.with(1, () => send(runtime.signal), runtime.signal), runtime.signal),
    bucket,
    memory: budgets.memory,
    blocks: budgets.blocks,
    partBytes: limits.partBytes,
    signal: runtime.signal,
    sent: (key, bytes) => {
      const soFar = (sentPerFile.get(key) ?? 0) + bytes;
      sentPerFile.set(key, soFar);
      progress.update(key, soFar);
    },
  };
  const uploaded: UploadedFile[] = new Array<UploadedFile>(files.length);
  let next = 0;
  let failure: unknown;
  // As many files at once as requests may be in flight: enough to keep every slot busy. Each
  // worker takes the next file when its last is sent; the first failure stops files not started.
  const worker = async (): Promise<void> => {
    while (failure === undefined && !runtime.signal.aborted && next < files.length) {
      const index = next++;
      const file = files[index]!;
      try {
        const done = file.size <= ctx.partBytes ? await putWhole(ctx, file, index) : await putInParts(ctx, file, index);
        uploaded[index] = done;
        sentPerFile.delete(file.key);
        progress.fileDone(file.key, file.size);
        runtime.logger.debug(`uploaded ${file.key} (${formatBytes(file.size)})`);
        onUploaded?.(done);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limits.requests, files.length) }, worker));
    if (runtime.signal.aborted) throw new InterruptedError('interrupted while uploading; open multipart uploads were aborted');
    if (failure !== undefined) throw failure;
    if (files.length > 0) runtime.logger.info(`uploaded ${files.length} files (${formatBytes(total)})`);
    return uploaded;
  } finally {
    progress.finish();
  }
}

/**
 * A file that fits in one part: read once (hashing as it reads), sent in one PUT. `order` is its
 * place in the upload: memory goes to files in that order (see putInParts).
 */
async function putWhole(ctx: UploadContext, file: LocalFile, order: number): Promise<UploadedFile> {
  return ctx.memory.with(
    file.size,
    async () => {
      const { body, sha256 } = readWhole(file);
      const put = new PutObjectCommand({
        Bucket: ctx.bucket,
        Key: file.key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType(file.path),
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
async function putInParts(ctx: UploadContext, file: LocalFile, order: number): Promise<UploadedFile> {
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
function readWhole(file: LocalFile): { body: Buffer; sha256: string } {
  const fd = openSync(file.path, 'r');
  try {
    const body = Buffer.allocUnsafe(file.size);
    let filled = 0;
    while (filled < body.length) {
      const bytesRead = readSync(fd, body, filled, body.length - filled, filled);
      if (bytesRead === 0) throw shrunk(file);
      filled += bytesRead;
    }
    return { body, sha256: createHash('sha256').update(body).digest('hex') };
  } finally {
    closeSync(fd);
  }
}

function shrunk(file: LocalFile): ProvisionerError {
  return new ProvisionerError(`${file.path} changed while it was being sent (it is now shorter); run up again`, 'user');
}

/** Fills `buffer` from `position`; a file that has shrunk since it was scanned is an error. */
async function readExactly(handle: FileHandle, file: LocalFile, position: number, buffer: Buffer): Promise<Buffer> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw shrunk(file);
    filled += bytesRead;
  }
  return buffer;
}

/** The SHA-256 of a file, read as a stream: never the whole file in memory. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
