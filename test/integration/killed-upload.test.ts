import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';

const CLI = path.resolve('dist/cli.js');
const BUCKET = 'flight-delays-123456789012-us-east-1';

describe('an up killed mid-upload (kill -9)', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;
  let s3: S3Client;
  let work: string;
  let dirs: string[];

  beforeAll(async () => {
    moto = await startMoto();
    // Parts of the big file take a while, so the kill lands while its upload is open.
    log = await startRequestLog(moto.url, { delay: (r) => (r.operation === 'UploadPart' ? 3_000 : 0) });
    env = awsEnv(log.url);
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    work = mkdtempSync(path.join(tmpdir(), 'provisioner-killed-'));
    mkdirSync(path.join(work, 'data'));
    writeFileSync(path.join(work, 'data', 'big.bin'), randomBytes(20 * 1024 * 1024));
    // Above the multipart threshold given here, the file goes up in parts.
    dirs = ['--data-dir', path.join(work, 'data'), '--job-dir', path.resolve('glue-job'), '--multipart-threshold', '8'];
  });

  afterAll(async () => {
    s3?.destroy();
    await log?.close();
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('leaves its lock and an open upload; the next up takes the lock over, aborts the upload and converges', async () => {
    const child = spawn(process.execPath, [CLI, 'up', ...dirs], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 30_000;
    while (!log.requests.some((r) => r.operation === 'UploadPart')) {
      if (Date.now() > deadline) throw new Error('no multipart upload started');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGKILL');
    await exited;
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(open.Uploads ?? []).toHaveLength(1);

    const resumed = await runCli(['up', ...dirs], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The killed up's lock is taken over: its process is gone from this machine.
    expect(resumed.stderr).toMatch(/took over the lock of `up` \(pid \d+\), which is no longer running on this machine/);
    expect(resumed.stderr).toContain('aborted 1 unfinished uploads left by an interrupted up');
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(after.Uploads ?? []).toEqual([]);
    // Sent in parts of 8 MiB, each with its CRC32: the object is the file, and its checksum is the
    // composite one, the CRC32 of the parts' CRC32s (AWS adds "-3"; moto does not).
    const local = readFileSync(path.join(work, 'data', 'big.bin'));
    const parts = [0, 1, 2].map((i) => local.subarray(i * 8 * 1024 * 1024, (i + 1) * 8 * 1024 * 1024));
    const crc = (data: Uint8Array) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(data));
      return out;
    };
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/big.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32?.replace(/-3$/, '')).toBe(crc(Buffer.concat(parts.map(crc))).toString('base64'));
    const stored = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/big.bin' }))).Body!.transformToByteArray();
    const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    expect(sha(stored)).toBe(sha(local));

    log.clear();
    expect((await runCli(['up', ...dirs], env)).code).toBe(0);
    expect(log.mutating()).toEqual([]);
  });
});
