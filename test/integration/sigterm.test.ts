import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';

const CLI = path.resolve('dist/cli.js');
const BUCKET = 'sigterm-test-bucket';
/** What `up` creates after the role: none of it may be created once the signal came. */
const LATER_CREATES = ['CreateDatabase', 'CreateCrawler', 'CreateJob', 'CreateWorkflow', 'CreateTrigger'];

/**
 * Kubernetes, systemd and most schedulers stop a process with SIGTERM: `up` must take the path of
 * Ctrl-C (finish the current call, abort the open multipart upload) and exit 143.
 */
describe('SIGTERM during up', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;
  let dataDir: string;
  let args: string[];

  beforeAll(async () => {
    moto = await startMoto();
    // Hold every part of a multipart upload for a while, so the signal lands mid-upload.
    // The role's create is held too, so the signal comes while the Glue side is mid-walk.
    log = await startRequestLog(moto.url, { delay: (r) => (r.operation === 'UploadPart' ? 1_500 : r.operation === 'CreateRole' ? 2_000 : 0) });
    env = awsEnv(log.url);
    // One file of three 8 MiB parts (the part size of the transfer), above the multipart threshold
    // given below, so it goes up in parts.
    dataDir = await mkdtemp(path.join(tmpdir(), 'sigterm-data-'));
    await writeFile(path.join(dataDir, 'big.bin'), randomBytes(20 * 1024 * 1024));
    args = ['up', '--name', 'sigterm-test', '--bucket', BUCKET, '--data-dir', dataDir, '--job-dir', path.resolve('glue-job'), '--multipart-threshold', '8'];
  });

  afterAll(async () => {
    await log?.close();
    await moto?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 143 mid-upload, saying so, with no multipart upload left open; the next up converges', async () => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const deadline = Date.now() + 30_000;
    while (!log.requests.some((r) => r.operation === 'UploadPart')) {
      if (Date.now() > deadline) throw new Error(`no multipart upload started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(143);
    expect(stderr).toContain('interrupting on SIGTERM');
    const lastLine = stderr.trim().split('\n').pop() ?? '';
    expect(lastLine).toMatch(/^error .*interrupted/);
    // The SDK sends CreateMultipartUpload as POST ?uploads, without an x-id.
    expect(log.requests.filter((r) => r.method === 'POST' && r.operation === 'POST uploads'), log.requests.map((r) => r.operation).join(' ')).toHaveLength(1);
    // The role was being made while the data went up; after the signal nothing more is created.
    expect(log.requests.filter((r) => LATER_CREATES.includes(r.operation))).toEqual([]);

    // Parts the proxy still holds reach moto after the abort; none may reopen an upload.
    await new Promise((r) => setTimeout(r, 2_000));
    const s3 = new S3Client({ endpoint: moto.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      expect(open.Uploads ?? []).toEqual([]);
    } finally {
      s3.destroy();
    }

    const resumed = await runCli(args, env);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
