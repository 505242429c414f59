import { open, type FileHandle } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import type { BlockPool } from './blocks.js';
import { readExactly, type LocalFile } from './local-files.js';

/** Buffers a body has out at once when piped: one being written while the next is read. */
export const BODY_BUFFERS = 2;

/**
 * A file's first `file.size` bytes as the body of a request, read chunk by chunk through buffers
 * that are reused.
 *
 * The SDK sends a stream body with `body.pipe(request)`. Piped the usual way, every chunk would be a
 * new buffer, allocated outside V8's heap and freed only when V8 collects, which it does by its own
 * heap's growth: 8 files of 64 MiB cost more than twenty full collections and pushed peak memory
 * past the bound on file contents. So `pipe` is done here: each chunk is written with a callback
 * that says when the socket is done with it, and only then is its buffer filled again. Read any
 * other way (iterated, or with `read()`), the body is an ordinary stream of fresh buffers.
 *
 * `onBytes` hears of each chunk as it is read for sending. A file found shorter than `file.size` fails
 * the body with an error saying so.
 */
export class FileBody extends Readable {
  private handle: Promise<FileHandle> | undefined;
  private position = 0;

  constructor(
    private readonly file: LocalFile,
    private readonly blocks: BlockPool,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super({ highWaterMark: blocks.blockBytes });
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    this.writeTo(destination as unknown as Writable, options?.end ?? true).catch((error: unknown) => this.destroy(error as Error));
    return destination;
  }

  override _read(): void {
    const buffer = Buffer.allocUnsafe(this.blocks.blockBytes);
    this.nextChunk(buffer).then(
      (chunk) => this.push(chunk.length > 0 ? chunk : null),
      (error: unknown) => this.destroy(error as Error),
    );
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.close().then(
      () => done(error),
      () => done(error),
    );
  }

  private async writeTo(destination: Writable, end: boolean): Promise<void> {
    const free: Buffer[] = [];
    let finished = false;
    let wake: (() => void) | undefined;
    const giveBack = (buffer: Buffer): void => {
      if (finished) this.blocks.give(buffer);
      else free.push(buffer);
      wake?.();
    };
    // A destination that is destroyed (the request aborted) may never call back, and this body may
    // be destroyed meanwhile (the request failed): stop waiting then.
    const onClose = (): void => wake?.();
    destination.once('close', onClose);
    this.once('close', onClose);
    let taken = 0;
    try {
      while (!this.destroyed && !destination.destroyed && this.position < this.file.size) {
        if (free.length === 0 && taken < BODY_BUFFERS) {
          free.push(this.blocks.take());
          taken++;
        }
        if (free.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const buffer = free.pop()!;
        const chunk = await this.nextChunk(buffer);
        destination.write(chunk, () => giveBack(buffer));
      }
      if (!destination.destroyed && !this.destroyed) {
        if (end) destination.end();
        // Ends this stream as well, for callers that wait for its 'end' (stream.pipeline does).
        this.push(null);
        this.resume();
      } else if (this.destroyed && !destination.destroyed) {
        // Stopped midway: the destination is left short of what it was promised, so it goes too,
        // rather than holding its connection until the socket times out.
        destination.destroy();
      }
    } finally {
      destination.off('close', onClose);
      this.off('close', onClose);
      // Buffers still out go back to the pool when their writes call back (if they ever do).
      finished = true;
      for (const buffer of free) this.blocks.give(buffer);
      await this.close();
    }
  }

  /** Reads the next chunk into `buffer`; an empty chunk at the end of the file's size. */
  private async nextChunk(buffer: Buffer): Promise<Buffer> {
    const length = Math.min(buffer.length, this.file.size - this.position);
    if (length === 0) return buffer.subarray(0, 0);
    this.handle ??= open(this.file.path, 'r');
    const chunk = await readExactly(await this.handle, this.file, this.position, buffer.subarray(0, length));
    this.position += length;
    // Once destroyed (the request failed, and may be sent again), nothing more counts as sent.
    if (!this.destroyed) this.onBytes(length);
    return chunk;
  }

  private async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}
