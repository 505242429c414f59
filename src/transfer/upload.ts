import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { formatBytes } from '../cli/progress.js';
import { InterruptedError } from '../errors.js';
import type { Runtime } from '../stack/context.js';
import type { LocalFile } from './local-files.js';

/** User metadata holding the SHA-256 of the content, so unchanged files are not sent again. */
export const CHECKSUM_METADATA = 'sha256';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PARTS_IN_FLIGHT = 4;

/** Sends files one after another, showing progress; Ctrl-C aborts the open upload. */
export async function uploadAll(s3: S3Client, bucket: string, files: readonly LocalFile[], runtime: Runtime): Promise<void> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const progress = runtime.progress.transfer('uploading', total, files.length);
  try {
    for (const file of files) {
      await uploadOne(s3, bucket, runtime, file, (loaded) => progress.update(file.key, loaded));
      progress.fileDone(file.key, file.size);
      runtime.logger.debug(`uploaded ${file.key} (${formatBytes(file.size)})`);
    }
  } finally {
    progress.finish();
  }
  if (files.length > 0) runtime.logger.info(`uploaded ${files.length} files (${formatBytes(total)})`);
}

async function uploadOne(s3: S3Client, bucket: string, runtime: Runtime, file: LocalFile, onProgress: (loaded: number) => void): Promise<void> {
  if (runtime.signal.aborted) throw new InterruptedError('interrupted before uploading ' + file.key);
  const upload = new Upload({
    client: s3,
    queueSize: PARTS_IN_FLIGHT,
    // Parts must be at least 5 MiB and at most 10,000 per object: grow parts for huge files.
    partSize: Math.max(MIN_PART_SIZE, Math.ceil(file.size / MAX_PARTS)),
    leavePartsOnError: false,
    params: {
      Bucket: bucket,
      Key: file.key,
      Body: createReadStream(file.path),
      ContentType: contentType(file.path),
      Metadata: { [CHECKSUM_METADATA]: file.sha256 },
    },
  });
  upload.on('httpUploadProgress', (event) => onProgress(event.loaded ?? 0));
  const abort = (): void => void upload.abort();
  runtime.signal.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } catch (error) {
    if (runtime.signal.aborted) throw new InterruptedError(`interrupted while uploading ${file.key}; the partial upload was aborted`);
    throw error;
  } finally {
    runtime.signal.removeEventListener('abort', abort);
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
