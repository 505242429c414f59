import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { BlockPool } from './blocks.js';
import { Budget } from './budget.js';
import { readExactly, type LocalFile } from './local-files.js';

/**
 * Reads files through to their SHA-256, one file at a time, through a reused buffer. Hashing is
 * bound by the CPU, so files hashed side by side would each be ready only when all are; one at a
 * time, in the order of the upload, the first file can be sent while the next is hashed. The buffer
 * is reused because buffers of this size are allocated outside V8's heap and freed only when it
 * collects, which it does by its own heap's growth: a fresh buffer per read let peak memory run
 * tens of MiB above the bound on file contents.
 */
export class FileHasher {
  private readonly turn = new Budget(1, 'the file hasher');

  constructor(private readonly blocks: BlockPool) {}

  /** Digests asked for ahead of time (prefetch), until they are taken. */
  private readonly ahead = new Map<LocalFile, Promise<Buffer>>();

  /** The SHA-256 digest of the file's first `file.size` bytes; files with a lower `order` go first. */
  async sha256(file: LocalFile, signal: AbortSignal, order: number): Promise<Buffer> {
    const early = this.ahead.get(file);
    if (early) {
      this.ahead.delete(file);
      return early;
    }
    return this.turn.with(1, () => this.read(file), signal, order);
  }

  /**
   * Starts hashing files before they are asked for; `sha256` then hands over the digest (or the
   * failure, which is reported then, as if the file were hashed at that moment).
   */
  prefetch(files: readonly LocalFile[], signal: AbortSignal, orderOf: (file: LocalFile) => number): void {
    for (const file of files) {
      if (this.ahead.has(file)) continue;
      const digest = this.turn.with(1, () => this.read(file), signal, orderOf(file));
      digest.catch(() => undefined); // reported when asked for
      this.ahead.set(file, digest);
    }
  }

  private async read(file: LocalFile): Promise<Buffer> {
    const buffer = this.blocks.take();
    const hash = createHash('sha256');
    const handle = await open(file.path, 'r').catch((error: unknown) => {
      this.blocks.give(buffer);
      throw error;
    });
    try {
      for (let position = 0; position < file.size; position += buffer.length) {
        hash.update(await readExactly(handle, file, position, buffer.subarray(0, Math.min(buffer.length, file.size - position))));
      }
    } finally {
      this.blocks.give(buffer);
      await handle.close();
    }
    return hash.digest();
  }
}
