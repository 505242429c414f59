import { DeleteObjectsCommand, HeadObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { isNotFound } from '../aws/errors.js';
import type { StackContext } from '../stack/context.js';
import type { LocalFile } from '../transfer/local-files.js';
import { CHECKSUM_METADATA, uploadAll } from '../transfer/upload.js';
import { formatBytes } from '../cli/progress.js';
import { DELETE_BATCH_LIMIT } from './bucket-contents.js';
import type { ResourceDefinition } from './resource.js';

/** What is under the prefix now: key to size and, where we wrote it, content checksum. */
export type RemoteObjects = Map<string, { size: number; sha256: string | undefined }>;

/**
 * The files of one local directory mirrored under one key prefix. Drift is the list of files to
 * send (new or changed) and, with --prune, the keys to delete.
 */
/** A file to send or, with --prune, an object to delete: the key says which, and is its own label. */
type ObjectsKey = `upload ${string}` | `delete ${string}`;

export function objectsResource(ctx: StackContext, prefix: string, files: readonly LocalFile[]): ResourceDefinition<RemoteObjects, ObjectsKey> {
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

    label: (key) => key,

    async find() {
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
      // Objects carry no tags of their own: they are the stack's because the bucket is.
      return { state: remote, tags: {} };
    },

    drift(remote) {
      return [...toSend(remote).map((f) => `upload ${f.key}` as const), ...toPrune(remote).map((key) => `delete ${key}` as const)];
    },

    createDetails() {
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      return [`upload ${files.length} files (${formatBytes(bytes)})`];
    },

    async create() {
      await uploadAll(ctx.aws.s3, Bucket, toSend(undefined), ctx);
    },

    async update(remote) {
      await uploadAll(ctx.aws.s3, Bucket, toSend(remote), ctx);
      const prune = toPrune(remote);
      for (let i = 0; i < prune.length; i += DELETE_BATCH_LIMIT) {
        const Objects = prune.slice(i, i + DELETE_BATCH_LIMIT).map((Key) => ({ Key }));
        await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      }
      if (prune.length > 0) ctx.logger.info(`pruned ${prune.length} objects no longer present locally`);
    },
  };
}
