import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { formatBytes } from '../core/units.js';
import { InterruptedError } from '../core/errors.js';
import type { Runtime } from '../core/context.js';
import { BlockPool } from './blocks.js';
import { Budget } from './budget.js';
import type { LocalFile } from './local-files.js';
import { FileHasher } from './file-hasher.js';
import { putInParts, putStreamed, putWhole, STREAM_CHUNK, type UploadContext, type UploadedFile } from './put-file.js';
import { retryTransient } from './retry.js';

/** How much a transfer may have going on at once. */
export interface TransferLimits {
  /** Requests to S3 in flight, across all files and parts. */
  readonly requests: number;
  /** File contents held in memory, across all files and parts. */
  readonly memoryBytes: number;
  /** Part size of a multipart upload; a file up to this size is read whole and sent in one PUT. */
  readonly partBytes: number;
  /**
   * A file larger than this is sent in parts; a file up to it (and larger than a part) in one PUT
   * streamed from disk. Below partBytes, every file larger than a part goes in parts.
   */
  readonly multipartBytes: number;
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
  /** The buffers of files streamed from disk in one PUT, and of hashing them first. */
  readonly streamBlocks = new BlockPool(STREAM_CHUNK);
  /** Files streamed in one PUT are hashed before they are sent, one at a time. */
  readonly hasher = new FileHasher(this.streamBlocks);

  constructor(readonly limits: TransferLimits) {
    this.requests = new Budget(limits.requests, 'a request slot');
    this.memory = new Budget(limits.memoryBytes, 'memory for file contents');
    this.blocks = new BlockPool(limits.partBytes);
  }

  /**
   * Starts hashing the first few of these files that will be streamed (they are hashed before they
   * are sent), in the order they will be uploaded, before the upload itself begins. A few only: the
   * command may fail before it uploads anything, and the hasher keeps ahead of the upload once the
   * upload has begun.
   */
  hashAhead(files: readonly LocalFile[], signal: AbortSignal): void {
    const streamed = files.filter((file) => isStreamed(file, this.limits)).slice(0, HASHED_AHEAD);
    this.hasher.prefetch(streamed, signal, (file) => files.indexOf(file));
  }
}

/** Files hashed before an upload begins (TransferBudgets.hashAhead): 4 of up to 64 MiB take about 0.3 s. */
const HASHED_AHEAD = 4;

/** Whether a file goes in one PUT streamed from disk: larger than a part, not past the threshold. */
function isStreamed(file: LocalFile, limits: TransferLimits): boolean {
  return file.size > limits.partBytes && file.size <= limits.multipartBytes;
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
    hasher: budgets.hasher,
    streamBlocks: budgets.streamBlocks,
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
        const done =
          file.size <= ctx.partBytes
            ? await putWhole(ctx, file, index)
            : isStreamed(file, limits)
              ? await putStreamed(ctx, file, index)
              : await putInParts(ctx, file, index);
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

/** The SHA-256 of a file, read as a stream: never the whole file in memory. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

