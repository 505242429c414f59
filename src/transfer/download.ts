import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InterruptedError, ProvisionerError } from '../core/errors.js';
import type { Runtime } from '../core/context.js';
import { Budget } from './budget.js';
import { retryTransient } from './retry.js';
import type { TransferLimits } from './upload.js';

/** An object as a listing shows it. */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** A downloaded file: what it came from, and the SHA-256 of what was written. */
export interface FetchedFile extends RemoteObject {
  readonly sha256: string;
}

/** A copied object: what it came from, and the ETag S3 gave the copy. */
export interface CopiedObject extends RemoteObject {
  readonly copyEtag: string;
}

/** CopyObject copies at most 5 GiB; larger objects are copied in parts of this size. */
const COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 ** 2;

/**
 * Downloads objects into files, many at once within the request bound; each streams to disk (never
 * a whole object in memory), to a temporary name renamed into place when complete and verified, so
 * an interrupted download never leaves a file that looks whole.
 */
export async function downloadObjects(
  s3: S3Client,
  bucket: string,
  objects: readonly RemoteObject[],
  destination: (key: string) => string,
  limits: Pick<TransferLimits, 'requests'>,
  runtime: Runtime,
): Promise<FetchedFile[]> {
  const total = objects.reduce((sum, o) => sum + o.size, 0);
  const progress = runtime.progress.transfer('downloading', total, objects.length);
  const requests = new Budget(limits.requests, 'a request slot');
  try {
    return await settleAll(
      objects.map((object) =>
        requests.with(
          1,
          () =>
            retryTransient(async () => {
              const fetched = await fetchOne(s3, bucket, object, destination(object.key), runtime.signal, (bytes) =>
                progress.update(object.key, bytes),
              );
              progress.fileDone(object.key, object.size);
              return fetched;
            }, runtime.signal),
          runtime.signal,
        ),
      ),
      runtime.signal,
    );
  } finally {
    progress.finish();
  }
}

async function fetchOne(
  s3: S3Client,
  bucket: string,
  object: RemoteObject,
  file: string,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
): Promise<FetchedFile> {
  // IfMatch: an object replaced since it was listed fails instead of mixing two versions.
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key, IfMatch: object.etag || undefined }), { abortSignal: signal });
  if (!response.Body) throw new ProvisionerError(`s3://${bucket}/${object.key} came back without a body`);
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let written = 0;
  const tally = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sha256.update(chunk);
      md5.update(chunk);
      written += chunk.length;
      onBytes(written);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response.Body as Readable, tally, createWriteStream(partial), { signal });
    if (written !== object.size) {
      throw new ProvisionerError(`s3://${bucket}/${object.key}: got ${written} bytes, the listing said ${object.size}`);
    }
    // A single-part upload without SSE-KMS has the MD5 of its content as ETag: check the bytes by it.
    const plainMd5 = /^"?([0-9a-f]{32})"?$/.exec(object.etag)?.[1];
    if (plainMd5 && response.ServerSideEncryption !== 'aws:kms' && md5.digest('hex') !== plainMd5) {
      throw new ProvisionerError(`s3://${bucket}/${object.key}: the downloaded bytes do not match its ETag (MD5); try again`);
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    if (signal.aborted) throw new InterruptedError(`interrupted while downloading ${object.key}`);
    throw error;
  }
  return { ...object, sha256: sha256.digest('hex') };
}

/**
 * Copies objects from one bucket to another inside S3 (no bytes pass through this machine), many at
 * once within the request bound; objects over 5 GiB are copied in parts.
 */
export async function copyObjects(
  s3: S3Client,
  from: string,
  objects: readonly RemoteObject[],
  to: { readonly bucket: string; readonly key: (key: string) => string },
  limits: Pick<TransferLimits, 'requests'>,
  runtime: Runtime,
): Promise<CopiedObject[]> {
  const total = objects.reduce((sum, o) => sum + o.size, 0);
  const progress = runtime.progress.transfer('copying', total, objects.length);
  const requests = new Budget(limits.requests, 'a request slot');
  try {
    return await settleAll(
      objects.map(async (object) => {
        const copyEtag =
          object.size <= COPY_LIMIT
            ? await requests.with(1, () => copyWhole(s3, from, object, to.bucket, to.key(object.key), runtime.signal), runtime.signal)
            : await copyInParts(s3, from, object, to.bucket, to.key(object.key), requests, runtime.signal);
        progress.fileDone(object.key, object.size);
        return { ...object, copyEtag };
      }),
      runtime.signal,
    );
  } finally {
    progress.finish();
  }
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

async function copyWhole(s3: S3Client, from: string, object: RemoteObject, bucket: string, key: string, signal: AbortSignal): Promise<string> {
  const response = await retryTransient(
    () =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: copySource(from, object.key),
          ...(object.etag ? { CopySourceIfMatch: object.etag } : {}),
        }),
        { abortSignal: signal },
      ),
    signal,
  );
  return response.CopyObjectResult?.ETag ?? '';
}

async function copyInParts(
  s3: S3Client,
  from: string,
  object: RemoteObject,
  bucket: string,
  key: string,
  requests: Budget,
  signal: AbortSignal,
): Promise<string> {
  const send = <T>(call: () => Promise<T>): Promise<T> => requests.with(1, () => retryTransient(call, signal), signal);
  const { UploadId } = await send(() => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }));
  try {
    const count = Math.ceil(object.size / COPY_PART);
    const parts = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const first = index * COPY_PART;
        const last = Math.min(object.size, first + COPY_PART) - 1;
        const response = await send(() =>
          s3.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: key,
              UploadId,
              PartNumber: index + 1,
              CopySource: copySource(from, object.key),
              CopySourceRange: `bytes=${first}-${last}`,
              ...(object.etag ? { CopySourceIfMatch: object.etag } : {}),
            }),
            { abortSignal: signal },
          ),
        );
        return { PartNumber: index + 1, ETag: response.CopyPartResult?.ETag };
      }),
    );
    const done = await send(() =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal }),
    );
    return done.ETag ?? '';
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => undefined);
    throw error;
  }
}

/** Waits for every task; the first failure is thrown (or an interruption, when that is what happened). */
async function settleAll<T>(tasks: Promise<T>[], signal: AbortSignal): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    if (signal.aborted) throw new InterruptedError('interrupted; files not yet complete were not kept');
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
