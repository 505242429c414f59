import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from './support/cli.js';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';
const LOCK = '.provisioner/lock.json';

describe('the stack lock', () => {
  let slowUploads = false;
  const stack = useEmulator({
    // While slowUploads is on, every raw upload takes a while, so a second command lands mid-up.
    requestLog: { delay: (r) => (slowUploads && r.service === 's3' && r.method === 'PUT' && r.path.includes('/raw/') ? 6_000 : 0) },
  });
  let dirs: string[];

  beforeAll(async () => {
    // A few rows with the data contract: the subject is the lock, not the data (the 3 million real
    // rows would only add the contract's check of them to every up).
    dirs = ['--data-dir', stack.temp.tinyRawData('lock-data', { contract: true }).dir, '--job-dir', JOB_DIR];
    const up = await stack.cli(['up', ...dirs]);
    expect(up.code, up.stderr).toBe(0);
  });

  it('leaves no lock behind after a command that held it', async () => {
    await expect(stack.aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: LOCK }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('a teardown started while up runs is refused, naming the holder; up finishes and the stack is whole', async () => {
    slowUploads = true;
    stack.log.clear();
    // A changed data file makes up upload again, inside its lock.
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raw/airports/airports.csv', Body: 'changed behind up\'s back' }));
    const up = stack.startCli(['up', ...dirs, '--prune']);
    const deadline = Date.now() + 30_000;
    while (!stack.log.requests.some((r) => r.method === 'PUT' && r.path.endsWith(`/${LOCK}`))) {
      if (Date.now() > deadline) throw new Error(`up took no lock: ${up.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const teardown: CliResult = await stack.cli(['teardown', '--yes']);
    slowUploads = false;
    expect(teardown.code, teardown.stderr + '\n---up---\n' + up.stderr).toBe(1);
    expect(teardown.stderr).toMatch(/stack flight-delays is locked by `up` of \S+ \(pid \d+\), started \d+ s ago/);
    expect(teardown.stderr).toContain('provisioner unlock ');
    expect(await up.exited, up.stderr).toBe(0);

    stack.log.clear();
    const again = await stack.cli(['up', ...dirs]);
    expect(again.code, again.stderr).toBe(0);
    // Whole and in sync: nothing to change, so not even a lock is written.
    expect(stack.log.mutating()).toEqual([]);
  });

  it('a lock left by a command that died stops up and teardown until unlock is given its ID', async () => {
    const dead = { id: 'dead-beef', command: 'up', who: 'ci@runner-3', pid: 999_999, createdAt: new Date(Date.now() - 3 * 3600_000).toISOString() };
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK, Body: JSON.stringify(dead) }));
    // Something to change, so up needs the lock (an up with nothing to change takes none).
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raw/airports/airports.csv', Body: 'changed again' }));

    stack.log.clear();
    const up = await stack.cli(['up', ...dirs]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('is locked by `up` of ci@runner-3 (pid 999999), started 3 h ago');
    expect(up.stderr).toContain('provisioner unlock dead-beef --name flight-delays');
    // Its only write was the attempt to take the lock, which S3 refused: the dead command's lock stands.
    expect(stack.log.mutating().map((r) => r.path)).toEqual([`/${BUCKET}/${LOCK}`]);
    const standing = await stack.aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: LOCK }));
    expect(JSON.parse(await standing.Body!.transformToString())).toEqual(dead);
    expect((await stack.cli(['teardown', '--yes'])).code).toBe(1);

    const wrong = await stack.cli(['unlock', 'not-the-id']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('with lock ID dead-beef');

    const unlocked = await stack.cli(['unlock', 'dead-beef']);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain('Unlocked stack flight-delays (lock dead-beef)');
    const fixed = await stack.cli(['up', ...dirs]);
    expect(fixed.code, fixed.stderr).toBe(0);
    const down = await stack.cli(['teardown', '--yes']);
    expect(down.code, down.stderr).toBe(0);
  });

  it('an up with nothing to change needs no lock, so a lock held elsewhere does not stop it', async () => {
    expect((await stack.cli(['up', ...dirs])).code).toBe(0);
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK, Body: JSON.stringify({ id: 'x', command: 'run --local', who: 'a@b', pid: 1, createdAt: new Date().toISOString() }) }));
    stack.log.clear();
    const up = await stack.cli(['up', ...dirs]);
    expect(up.code, up.stderr).toBe(0);
    expect(stack.log.mutating()).toEqual([]);
    expect((await stack.cli(['unlock', 'x'])).code).toBe(0);
  });
});
