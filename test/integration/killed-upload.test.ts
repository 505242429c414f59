import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';

describe('an up killed mid-upload (kill -9)', () => {
  // Parts of the big file take a while, so the kill lands while its upload is open.
  const stack = useEmulator({ requestLog: { delay: (r) => (r.operation === 'UploadPart' ? 3_000 : 0) } });
  let dataDir: string;
  let dirs: string[];

  beforeAll(() => {
    dataDir = stack.temp.dir('killed-data');
    writeFileSync(path.join(dataDir, 'big.bin'), randomBytes(20 * 1024 * 1024));
    // Above the multipart threshold given here, the file goes up in parts.
    dirs = ['--data-dir', dataDir, '--job-dir', JOB_DIR, '--multipart-threshold', '8'];
  });

  it('leaves its lock and an open upload; the next up takes the lock over, aborts the upload and converges', async () => {
    const up = stack.startCli(['up', ...dirs]);
    const deadline = Date.now() + 30_000;
    while (!stack.log.requests.some((r) => r.operation === 'UploadPart')) {
      if (Date.now() > deadline) throw new Error('no multipart upload started');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    up.kill('SIGKILL');
    await up.exited;
    const open = await stack.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(open.Uploads ?? []).toHaveLength(1);

    const resumed = await stack.cli(['up', ...dirs]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The killed up's lock is taken over: its process is gone from this machine.
    expect(resumed.stderr).toMatch(/took over the lock of `up` \(pid \d+\), which is no longer running on this machine/);
    expect(resumed.stderr).toContain('aborted 1 unfinished uploads left by an interrupted up');
    const after = await stack.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(after.Uploads ?? []).toEqual([]);
    // Sent in parts of 8 MiB, each with its CRC32: the object is the file, and its checksum is the
    // composite one, the CRC32 of the parts' CRC32s (AWS adds "-3"; moto does not).
    const local = readFileSync(path.join(dataDir, 'big.bin'));
    const parts = [0, 1, 2].map((i) => local.subarray(i * 8 * 1024 * 1024, (i + 1) * 8 * 1024 * 1024));
    const crc = (data: Uint8Array) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(data));
      return out;
    };
    const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/big.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32?.replace(/-3$/, '')).toBe(crc(Buffer.concat(parts.map(crc))).toString('base64'));
    const stored = await (await stack.aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/big.bin' }))).Body!.transformToByteArray();
    const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    expect(sha(stored)).toBe(sha(local));

    stack.log.clear();
    expect((await stack.cli(['up', ...dirs])).code).toBe(0);
    expect(stack.log.mutating()).toEqual([]);
  });
});
