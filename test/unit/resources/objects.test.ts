import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
import { scanDataDir, type LocalFile } from '../../../src/transfer/local-files.js';
import { objectsResource, type RemoteObjects } from '../../../src/resources/objects.js';
import { s3Error, s3NoSuchBucket } from '../support/errors.js';
import { driftLabels, mockedStack, mutatingCommands, sentCommands, type MockedStack } from '../support/stack.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let dir: string;
let t: MockedStack;

async function localFiles(files: Record<string, string>, prefix = 'raw/'): Promise<LocalFile[]> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return scanDataDir(dir, prefix);
}

/** Mocks the listing and heads of what is in the bucket now: key to [content, checksum metadata]. */
function remote(objects: Record<string, { content: string; sha256?: string | undefined }>): void {
  const entries = Object.entries(objects);
  t.s3.on(ListObjectsV2Command).resolves({
    Contents: entries.map(([Key, o]) => ({ Key, Size: Buffer.byteLength(o.content) })),
    IsTruncated: false,
  });
  t.s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const found = objects[input.Key];
    if (!found) throw s3Error('NotFound', 404);
    return { ContentLength: Buffer.byteLength(found.content), Metadata: found.sha256 ? { sha256: found.sha256 } : {} };
  });
}

function putInputs(): PutObjectCommandInput[] {
  return t.s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

function bodyText(input: PutObjectCommandInput): string {
  const body = input.Body;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  throw new Error(`unexpected body type ${typeof body}`);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'objects-test-'));
  t = mockedStack({ raw: { bucket: 'data-bucket' } });
  t.s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
  t.s3.on(DeleteObjectsCommand).resolves({});
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('objectsResource.find', () => {
  it('is undefined when the bucket does not exist yet', async () => {
    const files = await localFiles({ 'a.csv': 'x' });
    t.s3.on(ListObjectsV2Command).rejects(s3NoSuchBucket());
    await expect(objectsResource(t.ctx, 'raw/', files).find()).resolves.toBeUndefined();
  });

  it('is undefined when nothing is under the prefix yet, so a plan shows a create', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    remote({});
    await expect(objectsResource(t.ctx, 'raw/', files).find()).resolves.toBeUndefined();
  });

  it('reads checksums only of objects whose size matches a local file; objects carry no tags of their own', async () => {
    const files = await localFiles({ 'same.csv': 'abc', 'resized.csv': 'abcdef', 'new.csv': 'n' });
    remote({ 'raw/same.csv': { content: 'xyz', sha256: 'old' }, 'raw/resized.csv': { content: 'ab' }, 'raw/stray.csv': { content: 's' } });
    const found = await objectsResource(t.ctx, 'raw/', files).find();
    expect(t.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'data-bucket', Key: 'raw/same.csv' }]);
    expect(found?.tags).toEqual({});
    expect(found?.state).toEqual(
      new Map([
        ['raw/same.csv', { size: 3, sha256: 'old' }],
        ['raw/resized.csv', { size: 2, sha256: undefined }],
        ['raw/stray.csv', { size: 1, sha256: undefined }],
      ]),
    );
    expect(t.s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({ Bucket: 'data-bucket', Prefix: 'raw/' });
  });

  it('follows the listing across pages', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.s3
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'raw/x', Size: 5 }], IsTruncated: true, NextContinuationToken: 'page-2' })
      .resolvesOnce({ Contents: [{ Key: 'raw/y', Size: 6 }], IsTruncated: false });
    const state = (await objectsResource(t.ctx, 'raw/', files).find())?.state;
    expect([...state!.keys()]).toEqual(['raw/x', 'raw/y']);
    expect(t.s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input.ContinuationToken).toBe('page-2');
  });

  it('is owned through the bucket: it neither tags nor deletes itself, so status and teardown leave it out', async () => {
    const resource = objectsResource(t.ctx, 'raw/', await localFiles({ 'a.csv': 'a' }));
    expect(resource.addTags).toBeUndefined();
    expect(resource.destroy).toBeUndefined();
  });

  it('fails on errors other than a missing bucket', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.s3.on(ListObjectsV2Command).rejects(s3Error('AccessDenied', 403));
    await expect(objectsResource(t.ctx, 'raw/', files).find()).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('objectsResource drift and update', () => {
  it('sends nothing for files with the same size and sha256 metadata', async () => {
    const files = await localFiles({ 'flights/year=2001/month=01/part.csv.gz': 'january', 'airports/airports.csv': 'iata,name' });
    remote({
      'raw/flights/year=2001/month=01/part.csv.gz': { content: 'january', sha256: sha256('january') },
      'raw/airports/airports.csv': { content: 'iata,name', sha256: sha256('iata,name') },
    });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())?.state;
    expect(resource.drift(state!)).toEqual([]);
  });

  it('re-sends a file whose content changed at the same size, and only that file', async () => {
    const files = await localFiles({ 'a.csv': 'new!', 'b.csv': 'same' });
    remote({ 'raw/a.csv': { content: 'old!', sha256: sha256('old!') }, 'raw/b.csv': { content: 'same', sha256: sha256('same') } });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())?.state;
    const drift = resource.drift(state!);
    expect(drift).toEqual(['upload raw/a.csv']);
    expect(driftLabels(resource, state!)).toEqual(['upload raw/a.csv']);
    await resource.update(state!, drift);
    expect(putInputs()).toHaveLength(1);
    const put = putInputs()[0]!;
    expect(put).toMatchObject({ Bucket: 'data-bucket', Key: 'raw/a.csv', ContentType: 'text/csv', Metadata: { sha256: sha256('new!') } });
    expect(bodyText(put)).toBe('new!');
  });

  it('re-sends a file whose size changed, and one without checksum metadata', async () => {
    const files = await localFiles({ 'grown.csv': 'longer now', 'foreign.csv': 'same' });
    remote({ 'raw/grown.csv': { content: 'short', sha256: sha256('short') }, 'raw/foreign.csv': { content: 'same' } });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())?.state;
    expect(resource.drift(state!).sort()).toEqual(['upload raw/foreign.csv', 'upload raw/grown.csv']);
  });

  it('uploads every file on create, with its sha256 as metadata', async () => {
    const files = await localFiles({ 'job.py': 'print(1)\n', 'features.py': 'def f(): pass\n' }, 'scripts/');
    const resource = objectsResource(t.ctx, 'scripts/', files);
    expect(resource.createDetails!()).toEqual(['upload 2 files (23 B)']);
    await resource.create();
    const puts = putInputs().sort((a, b) => String(a.Key).localeCompare(String(b.Key)));
    expect(puts.map((p) => [p.Key, p.Metadata, p.ContentType, bodyText(p)])).toEqual([
      ['scripts/features.py', { sha256: sha256('def f(): pass\n') }, 'text/x-python', 'def f(): pass\n'],
      ['scripts/job.py', { sha256: sha256('print(1)\n') }, 'text/x-python', 'print(1)\n'],
    ]);
    expect(mutatingCommands(t)).toEqual(['PutObjectCommand', 'PutObjectCommand']);
  });

  it('with --prune deletes objects gone locally, in batches of at most 1,000', async () => {
    t = mockedStack({ raw: { bucket: 'data-bucket', prune: true } });
    t.s3.on(PutObjectCommand).resolves({});
    t.s3.on(DeleteObjectsCommand).resolves({});
    const files = await localFiles({ 'keep.csv': 'k' });
    const stale = Array.from({ length: 2_345 }, (_, i) => `raw/old/${String(i).padStart(4, '0')}.csv`);
    const state: RemoteObjects = new Map([['raw/keep.csv', { size: 1, sha256: sha256('k') }]]);
    for (const key of stale) state.set(key, { size: 9, sha256: undefined });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const drift = resource.drift(state);
    expect(drift).toHaveLength(2_345);
    expect(drift.every((d) => d.startsWith('delete raw/old/'))).toBe(true);
    await resource.update(state, drift);

    const batches = t.s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Delete?.Objects?.length)).toEqual([1000, 1000, 345]);
    for (const batch of batches) expect(batch).toMatchObject({ Bucket: 'data-bucket', Delete: { Quiet: true } });
    const deleted = batches.flatMap((b) => (b.Delete?.Objects ?? []).map((o) => o.Key));
    expect(deleted.sort()).toEqual(stale);
    expect(deleted).not.toContain('raw/keep.csv');
    expect(t.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('without --prune leaves objects gone locally alone', async () => {
    const files = await localFiles({ 'keep.csv': 'k' });
    const state: RemoteObjects = new Map([
      ['raw/keep.csv', { size: 1, sha256: sha256('k') }],
      ['raw/old.csv', { size: 3, sha256: undefined }],
    ]);
    const resource = objectsResource(t.ctx, 'raw/', files);
    expect(resource.drift(state)).toEqual([]);
    await resource.update(state, []);
    expect(sentCommands(t)).toEqual([]);
  });

  it('passes on an upload failure', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    await expect(objectsResource(t.ctx, 'raw/', files).create()).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('uploads nothing once interrupted', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.controller.abort();
    await expect(objectsResource(t.ctx, 'raw/', files).create()).rejects.toBeInstanceOf(InterruptedError);
    expect(t.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
