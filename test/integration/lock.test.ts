import { spawn } from 'node:child_process';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli, type CliResult } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';

const CLI = path.resolve('dist/cli.js');
const BUCKET = 'flight-delays-123456789012-us-east-1';
const LOCK = '.provisioner/lock.json';
const dirs = ['--data-dir', path.resolve('rawdata'), '--job-dir', path.resolve('glue-job')];

describe('the stack lock', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;
  let s3: S3Client;
  let slowUploads = false;

  beforeAll(async () => {
    moto = await startMoto();
    // While slowUploads is on, every raw upload takes a while, so a second command lands mid-up.
    log = await startRequestLog(moto.url, {
      delay: (r) => (slowUploads && r.service === 's3' && r.method === 'PUT' && r.path.includes('/raw/') ? 6_000 : 0),
    });
    env = awsEnv(log.url);
    s3 = new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const up = await runCli(['up', ...dirs], env);
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    s3?.destroy();
    await log?.close();
    await moto?.stop();
  });

  it('leaves no lock behind after a command that held it', async () => {
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: LOCK }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('a teardown started while up runs is refused, naming the holder; up finishes and the stack is whole', async () => {
    slowUploads = true;
    log.clear();
    const child = spawn(process.execPath, [CLI, 'up', ...dirs, '--prune'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let upErr = '';
    child.stderr.on('data', (c: Buffer) => (upErr += c.toString()));
    const upDone = new Promise<number | null>((resolve) => child.on('close', resolve));
    // A changed data file makes up upload again, inside its lock.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raw/airports/airports.csv', Body: 'changed behind up\'s back' }));
    const deadline = Date.now() + 30_000;
    while (!log.requests.some((r) => r.method === 'PUT' && r.path.endsWith(`/${LOCK}`))) {
      if (Date.now() > deadline) throw new Error(`up took no lock: ${upErr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const teardown: CliResult = await runCli(['teardown', '--yes'], env);
    slowUploads = false;
    expect(teardown.code, teardown.stderr + '\n---up---\n' + upErr).toBe(1);
    expect(teardown.stderr).toMatch(/stack flight-delays is locked by `up` of \S+ \(pid \d+\), started \d+ s ago/);
    expect(teardown.stderr).toContain('provisioner unlock ');
    expect(await upDone, upErr).toBe(0);

    log.clear();
    const again = await runCli(['up', ...dirs], env);
    expect(again.code, again.stderr).toBe(0);
    // Whole and in sync: nothing to change, so not even a lock is written.
    expect(log.mutating()).toEqual([]);
  });

  it('a lock left by a command that died stops up and teardown until unlock is given its ID', async () => {
    const dead = { id: 'dead-beef', command: 'up', who: 'ci@runner-3', pid: 999_999, createdAt: new Date(Date.now() - 3 * 3600_000).toISOString() };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK, Body: JSON.stringify(dead) }));
    // Something to change, so up needs the lock (an up with nothing to change takes none).
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raw/airports/airports.csv', Body: 'changed again' }));

    log.clear();
    const up = await runCli(['up', ...dirs], env);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('is locked by `up` of ci@runner-3 (pid 999999), started 3 h ago');
    expect(up.stderr).toContain('provisioner unlock dead-beef --name flight-delays');
    // Its only write was the attempt to take the lock, which S3 refused: the dead command's lock stands.
    expect(log.mutating().map((r) => r.path)).toEqual([`/${BUCKET}/${LOCK}`]);
    const standing = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: LOCK }));
    expect(JSON.parse(await standing.Body!.transformToString())).toEqual(dead);
    expect((await runCli(['teardown', '--yes'], env)).code).toBe(1);

    const wrong = await runCli(['unlock', 'not-the-id'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('with lock ID dead-beef');

    const unlocked = await runCli(['unlock', 'dead-beef'], env);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain('Unlocked stack flight-delays (lock dead-beef)');
    const fixed = await runCli(['up', ...dirs], env);
    expect(fixed.code, fixed.stderr).toBe(0);
    const down = await runCli(['teardown', '--yes'], env);
    expect(down.code, down.stderr).toBe(0);
  });

  it('an up with nothing to change needs no lock, so a lock held elsewhere does not stop it', async () => {
    expect((await runCli(['up', ...dirs], env)).code).toBe(0);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK, Body: JSON.stringify({ id: 'x', command: 'run --local', who: 'a@b', pid: 1, createdAt: new Date().toISOString() }) }));
    log.clear();
    const up = await runCli(['up', ...dirs], env);
    expect(up.code, up.stderr).toBe(0);
    expect(log.mutating()).toEqual([]);
    expect((await runCli(['unlock', 'x'], env)).code).toBe(0);
  });
});
