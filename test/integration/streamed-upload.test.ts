import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { startMoto, type MotoServer } from './support/moto.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';
const MIB = 1024 * 1024;

describe('files sent in one PUT', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  let s3: S3Client;
  let work: string;
  let args: string[];

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.url);
    env = awsEnv(proxy.url);
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    work = mkdtempSync(path.join(tmpdir(), 'provisioner-streamed-'));
    mkdirSync(path.join(work, 'data'));
    // 9 MiB and a bit: past the 8 MiB part, under the default threshold of 64 MiB.
    writeFileSync(path.join(work, 'data', 'mid.bin'), randomBytes(9 * MIB + 17));
    writeFileSync(path.join(work, 'data', 'small.csv'), 'a,b\n1,2\n');
    args = ['up', '--data-dir', path.join(work, 'data'), '--job-dir', path.resolve('glue-job')];
  });

  afterAll(async () => {
    s3?.destroy();
    await proxy?.close();
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('goes up in one PUT that carries its SHA-256; a dropped connection sends it again, whole', async () => {
    const isMid = (r: { operation: string; path: string }) => r.operation === 'PutObject' && r.path.endsWith('/raw/mid.bin');
    proxy.configure([{ kind: 'drop', match: isMid, occurrences: [1] }], 1);
    const first = await runCli(args, env);
    expect(first.code, first.stderr).toBe(0);
    // The SDK's own note that it does not retry a stream stays out of the output.
    expect(first.stderr).not.toMatch(/streaming request/);

    expect(proxy.requests.filter(isMid).map((r) => r.fault ?? 'sent')).toEqual(['drop', 'sent']);
    expect(proxy.requests.filter((r) => /Multipart|UploadPart/.test(r.operation))).toEqual([]);

    const local = readFileSync(path.join(work, 'data', 'mid.bin'));
    const digest = createHash('sha256').update(local).digest();
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/mid.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(digest.toString('base64'));
    expect(head.Metadata?.sha256).toBe(digest.toString('hex'));
    const stored = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/mid.bin' }))).Body!.transformToByteArray();
    expect(Buffer.from(stored).equals(local)).toBe(true);

    // A small file, sent from memory, carries its SHA-256 the same way.
    const small = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/small.csv', ChecksumMode: 'ENABLED' }));
    expect(small.ChecksumSHA256).toBe(createHash('sha256').update('a,b\n1,2\n').digest('base64'));

    proxy.configure([], 1);
    proxy.clear();
    const again = await runCli(args, env);
    expect(again.code, again.stderr).toBe(0);
    expect(proxy.mutating()).toEqual([]);
  });
});
