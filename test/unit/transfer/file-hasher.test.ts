import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockPool } from '../../../src/transfer/blocks.js';
import { FileHasher } from '../../../src/transfer/file-hasher.js';
import type { LocalFile } from '../../../src/transfer/local-files.js';

let dir: string;
const signal = new AbortController().signal;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'file-hasher-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: Buffer, size = content.length): Promise<LocalFile> {
  const full = path.join(dir, name);
  await writeFile(full, content);
  return { path: full, key: `raw/${name}`, size };
}

describe('FileHasher', () => {
  it('gives the SHA-256 of the size scanned, through buffers smaller than the file', async () => {
    const hasher = new FileHasher(new BlockPool(1_000));
    const content = randomBytes(12_345);
    const whole = await file('whole.bin', content);
    const grown = await file('grown.bin', content, 10_000);
    expect((await hasher.sha256(whole, signal, 0)).toString('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await hasher.sha256(grown, signal, 1)).toString('hex')).toBe(createHash('sha256').update(content.subarray(0, 10_000)).digest('hex'));
  });

  it('hashes one file at a time, the waiting ones in the order of the upload', async () => {
    const hasher = new FileHasher(new BlockPool(64 * 1024));
    const files = await Promise.all([0, 1, 2, 3].map((i) => file(`f${i}.bin`, randomBytes(512 * 1024))));
    const done: number[] = [];
    // The first asked starts at once; the others wait, and go by their place in the upload.
    await Promise.all([3, 1, 2, 0].map((order) => hasher.sha256(files[order]!, signal, order).then(() => done.push(order))));
    expect(done).toEqual([3, 0, 1, 2]);
  });

  it('hands over a digest hashed ahead of time, without reading the file again', async () => {
    const hasher = new FileHasher(new BlockPool(4_096));
    const content = randomBytes(50_000);
    const early = await file('early.bin', content);
    hasher.prefetch([early], signal, () => 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Changed after it was hashed ahead: the digest handed over is the one hashed then.
    await writeFile(early.path, randomBytes(50_000));
    expect((await hasher.sha256(early, signal, 0)).toString('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    // Handed over once: asked again, the file is read again.
    expect((await hasher.sha256(early, signal, 0)).toString('hex')).not.toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('reports a failure to hash ahead when the digest is asked for, not before', async () => {
    const hasher = new FileHasher(new BlockPool(64));
    const gone: LocalFile = { path: path.join(dir, 'gone.bin'), key: 'raw/gone.bin', size: 10 };
    hasher.prefetch([gone], signal, () => 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(hasher.sha256(gone, signal, 0)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails, naming the file, when it is shorter than when scanned', async () => {
    const short = await file('short.bin', randomBytes(100), 200);
    await expect(new FileHasher(new BlockPool(64)).sha256(short, signal, 0)).rejects.toThrow(`${short.path} changed while it was being sent`);
  });
});
