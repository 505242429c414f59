import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/cli/progress.js';

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
