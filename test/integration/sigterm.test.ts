import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';

const BUCKET = 'sigterm-test-bucket';
/** What `up` creates after the role: none of it may be created once the signal came. */
const LATER_CREATES = ['CreateDatabase', 'CreateCrawler', 'CreateJob', 'CreateWorkflow', 'CreateTrigger'];

/**
 * Kubernetes, systemd and most schedulers stop a process with SIGTERM: `up` must take the path of
 * Ctrl-C (finish the current call, abort the open multipart upload) and exit 143.
 */
describe('SIGTERM during up', () => {
  // Hold every part of a multipart upload for a while, so the signal lands mid-upload.
  // The role's create is held too, so the signal comes while the Glue side is mid-walk.
  const stack = useEmulator({ requestLog: { delay: (r) => (r.operation === 'UploadPart' ? 1_500 : r.operation === 'CreateRole' ? 2_000 : 0) } });
  let args: string[];

  beforeAll(() => {
    // One file of three 8 MiB parts (the part size of the transfer), above the multipart threshold
    // given below, so it goes up in parts.
    const dataDir = stack.temp.dir('sigterm-data');
    writeFileSync(path.join(dataDir, 'big.bin'), randomBytes(20 * 1024 * 1024));
    args = ['up', '--name', 'sigterm-test', '--bucket', BUCKET, '--data-dir', dataDir, '--job-dir', JOB_DIR, '--multipart-threshold', '8'];
  });

  it('exits 143 mid-upload, saying so, with no multipart upload left open; the next up converges', async () => {
    const up = stack.startCli(args);

    const deadline = Date.now() + 30_000;
    while (!stack.log.requests.some((r) => r.operation === 'UploadPart')) {
      if (Date.now() > deadline) throw new Error(`no multipart upload started: ${up.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    up.kill('SIGTERM');
    const code = await up.exited;
    const stderr = up.stderr;
    expect(code, stderr).toBe(143);
    expect(stderr).toContain('interrupting on SIGTERM');
    const lastLine = stderr.trim().split('\n').pop() ?? '';
    expect(lastLine).toMatch(/^error .*interrupted/);
    // The SDK sends CreateMultipartUpload as POST ?uploads, without an x-id.
    expect(stack.log.requests.filter((r) => r.method === 'POST' && r.operation === 'POST uploads'), stack.log.requests.map((r) => r.operation).join(' ')).toHaveLength(1);
    // The role was being made while the data went up; after the signal nothing more is created.
    expect(stack.log.requests.filter((r) => LATER_CREATES.includes(r.operation))).toEqual([]);

    // Parts the proxy still holds reach moto after the abort; none may reopen an upload.
    await new Promise((r) => setTimeout(r, 2_000));
    const open = await stack.aws.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(open.Uploads ?? []).toEqual([]);

    const resumed = await stack.cli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
  });
});
