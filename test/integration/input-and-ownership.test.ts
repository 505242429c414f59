import { mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateJobCommand, GetJobCommand } from '@aws-sdk/client-glue';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';

describe('bad input, foreign resources and small changes', () => {
  const stack = useEmulator();
  /** Scratch space for folders the tests make. */
  let work: string;
  let dataDir: string;
  let jobDir: string;

  beforeAll(() => {
    work = stack.temp.dir('input');
    dataDir = stack.temp.dir('input-data');
    // The tests change the job's scripts: a copy of them.
    jobDir = stack.temp.jobCopy('input-job');
    mkdirSync(path.join(dataDir, 'flights', 'year=2001', 'month=01'), { recursive: true });
    writeFileSync(path.join(dataDir, 'flights', 'year=2001', 'month=01', 'part.csv'), 'date,delay\n01010600,5\n');
  });

  beforeEach(async () => {
    await stack.moto.reset();
    stack.log.clear();
  });

  const dirs = () => ['--data-dir', dataDir, '--job-dir', jobDir];

  async function expectRejected(args: string[], mentions: string, env: Record<string, string | undefined> = {}): Promise<void> {
    const result = await stack.cli(args, { env });
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(mentions);
    expect(stack.log.mutating()).toEqual([]);
  }

  it.each([
    [['--bucket', 'Bad_Bucket'], 'Bad_Bucket'],
    [['--schedule', 'cron(0 6 * * * *)'], 'cron(0 6 * * * *)'],
    [['--schedule', 'every quarter'], 'every quarter'],
    [['--name', 'Flight Delays'], 'Flight Delays'],
    [['--workers', '1'], '--workers'],
    [['--worker-type', 'G.9X'], 'G.9X'],
  ])('up %j is refused with exit 2 before any AWS request', async (args, mentions) => {
    await expectRejected(['up', ...dirs(), ...args], mentions);
    expect(stack.log.requests).toEqual([]);
  });

  it('a missing data directory is refused before any AWS request', async () => {
    await expectRejected(['up', '--data-dir', path.join(work, 'missing'), '--job-dir', jobDir], path.join(work, 'missing'));
    expect(stack.log.requests).toEqual([]);
  });

  it('an empty data directory is refused before any AWS request', async () => {
    const empty = path.join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    await expectRejected(['up', '--data-dir', empty, '--job-dir', jobDir], empty);
    expect(stack.log.requests).toEqual([]);
  });

  it('a role ARN from another account is refused and nothing is created', async () => {
    await expectRejected(['up', ...dirs(), '--role-arn', 'arn:aws:iam::999999999999:role/glue'], '999999999999');
  });

  it('missing credentials are refused with exit 2 and nothing is created', async () => {
    await expectRejected(['up', ...dirs()], 'credentials', { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
  });

  it('a bucket of the same name that this stack did not create is never adopted nor deleted', async () => {
    await stack.aws.s3.send(new CreateBucketCommand({ Bucket: 'flight-delays-123456789012-us-east-1' }));

    const up = await stack.cli(['up', ...dirs()]);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('not tagged as stack "flight-delays"');
    expect(stack.log.mutating()).toEqual([]);

    const teardown = await stack.cli(['teardown', '--yes']);
    expect(teardown.code).toBe(1);
    expect(teardown.stderr).toContain('leaving it alone');
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: 'flight-delays-123456789012-us-east-1' }))).resolves.toBeDefined();
    expect(stack.log.mutating()).toEqual([]);
  });

  it('a Glue job of the same name that this stack did not create is never adopted nor deleted', async () => {
    await stack.aws.glue.send(
      new CreateJobCommand({ Name: 'flight-delays-features', Role: 'arn:aws:iam::123456789012:role/theirs', Command: { Name: 'glueetl', ScriptLocation: 's3://theirs/job.py' } }),
    );
    const up = await stack.cli(['up', ...dirs()]);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('job flight-delays-features already exists and is not tagged as stack "flight-delays"');
    expect(stack.log.mutating().filter((r) => r.service === 'glue' && /Job|TagResource/.test(r.operation))).toEqual([]);

    const teardown = await stack.cli(['teardown', '--yes']);
    expect(teardown.code).toBe(1);
    const { Job } = await stack.aws.glue.send(new GetJobCommand({ JobName: 'flight-delays-features' }));
    expect(Job?.Command?.ScriptLocation).toBe('s3://theirs/job.py');
  });

  it('two stacks with different names live side by side', async () => {
    expect((await stack.cli(['up', ...dirs(), '--name', 'alpha'])).code).toBe(0);
    expect((await stack.cli(['up', ...dirs(), '--name', 'beta'])).code).toBe(0);
    const alphaDown = await stack.cli(['teardown', '--yes', '--name', 'alpha']);
    expect(alphaDown.code, alphaDown.stderr).toBe(0);
    const beta = JSON.parse((await stack.cli(['status', '--json', '--name', 'beta'])).stdout);
    expect(beta.resources.every((r: { exists: boolean }) => r.exists)).toBe(true);
  });

  it('a changed script is the only thing sent again, and --prune removes a deleted data file', async () => {
    expect((await stack.cli(['up', ...dirs()])).code).toBe(0);

    appendFileSync(path.join(jobDir, 'transforms.py'), '\n# changed\n');
    stack.log.clear();
    const changed = await stack.cli(['up', ...dirs()]);
    expect(changed.code, changed.stderr).toBe(0);
    // Under the stack's lock: the changed file, then the record of what was sent under scripts/; nothing else.
    expect(stack.log.mutating().map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /flight-delays-123456789012-us-east-1/.provisioner/lock.json',
      'PUT /flight-delays-123456789012-us-east-1/scripts/transforms.py',
      'PUT /flight-delays-123456789012-us-east-1/.provisioner/sent/scripts.json',
      'DELETE /flight-delays-123456789012-us-east-1/.provisioner/lock.json',
    ]);

    const extra = path.join(dataDir, 'flights', 'year=2001', 'month=01', 'extra.csv');
    writeFileSync(extra, 'date,delay\n');
    expect((await stack.cli(['up', ...dirs()])).code).toBe(0);
    rmSync(extra);

    stack.log.clear();
    const kept = await stack.cli(['up', ...dirs()]);
    expect(kept.code).toBe(0);
    expect(stack.log.mutating()).toEqual([]);

    const pruned = await stack.cli(['up', ...dirs(), '--prune']);
    expect(pruned.code, pruned.stderr).toBe(0);
    const pruning = stack.log.mutating().filter((r) => !r.path.endsWith('/.provisioner/lock.json'));
    expect(pruning.map((r) => r.operation)).toEqual(['PutObject', 'POST delete']);
    expect(pruning[0]?.path).toContain('/.provisioner/sent/raw.json');
    expect(pruning[1]?.body).toContain('raw/flights/year=2001/month=01/extra.csv');
  });

  it('plan shows a drifted setting as an update and changes nothing; a failing step names itself', async () => {
    expect((await stack.cli(['up', ...dirs()])).code).toBe(0);

    stack.log.clear();
    const plan = await stack.cli(['plan', ...dirs(), '--workers', '4', '--schedule', 'monthly']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/~ update +job +flight-delays-features +\(workers\)/);
    expect(plan.stdout).toMatch(/~ update +trigger +flight-delays-schedule +\(schedule\)/);
    expect(plan.stdout).toMatch(/Plan: 0 to create, 2 to update, 16 unchanged/);
    expect(stack.log.mutating()).toEqual([]);

    // The emulator has no UpdateJob: the step fails as it would on any AWS error, named, exit 1.
    const up = await stack.cli(['up', ...dirs(), '--workers', '4']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('update job flight-delays-features failed');
    // Only the job was touched, under the stack's lock, taken and given back; the emulator answers
    // 5xx, which the SDK retries (a bounded number of attempts).
    const isLock = (r: { path: string }) => r.path.endsWith('/.provisioner/lock.json');
    expect(stack.log.mutating().filter(isLock).map((r) => r.method)).toEqual(['PUT', 'DELETE']);
    const operations = stack.log.mutating().filter((r) => !isLock(r)).map((r) => r.operation);
    expect(new Set(operations)).toEqual(new Set(['UpdateJob']));
    expect(operations.length).toBeLessThanOrEqual(10);
  });
});
