import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError } from '../../../src/core/errors.js';
import type { LocalFile } from '../../../src/transfer/local-files.js';
import { TransferBudgets, uploadFiles, type TransferLimits } from '../../../src/transfer/upload.js';
import { s3Error } from '../support/errors.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

const MIB = 1024 * 1024;
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const bodyOf = (input: { Body?: unknown }): Buffer => Buffer.from(input.Body as Uint8Array);

/** A request body as S3 would receive it, read to its end whether a buffer or a stream. */
async function received(input: { Body?: unknown }): Promise<Buffer> {
  if (!(input.Body instanceof Readable)) return bodyOf(input);
  const chunks: Buffer[] = [];
  for await (const chunk of input.Body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

let dir: string;
let t: MockedStack;

async function file(name: string, content: Buffer | string): Promise<LocalFile> {
  const full = path.join(dir, name);
  await writeFile(full, content);
  return { path: full, key: `raw/${name}`, size: Buffer.byteLength(content) };
}

const LIMITS: TransferLimits = { requests: 8, memoryBytes: 16 * MIB, partBytes: 5 * MIB, multipartBytes: 5 * MIB };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'upload-test-'));
  t = mockedStack({ raw: { bucket: 'data-bucket' } });
  t.s3.on(PutObjectCommand).callsFake(async (input) => ({ ETag: `"${sha256(await received(input)).slice(0, 32)}"` }));
  t.s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  t.s3.on(UploadPartCommand).callsFake((input) => ({ ETag: `"part-${input.PartNumber}"` }));
  t.s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-3"' });
  t.s3.on(AbortMultipartUploadCommand).resolves({});
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('uploadFiles', () => {
  it('puts each small file whole, with its SHA-256 as checksum and metadata, and reports the ETag S3 gave it', async () => {
    const files = [await file('a.csv', 'alpha'), await file('b.py', 'print(2)\n')];
    const sent = await uploadFiles(t.ctx.aws.s3, 'data-bucket', files, new TransferBudgets(LIMITS), t.ctx);
    expect(sent.map((s) => [s.key, s.size, s.sha256])).toEqual([
      ['raw/a.csv', 5, sha256('alpha')],
      ['raw/b.py', 9, sha256('print(2)\n')],
    ]);
    expect(sent[0]!.etag).toBe(`"${sha256('alpha').slice(0, 32)}"`);
    const puts = t.s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    const a = puts.find((p) => p.Key === 'raw/a.csv')!;
    expect(a).toMatchObject({
      Bucket: 'data-bucket',
      ContentType: 'text/csv',
      ContentLength: 5,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: createHash('sha256').update('alpha').digest('base64'),
      Metadata: { sha256: sha256('alpha') },
    });
    expect(bodyOf(a).toString()).toBe('alpha');
  });

  it('sends a large file in parts that add up to it, in order, hashing the whole file as it is read', async () => {
    const content = randomBytes(22 * MIB + 123);
    const big = await file('big.bin', content);
    // Part buffers are reused once a part is sent, so each body is copied as it arrives.
    const bodies = new Map<number, Buffer>();
    t.s3.on(UploadPartCommand).callsFake(async (input) => {
      bodies.set(input.PartNumber!, Buffer.from(bodyOf(input)));
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { ETag: `"part-${input.PartNumber}"`, ChecksumCRC32: `crc-${input.PartNumber}` };
    });
    const [sent] = await uploadFiles(t.ctx.aws.s3, 'data-bucket', [big], new TransferBudgets(LIMITS), t.ctx);
    // The hash is known only after the last part is read: it goes into the record, not the metadata.
    // Each part carries its CRC32, and the object gets a checksum composed of them.
    expect(t.s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toEqual({
      Bucket: 'data-bucket',
      Key: 'raw/big.bin',
      ContentType: 'application/octet-stream',
      ChecksumAlgorithm: 'CRC32',
    });
    const parts = t.s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input).sort((x, y) => x.PartNumber! - y.PartNumber!);
    expect(parts.map((p) => p.ContentLength)).toEqual([5 * MIB, 5 * MIB, 5 * MIB, 5 * MIB, 2 * MIB + 123]);
    expect(parts.map((p) => p.ChecksumAlgorithm)).toEqual(['CRC32', 'CRC32', 'CRC32', 'CRC32', 'CRC32']);
    expect(Buffer.concat([1, 2, 3, 4, 5].map((n) => bodies.get(n)!)).equals(content)).toBe(true);
    // An upload created with a checksum algorithm must be completed with each part's checksum.
    expect(t.s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload?.Parts).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ PartNumber: n, ETag: `"part-${n}"`, ChecksumCRC32: `crc-${n}` })),
    );
    expect(sent).toEqual({ key: 'raw/big.bin', size: content.length, sha256: sha256(content), etag: '"whole-3"', stamp: undefined });
  });

  it('streams a file larger than a part, up to the multipart threshold, in one PUT carrying its SHA-256', async () => {
    const content = randomBytes(7 * MIB + 5);
    const middle = await file('middle.bin', content);
    const limits: TransferLimits = { ...LIMITS, multipartBytes: 12 * MIB };
    const bodies: Buffer[] = [];
    t.s3.on(PutObjectCommand).callsFake(async (input) => {
      bodies.push(await received(input));
      return { ETag: '"streamed"' };
    });
    const [sent] = await uploadFiles(t.ctx.aws.s3, 'data-bucket', [middle], new TransferBudgets(limits), t.ctx);
    const put = t.s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    // Hashed before it is sent, so S3 checks the SHA-256 on arrival and the metadata holds it too.
    expect(put).toMatchObject({
      Key: 'raw/middle.bin',
      ContentLength: content.length,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: createHash('sha256').update(content).digest('base64'),
      Metadata: { sha256: sha256(content) },
    });
    expect(put.Body).toBeInstanceOf(Readable);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.equals(content)).toBe(true);
    expect(t.s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    expect(sent).toEqual({ key: 'raw/middle.bin', size: content.length, sha256: sha256(content), etag: '"streamed"', stamp: undefined });
  });

  it('sends each file the way its size calls for: read whole up to a part, streamed up to the threshold, in parts past it', async () => {
    const limits: TransferLimits = { requests: 4, memoryBytes: 16 * MIB, partBytes: 5 * MIB, multipartBytes: 6 * MIB };
    const sizes = [5 * MIB, 5 * MIB + 1, 6 * MIB, 6 * MIB + 1];
    const files = await Promise.all(sizes.map((size, i) => file(`f${i}.bin`, randomBytes(size))));
    await uploadFiles(t.ctx.aws.s3, 'data-bucket', files, new TransferBudgets(limits), t.ctx);
    const puts = new Map(t.s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key, c.args[0].input]));
    expect(Buffer.isBuffer(puts.get('raw/f0.bin')?.Body)).toBe(true);
    expect(puts.get('raw/f1.bin')?.Body).toBeInstanceOf(Readable);
    expect(puts.get('raw/f2.bin')?.Body).toBeInstanceOf(Readable);
    expect(puts.has('raw/f3.bin')).toBe(false);
    expect(t.s3.commandCalls(CreateMultipartUploadCommand).map((c) => c.args[0].input.Key)).toEqual(['raw/f3.bin']);
  });

  it('hashes ahead only the first few files that will be streamed, in upload order', async () => {
    const budgets = new TransferBudgets({ requests: 4, memoryBytes: 16 * MIB, partBytes: 1024, multipartBytes: 4096 });
    const prefetch = vi.spyOn(budgets.hasher, 'prefetch').mockImplementation(() => undefined);
    const sizes = [10, 2000, 5000, 3000, 4096, 1025, 2500, 3500];
    const files = sizes.map((size, i): LocalFile => ({ path: `/nowhere/f${i}`, key: `raw/f${i}`, size }));
    budgets.hashAhead(files, t.ctx.signal);
    const [asked, , orderOf] = prefetch.mock.calls[0]!;
    // Neither the small file (read whole) nor the one past the threshold (sent in parts).
    expect(asked.map((f) => f.key)).toEqual(['raw/f1', 'raw/f3', 'raw/f4', 'raw/f5']);
    expect(asked.map((f) => orderOf(f))).toEqual([1, 3, 4, 5]);
  });

  it('holds no memory for a streamed file while it waits to be hashed: other files go meanwhile', async () => {
    // Memory for one streamed file's buffers, or one small file, at a time.
    const budgets = new TransferBudgets({ requests: 4, memoryBytes: 2 * MIB, partBytes: 1 * MIB, multipartBytes: 8 * MIB });
    const middle = await file('middle.bin', randomBytes(2 * MIB));
    const small = await file('small.csv', randomBytes(MIB));
    let hashed!: () => void;
    const hashing = new Promise<void>((resolve) => (hashed = resolve));
    const sha256Of = budgets.hasher.sha256.bind(budgets.hasher);
    vi.spyOn(budgets.hasher, 'sha256').mockImplementation(async (...args) => {
      await hashing;
      return sha256Of(...args);
    });
    const order: string[] = [];
    t.s3.on(PutObjectCommand).callsFake(async (input) => {
      await received(input);
      order.push(input.Key!);
      if (input.Key === 'raw/small.csv') hashed();
      return { ETag: '"e"' };
    });
    await uploadFiles(t.ctx.aws.s3, 'data-bucket', [middle, small], budgets, t.ctx);
    expect(order).toEqual(['raw/small.csv', 'raw/middle.bin']);
  });

  it('sends a streamed file again from its start when its PUT failed for a passing reason', async () => {
    const content = randomBytes(6 * MIB);
    const middle = await file('middle.bin', content);
    const bodies: Buffer[] = [];
    t.s3.on(PutObjectCommand).callsFake(async (input) => {
      const body = await received(input);
      bodies.push(body);
      if (bodies.length === 1) throw s3Error('InternalError', 500);
      return { ETag: '"e"' };
    });
    const [sent] = await uploadFiles(t.ctx.aws.s3, 'data-bucket', [middle], new TransferBudgets({ ...LIMITS, multipartBytes: 8 * MIB }), t.ctx);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.equals(content)).toBe(true);
    expect(sent?.sha256).toBe(sha256(content));
  });

  it('fails, naming the file, when a streamed file is found shorter as it is sent; it is not sent again', async () => {
    const middle = await file('middle.bin', randomBytes(6 * MIB));
    t.s3.on(PutObjectCommand).callsFake(async (input) => {
      // The file is cut after it was hashed, while the request is being sent.
      await truncate(middle.path, 1024);
      await received(input);
      return { ETag: '"e"' };
    });
    const upload = uploadFiles(t.ctx.aws.s3, 'data-bucket', [middle], new TransferBudgets({ ...LIMITS, multipartBytes: 8 * MIB }), t.ctx);
    await expect(upload).rejects.toThrow(`${middle.path} changed while it was being sent (it is now shorter); run up again`);
    expect(t.s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('keeps requests in flight and bytes in memory within their bounds, across files and parts', async () => {
    const limits: TransferLimits = { requests: 3, memoryBytes: 10 * MIB, partBytes: 5 * MIB, multipartBytes: 5 * MIB };
    const files = [
      await file('big-1.bin', randomBytes(11 * MIB)),
      await file('big-2.bin', randomBytes(7 * MIB)),
      ...(await Promise.all(Array.from({ length: 20 }, (_, i) => file(`small-${i}.csv`, `row ${i}\n`)))),
    ];
    let requests = 0;
    let bytes = 0;
    let peakRequests = 0;
    let peakBytes = 0;
    const slow = async <T>(size: number, answer: T): Promise<T> => {
      requests += 1;
      bytes += size;
      peakRequests = Math.max(peakRequests, requests);
      peakBytes = Math.max(peakBytes, bytes);
      await new Promise((resolve) => setTimeout(resolve, 5));
      requests -= 1;
      bytes -= size;
      return answer;
    };
    t.s3.on(PutObjectCommand).callsFake((input) => slow(input.ContentLength ?? 0, { ETag: '"e"' }));
    t.s3.on(UploadPartCommand).callsFake((input) => slow(input.ContentLength ?? 0, { ETag: `"p${input.PartNumber}"` }));
    const sent = await uploadFiles(t.ctx.aws.s3, 'data-bucket', files, new TransferBudgets(limits), t.ctx);
    expect(sent).toHaveLength(22);
    expect(peakRequests).toBe(3);
    expect(peakBytes).toBeLessThanOrEqual(10 * MIB);
    expect(t.s3.commandCalls(UploadPartCommand)).toHaveLength(3 + 2);
  });

  it('keeps two uploads at once within the one bound on requests they share', async () => {
    const budgets = new TransferBudgets({ requests: 3, memoryBytes: 10 * MIB, partBytes: 5 * MIB, multipartBytes: 5 * MIB });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => file(`a-${i}.csv`, `a ${i}\n`)));
    const second = await Promise.all(Array.from({ length: 10 }, (_, i) => file(`b-${i}.csv`, `b ${i}\n`)));
    let inFlight = 0;
    let peak = 0;
    t.s3.on(PutObjectCommand).callsFake(async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 3));
      inFlight -= 1;
      return { ETag: '"e"' };
    });
    const sent = await Promise.all([
      uploadFiles(t.ctx.aws.s3, 'data-bucket', first, budgets, t.ctx),
      uploadFiles(t.ctx.aws.s3, 'data-bucket', second, budgets, t.ctx),
    ]);
    expect(sent.flat()).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('finishes files one after another: memory for a part goes to the file that came first', async () => {
    const limits: TransferLimits = { requests: 8, memoryBytes: 10 * MIB, partBytes: 5 * MIB, multipartBytes: 5 * MIB };
    const files = await Promise.all([0, 1, 2].map((i) => file(`big-${i}.bin`, randomBytes(16 * MIB))));
    const events: string[] = [];
    // No part is answered until every file has started and waits for memory: priority is among
    // those waiting. Before that, whichever file is ready first takes what is free (at most one
    // part here, as the first file takes the other). Parts take long enough to answer that a file
    // has read its next part and waits again before memory frees.
    let created = 0;
    let allStarted: () => void;
    const started = new Promise<void>((resolve) => (allStarted = resolve));
    t.s3.on(CreateMultipartUploadCommand).callsFake((input) => {
      if (++created === files.length) setTimeout(allStarted, 50);
      return { UploadId: input.Key };
    });
    t.s3.on(UploadPartCommand).callsFake(async (input) => {
      await started;
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push(`${input.Key} part ${input.PartNumber}`);
      return { ETag: `"p${input.PartNumber}"` };
    });
    t.s3.on(CompleteMultipartUploadCommand).callsFake((input) => {
      events.push(`${input.Key} complete`);
      return { ETag: '"whole"' };
    });
    await uploadFiles(t.ctx.aws.s3, 'data-bucket', files, new TransferBudgets(limits), t.ctx);
    const completed = (key: string) => events.indexOf(`${key} complete`);
    const partsBefore = (key: string, index: number) => events.slice(0, index).filter((e) => e.startsWith(`${key} part`)).length;
    expect(completed('raw/big-0.bin')).toBeLessThan(completed('raw/big-1.bin'));
    expect(completed('raw/big-1.bin')).toBeLessThan(completed('raw/big-2.bin'));
    // Of the last file's 4 parts, at most the one it took at the start went before the first file was done.
    expect(partsBefore('raw/big-2.bin', completed('raw/big-0.bin'))).toBeLessThanOrEqual(1);
    expect(events.filter((e) => e.endsWith('complete'))).toHaveLength(3);
  });

  it('retries a part that failed for a passing reason, on its own', async () => {
    const content = randomBytes(11 * MIB);
    const big = await file('big.bin', content);
    let failures = 0;
    t.s3.on(UploadPartCommand).callsFake((input) => {
      if (input.PartNumber === 2 && failures === 0) {
        failures += 1;
        throw s3Error('InternalError', 500);
      }
      return { ETag: `"part-${input.PartNumber}"` };
    });
    await uploadFiles(t.ctx.aws.s3, 'data-bucket', [big], new TransferBudgets(LIMITS), t.ctx);
    expect(t.s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
    expect(t.s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input.PartNumber).sort()).toEqual([1, 2, 2, 3]);
    expect(t.s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('stops at a failure that would fail again, and aborts the multipart upload it leaves', async () => {
    const big = await file('big.bin', randomBytes(11 * MIB));
    t.s3.on(UploadPartCommand).rejects(s3Error('AccessDenied', 403, 'Access Denied'));
    await expect(uploadFiles(t.ctx.aws.s3, 'data-bucket', [big], new TransferBudgets(LIMITS), t.ctx)).rejects.toMatchObject({ name: 'AccessDenied' });
    // Once a part has failed, the file's remaining parts are not read or sent.
    expect(t.s3.commandCalls(UploadPartCommand).length).toBeLessThan(3);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toEqual({ Bucket: 'data-bucket', Key: 'raw/big.bin', UploadId: 'upload-1' });
    expect(t.s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('on Ctrl-C aborts the open multipart upload and says it was interrupted', async () => {
    const big = await file('big.bin', randomBytes(11 * MIB));
    t.s3.on(UploadPartCommand).callsFake(async (input) => {
      if (input.PartNumber === 1) t.controller.abort();
      return { ETag: `"part-${input.PartNumber}"` };
    });
    await expect(uploadFiles(t.ctx.aws.s3, 'data-bucket', [big], new TransferBudgets(LIMITS), t.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(t.s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});
