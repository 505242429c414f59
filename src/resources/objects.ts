import { createReadStream } from 'node:fs';
import path from 'node:path';
import { DeleteObjectsCommand, HeadObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isNotFound } from '../aws/errors.js';
import type { StackContext } from '../stack/context.js';
import { InterruptedError } from '../errors.js';
import type { LocalFile } from '../transfer/local-files.js';
import { formatBytes } from '../cli/progress.js';
import { DELETE_BATCH_LIMIT } from './bucket-contents.js';
import type { Resource } from './resource.js';

/** User metadata holding the SHA-256 of the content, so unchanged files are not sent again. */
export const CHECKSUM_METADATA = 'sha256';

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PARTS_IN_FLIGHT = 4;

/** What is under the prefix now: key to size and, where we wrote it, content checksum. */
export type RemoteObjects = Map<string, { size: number; sha256: string | undefined }>;

/**
 * The files of one local directory mirrored under one key prefix. Drift is the list of files to
 * send (new or changed) and, with --prune, the keys to delete.
 */
export function objectsResource(ctx: StackContext, prefix: string, files: readonly LocalFile[]): Resource<RemoteObjects> {
  const { s3 } = ctx.aws;
  const Bucket = ctx.names.bucket;
  const localKeys = new Set(files.map((f) => f.key));

  const toSend = (remote: RemoteObjects | undefined): LocalFile[] =>
    files.filter((file) => {
      const existing = remote?.get(file.key);
      return existing === undefined || existing.size !== file.size || existing.sha256 !== file.sha256;
    });
  const toPrune = (remote: RemoteObjects): string[] =>
    ctx.settings.prune ? [...remote.keys()].filter((key) => !localKeys.has(key)) : [];

  return {
    kind: 'objects',
    name: `s3://${Bucket}/${prefix}`,

    async describe() {
      const remote: RemoteObjects = new Map();
      try {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket, Prefix: prefix })) {
          for (const object of page.Contents ?? []) {
            if (object.Key) remote.set(object.Key, { size: object.Size ?? 0, sha256: undefined });
          }
        }
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      // Nothing under the prefix yet (a new bucket): a create, not an update.
      if (remote.size === 0) return undefined;
      // Only a same-size object can be unchanged; read its checksum to be sure.
      const sameSize = files.filter((file) => remote.get(file.key)?.size === file.size);
      await Promise.all(
        sameSize.map(async (file) => {
          const head = await s3.send(new HeadObjectCommand({ Bucket, Key: file.key }));
          remote.set(file.key, { size: file.size, sha256: head.Metadata?.[CHECKSUM_METADATA] });
        }),
      );
      return remote;
    },

    drift(remote) {
      return [...toSend(remote).map((f) => `upload ${f.key}`), ...toPrune(remote).map((key) => `delete ${key}`)];
    },

    createDetails() {
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      return [`upload ${files.length} files (${formatBytes(bytes)})`];
    },

    async create() {
      await uploadAll(ctx, toSend(undefined));
    },

    async update(remote) {
      await uploadAll(ctx, toSend(remote));
      const prune = toPrune(remote);
      for (let i = 0; i < prune.length; i += DELETE_BATCH_LIMIT) {
        const Objects = prune.slice(i, i + DELETE_BATCH_LIMIT).map((Key) => ({ Key }));
        await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      }
      if (prune.length > 0) ctx.logger.info(`pruned ${prune.length} objects no longer present locally`);
    },
  };
}

async function uploadAll(ctx: StackContext, files: readonly LocalFile[]): Promise<void> {
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const progress = ctx.progress.transfer('uploading', total, files.length);
  try {
    for (const file of files) {
      await uploadOne(ctx, file, (loaded) => progress.update(file.key, loaded));
      progress.fileDone(file.key, file.size);
      ctx.logger.debug(`uploaded ${file.key} (${formatBytes(file.size)})`);
    }
  } finally {
    progress.finish();
  }
  if (files.length > 0) ctx.logger.info(`uploaded ${files.length} files (${formatBytes(total)})`);
}

async function uploadOne(ctx: StackContext, file: LocalFile, onProgress: (loaded: number) => void): Promise<void> {
  if (ctx.signal.aborted) throw new InterruptedError('interrupted before uploading ' + file.key);
  const upload = new Upload({
    client: ctx.aws.s3,
    queueSize: PARTS_IN_FLIGHT,
    // Parts must be at least 5 MiB and at most 10,000 per object: grow parts for huge files.
    partSize: Math.max(MIN_PART_SIZE, Math.ceil(file.size / MAX_PARTS)),
    leavePartsOnError: false,
    params: {
      Bucket: ctx.names.bucket,
      Key: file.key,
      Body: createReadStream(file.path),
      ContentType: contentType(file.path),
      Metadata: { [CHECKSUM_METADATA]: file.sha256 },
    },
  });
  upload.on('httpUploadProgress', (event) => onProgress(event.loaded ?? 0));
  const abort = (): void => void upload.abort();
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } catch (error) {
    if (ctx.signal.aborted) throw new InterruptedError(`interrupted while uploading ${file.key}; the partial upload was aborted`);
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', abort);
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
