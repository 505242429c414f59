import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';
import { formatBytes, formatDuration } from '../../../src/core/units.js';

function fakeStream() {
  const writes: string[] = [];
  const stream = { columns: 200, isTTY: true, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('createProgress', () => {
  it('draws bytes and files sent, counting parts of files still in flight, with the rate and the time left', () => {
    const { stream, writes } = fakeStream();
    let clock = 0;
    const transfer = createProgress(stream, true, () => clock).transfer('uploading', 4096, 2);
    clock = 1000;
    transfer.update('a', 1024);
    clock = 2000;
    transfer.fileDone('a', 2048);
    clock = 3000;
    transfer.update('b', 1024);
    // 3 KiB in 3 s: 1 KiB/s, and the last 1 KiB takes another second.
    expect(writes.at(-1)).toContain('3.0 KiB/4.0 KiB 1/2 files 1.0 KiB/s 1s left');
    transfer.finish();
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('redraws at most ten times a second, but always shows the last file done', () => {
    const { stream, writes } = fakeStream();
    const clock = 5000;
    const transfer = createProgress(stream, true, () => clock).transfer('uploading', 300, 3);
    transfer.fileDone('a', 100);
    transfer.fileDone('b', 100);
    expect(writes).toHaveLength(1);
    transfer.fileDone('c', 100);
    expect(writes).toHaveLength(2);
    expect(writes.at(-1)).toContain('3/3 files');
  });

  it('prints nothing off a terminal', () => {
    const { stream, writes } = fakeStream();
    const progress = createProgress(stream, false);
    progress.status('waiting');
    progress.transfer('uploading', 10, 1).update('a', 5);
    expect(writes).toEqual([]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [185, '3m05s'],
    [3720, '1h02m'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
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
