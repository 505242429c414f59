import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes } from '../../../src/cli/progress.js';

function fakeStream() {
  const writes: string[] = [];
  const stream = { columns: 200, isTTY: true, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('createProgress', () => {
  it('draws bytes and files sent, counting parts of files still in flight', () => {
    const { stream, writes } = fakeStream();
    const transfer = createProgress(stream, true).transfer('uploading', 4096, 2);
    transfer.update('a', 1024);
    transfer.fileDone('a', 2048);
    transfer.update('b', 1024);
    expect(writes.at(-1)).toContain('3.0 KiB/4.0 KiB 1/2 files');
    transfer.finish();
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('prints nothing off a terminal', () => {
    const { stream, writes } = fakeStream();
    const progress = createProgress(stream, false);
    progress.status('waiting');
    progress.transfer('uploading', 10, 1).update('a', 5);
    expect(writes).toEqual([]);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
