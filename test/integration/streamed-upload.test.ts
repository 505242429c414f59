import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';
const MIB = 1024 * 1024;

describe('files sent in one PUT', () => {
  const stack = useEmulator({ proxy: 'faults' });
  let dataDir: string;
  let args: string[];

  beforeAll(() => {
    dataDir = stack.temp.dir('streamed-data');
    // 9 MiB and a bit: past the 8 MiB part, under the default threshold of 64 MiB.
    writeFileSync(path.join(dataDir, 'mid.bin'), randomBytes(9 * MIB + 17));
    writeFileSync(path.join(dataDir, 'small.csv'), 'a,b\n1,2\n');
    args = ['up', '--data-dir', dataDir, '--job-dir', JOB_DIR];
  });

  it('goes up in one PUT that carries its SHA-256; a dropped connection sends it again, whole', async () => {
    const isMid = (r: { operation: string; path: string }) => r.operation === 'PutObject' && r.path.endsWith('/raw/mid.bin');
    stack.faults.configure([{ kind: 'drop', match: isMid, occurrences: [1] }], 1);
    const first = await stack.cli(args);
    expect(first.code, first.stderr).toBe(0);
    // The SDK's own note that it does not retry a stream stays out of the output.
    expect(first.stderr).not.toMatch(/streaming request/);

    expect(stack.faults.requests.filter(isMid).map((r) => r.fault ?? 'sent')).toEqual(['drop', 'sent']);
    expect(stack.faults.requests.filter((r) => /Multipart|UploadPart/.test(r.operation))).toEqual([]);

    const local = readFileSync(path.join(dataDir, 'mid.bin'));
    const digest = createHash('sha256').update(local).digest();
    const head = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/mid.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(digest.toString('base64'));
    expect(head.Metadata?.sha256).toBe(digest.toString('hex'));
    const stored = await (await stack.aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'raw/mid.bin' }))).Body!.transformToByteArray();
    expect(Buffer.from(stored).equals(local)).toBe(true);

    // A small file, sent from memory, carries its SHA-256 the same way.
    const small = await stack.aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raw/small.csv', ChecksumMode: 'ENABLED' }));
    expect(small.ChecksumSHA256).toBe(createHash('sha256').update('a,b\n1,2\n').digest('base64'));

    stack.faults.configure([], 1);
    stack.faults.clear();
    const again = await stack.cli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(stack.faults.mutating()).toEqual([]);
  });
});
