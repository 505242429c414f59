import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockPool } from '../../../src/transfer/blocks.js';
import { FileBody } from '../../../src/transfer/file-body.js';
import type { LocalFile } from '../../../src/transfer/local-files.js';
import { random } from '../support/random.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'file-body-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(content: Buffer, size = content.length): Promise<LocalFile> {
  const full = path.join(dir, `f-${Math.random().toString(36).slice(2)}.bin`);
  await writeFile(full, content);
  return { path: full, key: 'raw/f.bin', size };
}

/**
 * A destination like a socket that is slow to let go: each write is done only after a random delay.
 * It keeps a copy of each chunk as written, and checks that a chunk is not changed while its write
 * is pending: a body that reused a buffer too early would corrupt data in flight.
 */
class SlowSink extends Writable {
  readonly received: Buffer[] = [];
  pendingPeak = 0;
  private pending = 0;
  corrupted = false;

  constructor(private readonly next: () => number) {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const copy = Buffer.from(chunk);
    this.received.push(copy);
    this.pending += 1;
    this.pendingPeak = Math.max(this.pendingPeak, this.pending);
    setTimeout(() => {
      if (!chunk.equals(copy)) this.corrupted = true;
      this.pending -= 1;
      done();
    }, Math.floor(this.next() * 3));
  }
}

describe('FileBody', () => {
  it.each([1, 2, 3, 4, 5, 6])('piped, delivers exactly the file, never changing a chunk still being written (seed %i)', async (seed) => {
    const next = random(seed);
    const chunk = 1 + Math.floor(next() * 4096);
    const content = randomBytes(Math.floor(next() * chunk * 12));
    const pool = new BlockPool(chunk);
    let counted = 0;
    const body = new FileBody(await file(content), pool, (bytes) => (counted += bytes));
    const sink = new SlowSink(next);
    await new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve).on('error', reject);
      body.on('error', reject);
      body.pipe(sink);
    });
    expect(Buffer.concat(sink.received).equals(content)).toBe(true);
    expect(sink.corrupted).toBe(false);
    expect(counted).toBe(content.length);
    // Two buffers at most: one being written while the next is read.
    expect(sink.pendingPeak).toBeLessThanOrEqual(2);
  });

  it('ends through stream.pipeline, and reads the same bytes when iterated instead of piped', async () => {
    const content = randomBytes(10_000);
    const local = await file(content);
    const sink = new SlowSink(random(7));
    await pipeline(new FileBody(local, new BlockPool(999), () => undefined), sink);
    expect(Buffer.concat(sink.received).equals(content)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of new FileBody(local, new BlockPool(999), () => undefined)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('sends only the size the file had when scanned, if it has grown since', async () => {
    const content = randomBytes(5_000);
    const sink = new SlowSink(random(8));
    await pipeline(new FileBody(await file(content, 3_000), new BlockPool(1_024), () => undefined), sink);
    expect(Buffer.concat(sink.received).equals(content.subarray(0, 3_000))).toBe(true);
  });

  it('fails, naming the file, when the file is shorter than it was when scanned', async () => {
    const local = await file(randomBytes(8_000));
    await truncate(local.path, 2_500);
    const body = new FileBody(local, new BlockPool(1_024), () => undefined);
    await expect(pipeline(body, new SlowSink(random(9)))).rejects.toThrow(`${local.path} changed while it was being sent (it is now shorter); run up again`);
  });

  it('stops reading when the destination is destroyed midway', async () => {
    const local = await file(randomBytes(64 * 1024));
    let read = 0;
    const body = new FileBody(local, new BlockPool(1_024), (bytes) => (read += bytes));
    let writes = 0;
    const sink = new Writable({
      write(_chunk, _encoding, done) {
        writes += 1;
        if (writes === 3) sink.destroy();
        else done();
      },
    });
    body.pipe(sink);
    await new Promise((resolve) => sink.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes).toBe(3);
    // At most the chunk read while the third was being written: not the other 60 KiB.
    expect(read).toBeLessThanOrEqual(4 * 1_024);
  });

  it('destroyed midway (its request failed), ends the request it was writing rather than leave it open, and counts no more bytes', async () => {
    const local = await file(randomBytes(64 * 1024));
    let read = 0;
    const body = new FileBody(local, new BlockPool(1_024), (bytes) => (read += bytes));
    // Writes that never call back, like a socket the other end stopped reading.
    const sink = new Writable({ write: () => undefined });
    body.pipe(sink);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const counted = read;
    body.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.destroyed).toBe(true);
    expect(read).toBe(counted);
  });
});
