import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/core/errors.js';
import { scanDataDir, type LocalFile } from '../../../src/transfer/local-files.js';
import { objectsResource } from '../../../src/resources/objects.js';
import { recordKey } from '../../../src/transfer/sent-record.js';
import { s3Error, s3NoSuchBucket } from '../support/errors.js';
import { driftLabels, mockedStack, mutatingCommands, sentCommands, type MockedStack } from '../support/stack.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

let dir: string;
let t: MockedStack;

async function localFiles(files: Record<string, string>, prefix = 'raw/'): Promise<LocalFile[]> {
  await writeLocal(files);
  return scanDataDir(dir, prefix);
}

async function writeLocal(files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** The files as a scan a minute from now sees them: settled, so stamped. */
const settledFiles = (prefix = 'raw/'): Promise<LocalFile[]> => scanDataDir(dir, prefix, { now: () => Date.now() + 60_000 });

/** The ETag the mocked bucket gives an object: any stable value will do (under SSE-KMS it is no MD5). */
const etagOf = (content: string): string => `"${sha256(`etag:${content}`).slice(0, 32)}"`;

/** Mocks the listing and heads of what is in the bucket now: key to [content, checksum metadata]. */
function remote(objects: Record<string, { content: string; sha256?: string | undefined }>): void {
  const entries = Object.entries(objects);
  t.s3.on(ListObjectsV2Command).resolves({
    Contents: entries.map(([Key, o]) => ({ Key, Size: Buffer.byteLength(o.content), ETag: etagOf(o.content) })),
    IsTruncated: false,
  });
  t.s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const found = objects[input.Key];
    if (!found) throw s3Error('NotFound', 404);
    return { ContentLength: Buffer.byteLength(found.content), Metadata: found.sha256 ? { sha256: found.sha256 } : {} };
  });
}

/** Mocks the record of sent files under raw/: key to the content that was sent (and the file's stamp then). */
function record(sent: Record<string, string>, prefix = 'raw/', stamps: Record<string, string | undefined> = {}): void {
  const objects = Object.fromEntries(
    Object.entries(sent).map(([key, content]) => [key, { size: Buffer.byteLength(content), etag: etagOf(content), sha256: sha256(content), stamp: stamps[key] }]),
  );
  const body = JSON.stringify({ version: 1, objects });
  t.s3.on(GetObjectCommand, { Key: recordKey(prefix) }).callsFake(() => ({ Body: { transformToString: async () => body } }));
}

/** Data uploads only: the record of sent files is checked on its own. */
function putInputs(): PutObjectCommandInput[] {
  return t.s3
    .commandCalls(PutObjectCommand)
    .map((call) => call.args[0].input)
    .filter((input) => !String(input.Key).startsWith('.provisioner/'));
}

/** The record written last, as key to { size, etag, sha256 }. */
function writtenRecord(): Record<string, { size: number; etag: string; sha256: string }> | undefined {
  const put = t.s3
    .commandCalls(PutObjectCommand)
    .map((call) => call.args[0].input)
    .filter((input) => String(input.Key).startsWith('.provisioner/'))
    .at(-1);
  return put ? (JSON.parse(bodyText(put)) as { objects: Record<string, { size: number; etag: string; sha256: string }> }).objects : undefined;
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
  t.s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => ({ ETag: etagOf(bodyText(input)) }));
  t.s3.on(DeleteObjectsCommand).resolves({});
  t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
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
    expect(found?.state.toSend.map((f) => f.key).sort()).toEqual(['raw/new.csv', 'raw/resized.csv', 'raw/same.csv']);
    expect(found?.state.unchanged).toEqual(new Map());
    expect(t.s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({ Bucket: 'data-bucket', Prefix: 'raw/' });
    expect(t.s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'data-bucket', Key: '.provisioner/sent/raw.json' });
  });

  it('decides from the listing and the record alone: no request per file when the record matches', async () => {
    const contents = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.csv`, `row ${i}`]));
    const files = await localFiles(contents);
    remote(Object.fromEntries(Object.entries(contents).map(([name, content]) => [`raw/${name}`, { content, sha256: sha256(content) }])));
    record(Object.fromEntries(Object.entries(contents).map(([name, content]) => [`raw/${name}`, content])));
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual([]);
    expect(t.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(sentCommands(t).sort()).toEqual(['GetObjectCommand', 'ListMultipartUploadsCommand', 'ListObjectsV2Command']);
  });

  it('checks the object itself when its ETag is not the recorded one (another writer, or an interrupted up)', async () => {
    const files = await localFiles({ 'a.csv': 'same', 'b.csv': 'also' });
    remote({ 'raw/a.csv': { content: 'same', sha256: sha256('same') }, 'raw/b.csv': { content: 'also', sha256: sha256('also') } });
    record({ 'raw/a.csv': 'same', 'raw/b.csv': 'othr' });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
    expect(t.s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['raw/b.csv']);
    // Both unchanged; the record is stale for b.csv, so up brings it up to date and sends no data.
    expect(resource.drift(state)).toEqual(['record']);
    expect(driftLabels(resource, state)).toEqual(['record of sent files']);
    await resource.update(state, ['record']);
    expect(putInputs()).toEqual([]);
    expect(writtenRecord()).toEqual({
      'raw/a.csv': { size: 4, etag: etagOf('same'), sha256: sha256('same') },
      'raw/b.csv': { size: 4, etag: etagOf('also'), sha256: sha256('also') },
    });
  });

  it('re-sends a recorded file whose local content changed at the same size', async () => {
    const files = await localFiles({ 'a.csv': 'new!' });
    remote({ 'raw/a.csv': { content: 'old!', sha256: sha256('old!') } });
    record({ 'raw/a.csv': 'old!' });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual(['upload raw/a.csv']);
    expect(t.s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('does not read a recorded file again while its stamp is the recorded one', async () => {
    await writeLocal({ 'a.csv': 'sent' });
    const [file] = await settledFiles();
    remote({ 'raw/a.csv': { content: 'sent', sha256: sha256('sent') } });
    record({ 'raw/a.csv': 'sent' }, 'raw/', { 'raw/a.csv': file!.stamp });
    // The bytes differ from what was sent, yet the stamp says the file was not written since: the
    // verdict comes from the stamp alone (this is what skips hashing every file on a no-op).
    await writeFile(path.join(dir, 'unread.csv'), 'x');
    const resource = objectsResource(t.ctx, 'raw/', [{ ...file!, path: path.join(dir, 'unread.csv') }]);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual([]);
    expect(state.unchanged.get('raw/a.csv')).toMatchObject({ sha256: sha256('sent'), stamp: file!.stamp });
  });

  it('hashes a file written since it was sent, though its size is the same, and re-sends it', async () => {
    await writeLocal({ 'a.csv': 'old!' });
    const [before] = await settledFiles();
    await writeLocal({ 'a.csv': 'new!' });
    const [after] = await settledFiles();
    remote({ 'raw/a.csv': { content: 'old!', sha256: sha256('old!') } });
    record({ 'raw/a.csv': 'old!' }, 'raw/', { 'raw/a.csv': before!.stamp });
    const resource = objectsResource(t.ctx, 'raw/', [after!]);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual(['upload raw/a.csv']);
    await resource.update(state, resource.drift(state));
    expect(writtenRecord()).toEqual({ 'raw/a.csv': { size: 4, etag: expect.any(String), sha256: sha256('new!'), stamp: after!.stamp } });
  });

  it('writes nothing only for a new stamp, but a record written for another reason carries it', async () => {
    await writeLocal({ 'a.csv': 'same', 'b.csv': 'old!' });
    await writeLocal({ 'b.csv': 'new!' });
    const [a, b] = await settledFiles();
    remote({ 'raw/a.csv': { content: 'same', sha256: sha256('same') }, 'raw/b.csv': { content: 'old!', sha256: sha256('old!') } });
    // Recorded before stamps (or under another stamp): a.csv is found unchanged by its hash.
    record({ 'raw/a.csv': 'same', 'raw/b.csv': 'old!' });
    const alone = objectsResource(t.ctx, 'raw/', [a!]);
    expect(alone.drift((await alone.find())!.state)).toEqual([]);

    const resource = objectsResource(t.ctx, 'raw/', [a!, b!]);
    const state = (await resource.find())!.state;
    expect(resource.drift(state)).toEqual(['upload raw/b.csv']);
    await resource.update(state, resource.drift(state));
    expect(writtenRecord()?.['raw/a.csv']).toEqual({ size: 4, etag: etagOf('same'), sha256: sha256('same'), stamp: a!.stamp });
    expect(writtenRecord()?.['raw/b.csv']).toMatchObject({ sha256: sha256('new!'), stamp: b!.stamp });
  });

  it('follows the listing across pages', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.s3
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'raw/x', Size: 5 }], IsTruncated: true, NextContinuationToken: 'page-2' })
      .resolvesOnce({ Contents: [{ Key: 'raw/y', Size: 6 }], IsTruncated: false });
    const state = (await objectsResource(t.ctx, 'raw/', files).find())?.state;
    expect(state?.toSend.map((f) => f.key)).toEqual(['raw/a.csv']);
    expect(t.s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
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
  it('sends nothing for files with the same size and sha256 metadata, and records them once', async () => {
    const files = await localFiles({ 'flights/year=2001/month=01/part.csv.gz': 'january', 'airports/airports.csv': 'iata,name' });
    remote({
      'raw/flights/year=2001/month=01/part.csv.gz': { content: 'january', sha256: sha256('january') },
      'raw/airports/airports.csv': { content: 'iata,name', sha256: sha256('iata,name') },
    });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())?.state;
    // No record yet (objects sent before it existed): the next up writes it, and only it.
    expect(resource.drift(state!)).toEqual(['record']);
    await resource.update(state!, ['record']);
    expect(putInputs()).toEqual([]);
    expect(Object.keys(writtenRecord()!).sort()).toEqual(['raw/airports/airports.csv', 'raw/flights/year=2001/month=01/part.csv.gz']);
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
    expect(writtenRecord()).toEqual({
      'raw/a.csv': { size: 4, etag: etagOf('new!'), sha256: sha256('new!') },
      'raw/b.csv': { size: 4, etag: etagOf('same'), sha256: sha256('same') },
    });
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
    // Two files, then the record of what was sent.
    expect(mutatingCommands(t)).toEqual(['PutObjectCommand', 'PutObjectCommand', 'PutObjectCommand']);
    expect(t.s3.commandCalls(PutObjectCommand).at(-1)?.args[0].input.Key).toBe('.provisioner/sent/scripts.json');
    expect(Object.keys(writtenRecord()!)).toEqual(['scripts/features.py', 'scripts/job.py']);
  });

  it('with --prune deletes objects gone locally, in batches of at most 1,000', async () => {
    t = mockedStack({ raw: { bucket: 'data-bucket', prune: true } });
    t.s3.on(PutObjectCommand).resolves({});
    t.s3.on(DeleteObjectsCommand).resolves({});
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    const files = await localFiles({ 'keep.csv': 'k' });
    const stale = Array.from({ length: 2_345 }, (_, i) => `raw/old/${String(i).padStart(4, '0')}.csv`);
    remote({ 'raw/keep.csv': { content: 'k', sha256: sha256('k') }, ...Object.fromEntries(stale.map((key) => [key, { content: 'stale row' }])) });
    record({ 'raw/keep.csv': 'k' });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
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
    remote({ 'raw/keep.csv': { content: 'k', sha256: sha256('k') }, 'raw/old.csv': { content: 'old' } });
    record({ 'raw/keep.csv': 'k' });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
    expect(state.toPrune).toEqual([]);
    expect(resource.drift(state)).toEqual([]);
    t.s3.resetHistory();
    await resource.update(state, []);
    expect(sentCommands(t)).toEqual([]);
  });

  it('passes on an upload failure', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    await expect(objectsResource(t.ctx, 'raw/', files).create()).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('records the files it finished when another fails, so the next up does not send them again', async () => {
    const files = await localFiles({ 'good.csv': 'fine', 'bad.csv': 'refused' });
    t.s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      if (input.Key === 'raw/bad.csv') throw s3Error('AccessDenied', 403, 'Access Denied');
      return { ETag: etagOf(bodyText(input)) };
    });
    await expect(objectsResource(t.ctx, 'raw/', files).create()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(writtenRecord()).toEqual({ 'raw/good.csv': { size: 4, etag: etagOf('fine'), sha256: sha256('fine') } });
  });

  it('uploads nothing once interrupted', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    t.controller.abort();
    await expect(objectsResource(t.ctx, 'raw/', files).create()).rejects.toBeInstanceOf(InterruptedError);
    expect(t.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('takes an empty prefix where a killed up left an upload open for an update, which aborts it and sends every file', async () => {
    const files = await localFiles({ 'a.csv': 'a', 'b.csv': 'b' });
    remote({});
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: 'raw/a.csv', UploadId: 'u1' }], IsTruncated: false });
    t.s3.on(AbortMultipartUploadCommand).resolves({});
    const resource = objectsResource(t.ctx, 'raw/', files);
    const found = await resource.find();
    expect(found).toBeDefined();
    const keys = resource.drift(found!.state);
    expect(keys.sort()).toEqual(['staleUploads', 'upload raw/a.csv', 'upload raw/b.csv']);
    await resource.update(found!.state, keys);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'data-bucket', Key: 'raw/a.csv', UploadId: 'u1' }]);
    expect(putInputs().map((p) => p.Key).sort()).toEqual(['raw/a.csv', 'raw/b.csv']);
    expect(Object.keys(writtenRecord() ?? {}).sort()).toEqual(['raw/a.csv', 'raw/b.csv']);
  });

  it('sends the files while it aborts what a killed up left open; an abort that fails fails the step, once what was sent is on record', async () => {
    const files = await localFiles({ 'a.csv': 'a', 'b.csv': 'b' });
    remote({});
    t.s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: 'raw/a.csv', UploadId: 'u1' }], IsTruncated: false });
    const events: string[] = [];
    t.s3.on(AbortMultipartUploadCommand).callsFake(async () => {
      events.push('abort');
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw s3Error('AccessDenied', 403, 'Access Denied');
    });
    t.s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      events.push(`put ${input.Key}`);
      return { ETag: etagOf(bodyText(input)) };
    });
    const resource = objectsResource(t.ctx, 'raw/', files);
    const found = (await resource.find())!;
    await expect(resource.update(found.state, resource.drift(found.state))).rejects.toMatchObject({ name: 'AccessDenied' });
    // Every file went while the abort was still unanswered, and the record says so.
    expect(events.slice(0, 3).sort()).toEqual(['abort', 'put raw/a.csv', 'put raw/b.csv']);
    expect(Object.keys(writtenRecord() ?? {}).sort()).toEqual(['raw/a.csv', 'raw/b.csv']);
  });

  it('creates without listing again: its find saw no open upload, and none appears under the lock', async () => {
    const files = await localFiles({ 'a.csv': 'a', 'b.csv': 'b' });
    remote({});
    const resource = objectsResource(t.ctx, 'raw/', files);
    expect(await resource.find()).toBeUndefined();
    const listings = t.s3.commandCalls(ListMultipartUploadsCommand).length;
    await resource.create();
    expect(t.s3.commandCalls(ListMultipartUploadsCommand)).toHaveLength(listings);
    expect(putInputs().map((p) => p.Key).sort()).toEqual(['raw/a.csv', 'raw/b.csv']);
    expect(Object.keys(writtenRecord() ?? {}).sort()).toEqual(['raw/a.csv', 'raw/b.csv']);
  });

  it('aborts the uploads a killed up left open under its prefix, and only under it', async () => {
    const files = await localFiles({ 'a.csv': 'a' });
    remote({ 'raw/a.csv': { content: 'a', sha256: sha256('a') } });
    record({ 'raw/a.csv': 'a' });
    t.s3.on(ListMultipartUploadsCommand).callsFake((input: { Prefix?: string; KeyMarker?: string }) =>
      input.KeyMarker
        ? { Uploads: [{ Key: 'raw/big-2.bin', UploadId: 'u2' }], IsTruncated: false }
        : { Uploads: [{ Key: 'raw/big-1.bin', UploadId: 'u1' }], IsTruncated: true, NextKeyMarker: 'raw/big-1.bin', NextUploadIdMarker: 'u1' },
    );
    t.s3.on(AbortMultipartUploadCommand).resolves({});
    const resource = objectsResource(t.ctx, 'raw/', files);
    const state = (await resource.find())!.state;
    expect(t.s3.commandCalls(ListMultipartUploadsCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'data-bucket', Prefix: 'raw/' });
    expect(resource.drift(state)).toEqual(['staleUploads']);
    expect(driftLabels(resource, state)).toEqual(['unfinished uploads of an interrupted up']);
    await resource.update(state, ['staleUploads']);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'data-bucket', Key: 'raw/big-1.bin', UploadId: 'u1' },
      { Bucket: 'data-bucket', Key: 'raw/big-2.bin', UploadId: 'u2' },
    ]);
    expect(putInputs()).toEqual([]);
  });
});
