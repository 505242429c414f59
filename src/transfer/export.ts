import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { orUndefined } from '../aws/errors.js';
import { UsageError } from '../core/errors.js';
import { DELETE_BATCH_LIMIT } from '../aws/limits.js';
import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { copyObjects, downloadObjects, type RemoteObject } from './download.js';
import { transferLimits } from './limits.js';
import { sameJson } from '../util/json.js';
import { hashFile } from './upload.js';
import type { ExportTarget } from './export-target.js';

/** The parts of processed/ that can be exported; `delivered/` is the job's own memory of every row. */
export const EXPORT_PARTS = ['features', 'rejected', 'aggregates', 'manifests', 'reports', 'delivered'] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];
/** What the ML side reads: everything but the job's memory, which holds every raw row again. */
export const DEFAULT_EXPORT_PARTS: readonly ExportPart[] = ['features', 'rejected', 'aggregates', 'manifests', 'reports'];

/** Kept beside the exported files: which stack they came from, and what each file is. */
export const EXPORT_MANIFEST = '.provisioner-export.json';


export interface ManifestEntry {
  readonly size: number;
  /** The source object's ETag when it was exported. */
  readonly etag: string;
  /** Folder exports: the SHA-256 of the file written. */
  readonly sha256?: string;
  /** Bucket exports: the ETag S3 gave the copy. */
  readonly copyEtag?: string;
}

export interface ExportManifest {
  readonly version: 1;
  readonly stack: string;
  readonly source: string;
  readonly exportedAt: string;
  readonly parts: readonly ExportPart[];
  /** Keys relative to processed/ (and to the target). */
  readonly objects: Record<string, ManifestEntry>;
}

export interface ExportResult {
  readonly stack: string;
  readonly from: string;
  readonly to: string;
  readonly parts: readonly ExportPart[];
  /** Objects now in the export, by part. */
  readonly files: Readonly<Record<string, number>>;
  readonly transferred: number;
  readonly unchanged: number;
  /** Files of an earlier export whose source objects are gone (a rewritten partition). */
  readonly removed: number;
  readonly bytesTransferred: number;
}

export function parseExportParts(text: string | undefined): ExportPart[] {
  if (text === undefined) return [...DEFAULT_EXPORT_PARTS];
  const parts = text.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !(EXPORT_PARTS as readonly string[]).includes(p));
  if (bad !== undefined || parts.length === 0) {
    throw new UsageError(`invalid --only "${text}": ${bad === undefined ? 'no part named' : `no part "${bad}"`}; valid: a comma list of ${EXPORT_PARTS.join(', ')}`);
  }
  return [...new Set(parts as ExportPart[])];
}

/**
 * Copies the chosen parts of processed/ out of the stack's bucket: into a folder (downloaded and
 * checked), or into another bucket (copied inside S3). A second export sends only what differs.
 * Files an earlier export wrote whose source is gone are removed, so a rewritten partition never
 * leaves old part files beside the new ones.
 */
export async function exportProcessed(
  ctx: StackContext,
  target: ExportTarget,
  parts: readonly ExportPart[],
  options: { readonly force: boolean },
): Promise<ExportResult> {
  const { s3 } = ctx.aws;
  const from = s3Uri(ctx.names.bucket, PREFIX.processed);
  const to = target.kind === 'dir' ? target.dir : s3Uri(target.bucket, target.prefix);
  if (target.kind === 's3' && target.bucket === ctx.names.bucket) {
    throw new UsageError(`invalid --to "${to}": that is the stack's own bucket, which teardown deletes; valid: a folder or another bucket`);
  }
  const [source, previous] = await Promise.all([listSource(ctx, parts), readManifest(ctx, target)]);
  await refuseForeignTarget(ctx, target, previous, options.force);

  const earlier = previous?.objects ?? {};
  const current = new Map(source.map((object) => [relative(object.key), object]));
  const unchanged: Record<string, ManifestEntry> = {};
  const toFetch: RemoteObject[] = [];
  const destinationEtags = target.kind === 's3' ? await listTarget(ctx, target) : undefined;
  for (const [rel, object] of current) {
    const entry = earlier[rel];
    const same = entry !== undefined && entry.etag === object.etag && entry.size === object.size;
    if (same && (await stillThere(target, rel, entry, destinationEtags))) unchanged[rel] = entry;
    else toFetch.push(object);
  }

  const limits = transferLimits(ctx.settings);
  const fresh: Record<string, ManifestEntry> = {};
  if (target.kind === 'dir') {
    const fetched = await downloadObjects(s3, ctx.names.bucket, toFetch, (key) => path.join(target.dir, ...relative(key).split('/')), limits, ctx);
    for (const f of fetched) fresh[relative(f.key)] = { size: f.size, etag: f.etag, sha256: f.sha256 };
  } else {
    const copied = await copyObjects(s3, ctx.names.bucket, toFetch, { bucket: target.bucket, key: (key) => target.prefix + relative(key) }, limits, ctx);
    for (const c of copied) fresh[relative(c.key)] = { size: c.size, etag: c.etag, copyEtag: c.copyEtag };
  }

  // Only what this tool exported before, within the parts exported now, is ever removed.
  const gone = Object.keys(earlier).filter((rel) => !current.has(rel) && parts.includes(partOf(rel)));
  await removeGone(ctx, target, gone);

  const objects = { ...keptOutside(earlier, parts, current), ...unchanged, ...fresh };
  // Nothing changed: the manifest stays as it is (a second export then writes nothing at all).
  if (!previous || toFetch.length > 0 || gone.length > 0 || !sameJson(previous.objects, objects) || !sameJson(previous.parts, parts)) {
    const manifest: ExportManifest = { version: 1, stack: ctx.names.stack, source: from, exportedAt: new Date().toISOString(), parts, objects };
    await writeManifest(ctx, target, manifest);
  }

  const files: Record<string, number> = {};
  for (const rel of current.keys()) files[partOf(rel)] = (files[partOf(rel)] ?? 0) + 1;
  return {
    stack: ctx.names.stack,
    from,
    to,
    parts,
    files,
    transferred: toFetch.length,
    unchanged: Object.keys(unchanged).length,
    removed: gone.length,
    bytesTransferred: toFetch.reduce((sum, o) => sum + o.size, 0),
  };
}

function relative(key: string): string {
  return key.slice(PREFIX.processed.length);
}

export function partOf(rel: string): ExportPart {
  return rel.split('/', 1)[0] as ExportPart;
}

/** Entries of an earlier export in parts not exported now stay on record as they are. */
function keptOutside(earlier: Record<string, ManifestEntry>, parts: readonly ExportPart[], current: ReadonlyMap<string, unknown>): Record<string, ManifestEntry> {
  return Object.fromEntries(Object.entries(earlier).filter(([rel]) => !parts.includes(partOf(rel)) && !current.has(rel)));
}

async function listSource(ctx: StackContext, parts: readonly ExportPart[]): Promise<RemoteObject[]> {
  const objects: RemoteObject[] = [];
  for await (const page of paginateListObjectsV2({ client: ctx.aws.s3 }, { Bucket: ctx.names.bucket, Prefix: PREFIX.processed })) {
    for (const o of page.Contents ?? []) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      if (!parts.includes(partOf(relative(o.Key)))) continue;
      objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? '' });
    }
  }
  return objects;
}

async function listTarget(ctx: StackContext, target: ExportTarget & { kind: 's3' }): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for await (const page of paginateListObjectsV2({ client: ctx.aws.s3 }, { Bucket: target.bucket, Prefix: target.prefix })) {
    for (const o of page.Contents ?? []) if (o.Key) etags.set(o.Key.slice(target.prefix.length), o.ETag ?? '');
  }
  return etags;
}

/** Whether the exported copy is still what was exported: checked by SHA-256 in a folder, by ETag in a bucket. */
async function stillThere(target: ExportTarget, rel: string, entry: ManifestEntry, destinationEtags: ReadonlyMap<string, string> | undefined): Promise<boolean> {
  if (target.kind === 's3') return entry.copyEtag !== undefined && destinationEtags?.get(rel) === entry.copyEtag;
  const file = path.join(target.dir, ...rel.split('/'));
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile() || info.size !== entry.size) return false;
  return entry.sha256 !== undefined && (await hashFile(file)) === entry.sha256;
}

async function readManifest(ctx: StackContext, target: ExportTarget): Promise<ExportManifest | undefined> {
  if (target.kind === 'dir') return readFolderExport(target.dir);
  const object = await orUndefined(ctx.aws.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: target.prefix + EXPORT_MANIFEST })));
  return parseExportManifest(await object?.Body?.transformToString());
}

/** The record an export into `dir` kept beside its files, or undefined when there is none. */
export async function readFolderExport(dir: string): Promise<ExportManifest | undefined> {
  return parseExportManifest(await readFile(path.join(dir, EXPORT_MANIFEST), 'utf8').catch(() => undefined));
}

function parseExportManifest(text: string | undefined): ExportManifest | undefined {
  if (!text) return undefined;
  try {
    const manifest = JSON.parse(text) as Partial<ExportManifest>;
    return manifest.version === 1 && typeof manifest.stack === 'string' && typeof manifest.objects === 'object' ? (manifest as ExportManifest) : undefined;
  } catch {
    return undefined;
  }
}

async function writeManifest(ctx: StackContext, target: ExportTarget, manifest: ExportManifest): Promise<void> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (target.kind === 'dir') {
    await mkdir(target.dir, { recursive: true });
    await writeFile(path.join(target.dir, EXPORT_MANIFEST), text);
  }
  else await ctx.aws.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: target.prefix + EXPORT_MANIFEST, Body: text, ContentType: 'application/json' }));
}

/** An export never mixes into someone else's files: a non-empty target must be an export of this stack. */
async function refuseForeignTarget(ctx: StackContext, target: ExportTarget, previous: ExportManifest | undefined, force: boolean): Promise<void> {
  if (force || previous?.stack === ctx.names.stack) return;
  const shown = target.kind === 'dir' ? target.dir : s3Uri(target.bucket, target.prefix);
  let empty: boolean;
  if (target.kind === 'dir') {
    const entries = await readdir(target.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      if (error.code === 'ENOTDIR') throw new UsageError(`invalid --to "${shown}": it is a file; valid: a folder or s3://BUCKET/PREFIX`);
      throw error;
    });
    empty = entries.length === 0;
  } else {
    const listed = await ctx.aws.s3.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: target.prefix, MaxKeys: 1 }));
    empty = (listed.Contents ?? []).length === 0;
  }
  if (empty) return;
  const whose = previous ? `an export of stack "${previous.stack}"` : 'not an export of this stack';
  throw new UsageError(`refusing to export into ${shown}: it is not empty and ${whose}; choose an empty --to, or pass --force to write into it anyway`);
}

async function removeGone(ctx: StackContext, target: ExportTarget, gone: readonly string[]): Promise<void> {
  if (gone.length === 0) return;
  if (target.kind === 'dir') {
    await Promise.all(gone.map((rel) => rm(path.join(target.dir, ...rel.split('/')), { force: true })));
  } else {
    for (let i = 0; i < gone.length; i += DELETE_BATCH_LIMIT) {
      const Objects = gone.slice(i, i + DELETE_BATCH_LIMIT).map((rel) => ({ Key: target.prefix + rel }));
      await ctx.aws.s3.send(new DeleteObjectsCommand({ Bucket: target.bucket, Delete: { Objects, Quiet: true } }));
    }
  }
  ctx.logger.info(`removed ${gone.length} files of an earlier export whose source is gone`);
}
