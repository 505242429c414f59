import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
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
import { Budget } from './budget.js';
import type { LocalFile } from './local-files.js';
import { retryTransient } from './retry.js';

/** User metadata holding the SHA-256 of the content, so an object can be checked without its bytes. */
export const CHECKSUM_METADATA = 'sha256';

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

/** What S3 holds after an upload: enough to recognise the object later from a listing. */
export interface UploadedFile {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  readonly etag: string;
}

interface UploadContext {
  readonly s3: S3Client;
  /** Sends one request within the bound on requests in flight, retried on its own when it fails for a passing reason. */
  request<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  readonly bucket: string;
  readonly memory: Budget;
  readonly partBytes: number;
  readonly signal: AbortSignal;
  readonly sent: (key: string, bytes: number) => void;
}

/**
 * Sends files with many requests in flight across files and parts, within one bound on requests
 * and one on bytes held in memory, whatever the number and size of the files. A failed request is
 * retried on its own (a part, not the file; a file, not the batch). Ctrl-C aborts the multipart
 * uploads still open. Returns what was sent, in the order given.
 */
export async function uploadFiles(
  s3: S3Client,
  bucket: string,
  files: readonly LocalFile[],
  limits: TransferLimits,
  runtime: Runtime,
): Promise<UploadedFile[]> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const progress = runtime.progress.transfer('uploading', total, files.length);
  const sentPerFile = new Map<string, number>();
  const requests = new Budget(limits.requests, 'a request slot');
  const ctx: UploadContext = {
    s3,
    request: (send) => retryTransient(() => requests.with(1, () => send(runtime.signal), runtime.signal), runtime.signal),
    bucket,
    memory: new Budget(limits.memoryBytes, 'memory for file contents'),
    partBytes: limits.partBytes,
    signal: runtime.signal,
    sent: (key, bytes) => {
      const soFar = (sentPerFile.get(key) ?? 0) + bytes;
      sentPerFile.set(key, soFar);
      progress.update(key, soFar);
    },
  };
  // At most as many files open as requests may be in flight: enough to keep every slot busy.
  const fileSlots = new Budget(limits.requests, 'a file slot');
  let failure: unknown;
  const uploads = files.map((file) =>
    fileSlots.with(
      1,
      async () => {
        if (failure !== undefined) throw failure;
        try {
          const uploaded = file.size <= ctx.partBytes ? await putWhole(ctx, file) : await putInParts(ctx, file);
          sentPerFile.delete(file.key);
          progress.fileDone(file.key, file.size);
          runtime.logger.debug(`uploaded ${file.key} (${formatBytes(file.size)})`);
          return uploaded;
        } catch (error) {
          // The first failure stops files that have not started; those in flight finish or fail.
          failure ??= error;
          throw error;
        }
      },
      runtime.signal,
    ),
  );
  try {
    const settled = await Promise.allSettled(uploads);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) {
      if (runtime.signal.aborted) throw new InterruptedError('interrupted while uploading; open multipart uploads were aborted');
      throw failure ?? rejected.reason;
    }
    if (files.length > 0) runtime.logger.info(`uploaded ${files.length} files (${formatBytes(total)})`);
    return settled.map((s) => (s as PromiseFulfilledResult<UploadedFile>).value);
  } finally {
    progress.finish();
  }
}

/** A file that fits in one part: read once (hashing as it reads), sent in one PUT. */
async function putWhole(ctx: UploadContext, file: LocalFile): Promise<UploadedFile> {
  return ctx.memory.with(
    file.size,
    async () => {
      const { body, sha256 } = await readWhole(file);
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
      return { key: file.key, size: file.size, sha256, etag: response.ETag ?? '' };
    },
    ctx.signal,
  );
}

/**
 * A large file: hashed in a streaming pass (S3 takes the metadata when the upload starts), then
 * sent part by part, each part read from disk only once memory is free for it.
 */
async function putInParts(ctx: UploadContext, file: LocalFile): Promise<UploadedFile> {
  const sha256 = await hashFile(file.path);
  const partSize = Math.max(ctx.partBytes, MIN_PART_SIZE, Math.ceil(file.size / MAX_PARTS));
  const create = new CreateMultipartUploadCommand({
    Bucket: ctx.bucket,
    Key: file.key,
    ContentType: contentType(file.path),
    Metadata: { [CHECKSUM_METADATA]: sha256 },
  });
  const created = await ctx.request((abortSignal) => ctx.s3.send(create, { abortSignal }));
  const UploadId = created.UploadId!;
  try {
    const handle = await open(file.path, 'r');
    let parts: CompletedPart[];
    try {
      const count = Math.max(1, Math.ceil(file.size / partSize));
      parts = await Promise.all(
        Array.from({ length: count }, (_, index) => {
          const offset = index * partSize;
          const length = Math.min(partSize, file.size - offset);
          return ctx.memory.with(
            length,
            async () => {
              const body = await readExactly(handle, file, offset, length);
              const part = new UploadPartCommand({ Bucket: ctx.bucket, Key: file.key, UploadId, PartNumber: index + 1, Body: body, ContentLength: length });
              const response = await ctx.request((abortSignal) => ctx.s3.send(part, { abortSignal }));
              ctx.sent(file.key, length);
              return { PartNumber: index + 1, ETag: response.ETag };
            },
            ctx.signal,
          );
        }),
      );
    } finally {
      await handle.close();
    }
    const complete = new CompleteMultipartUploadCommand({ Bucket: ctx.bucket, Key: file.key, UploadId, MultipartUpload: { Parts: parts } });
    const completed = await ctx.request((abortSignal) => ctx.s3.send(complete, { abortSignal }));
    return { key: file.key, size: file.size, sha256, etag: completed.ETag ?? '' };
  } catch (error) {
    // Parts already sent are billed storage until aborted; abort even after Ctrl-C (no signal here).
    await ctx.s3.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: file.key, UploadId })).catch(() => undefined);
    throw error;
  }
}

/** Reads a whole (small) file into one buffer of its size, and hashes it. */
async function readWhole(file: LocalFile): Promise<{ body: Buffer; sha256: string }> {
  const handle = await open(file.path, 'r');
  try {
    const body = await readExactly(handle, file, 0, file.size);
    return { body, sha256: createHash('sha256').update(body).digest('hex') };
  } finally {
    await handle.close();
  }
}

/** Reads `length` bytes at `position`; a file that has shrunk since it was scanned is an error. */
async function readExactly(handle: FileHandle, file: LocalFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new ProvisionerError(`${file.path} changed while it was being sent (it is now shorter); run up again`, 'user');
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
