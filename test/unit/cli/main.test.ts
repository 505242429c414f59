import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetCrawlerCommand, GetDatabaseCommand, GetJobCommand, GetTagsCommand, GetTriggerCommand, GetWorkflowCommand } from '@aws-sdk/client-glue';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { cleanCliEnvironment } from '../support/cli.js';
import { mockEveryClient, sentThrough } from '../support/sdk.js';
import { OPTIONS } from '../../../src/config/options.js';

/**
 * main() runs with a fake environment: a region, dummy credentials and an endpoint on a closed
 * local port, so a call that slipped past validation fails here instead of reaching AWS. Every SDK
 * client class is mocked as well, and the tests check that the failing ones sent nothing.
 */
const mocks = mockEveryClient();
const allCalls = (): string[] => sentThrough(mocks);

let stderr: string[];
let stdout: string[];
let workDir: string;
let stdinTty: boolean | undefined;

beforeEach(async () => {
  for (const mock of Object.values(mocks)) mock.reset();
  ({ stderr, stdout } = cleanCliEnvironment());
  stdinTty = process.stdin.isTTY;
  process.stdin.isTTY = false;
  workDir = await mkdtemp(path.join(tmpdir(), 'cli-test-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  process.stdin.isTTY = stdinTty as boolean;
  await rm(workDir, { recursive: true, force: true });
});

const errorOutput = () => stderr.join('');

describe('main: bad input stops before any AWS call, with exit code 2', () => {
  it('rejects a bad cron schedule, naming it', async () => {
    await expect(main(['up', '--schedule', 'cron(bad)'])).resolves.toBe(2);
    expect(errorOutput()).toContain('invalid --schedule "cron(bad)"');
    expect(allCalls()).toHaveLength(0);
  });

  it('rejects an unknown command', async () => {
    await expect(main(['deploy'])).resolves.toBe(2);
    expect(errorOutput()).toMatch(/deploy/);
    expect(allCalls()).toHaveLength(0);
  });

  it('asks for a command when none is given', async () => {
    await expect(main([])).resolves.toBe(2);
    expect(errorOutput()).toContain('name a command');
  });

  it('rejects an unknown option', async () => {
    await expect(main(['plan', '--no-such-flag'])).resolves.toBe(2);
    expect(allCalls()).toHaveLength(0);
  });

  it.each([
    [['plan', '--name', 'Bad_Name'], 'invalid --name "Bad_Name"'],
    [['plan', '--bucket', 'UPPER_case'], 'invalid --bucket "UPPER_case"'],
    [['plan', '--region', 'mars-1'], 'invalid --region "mars-1"'],
    [['plan', '--workers', '1'], 'invalid --workers 1'],
    [['plan', '--workers', 'many'], 'invalid --workers'],
    [['plan', '--role-arn', 'my-role'], 'invalid --role-arn "my-role"'],
    [['plan', '--endpoint-url', 'localhost:4566'], 'invalid --endpoint-url "localhost:4566"'],
    [['status', '--worker-type', 'G.3X'], 'G.3X'],
    [['status', '--runs', '0'], 'invalid --runs 0: expected a whole number from 1 to 50'],
    [['cycle', '--to', 'out', '--yes', '--timeout', 'abc'], 'invalid --timeout "abc": expected a number greater than 0'],
    [['cycle', '--to', 'out', '--yes', '--poll-interval', 'often'], 'invalid --poll-interval "often": expected a number greater than 0'],
    [['status', '--runs'], 'invalid --runs "": expected a whole number from 1 to 50'],
    [['plan', '--glue-version', '4.0'], 'invalid --glue-version "4.0": valid values are 5.0, 5.1, 6.0'],
    [['plan', '--execution-class', 'FLEX', '--worker-type', 'G.8X'], 'invalid --worker-type G.8X with --execution-class FLEX'],
    [['plan', '--python-modules', 'pandas=='], 'invalid --python-modules "pandas=="'],
    [['plan', '--retention-days', '-1'], 'invalid --retention-days -1'],
    [['run', '--local', '--python', ''], 'invalid --python "": expected a non-empty value'],
  ])('rejects %j', async (argv, text) => {
    await expect(main(argv)).resolves.toBe(2);
    expect(errorOutput()).toContain(text);
    expect(allCalls()).toHaveLength(0);
  });

  it('reads options from PROVISIONER_* variables and validates them too', async () => {
    vi.stubEnv('PROVISIONER_SCHEDULE', 'cron(0 6 1 * MON *)');
    await expect(main(['plan'])).resolves.toBe(2);
    expect(errorOutput()).toContain('cron(0 6 1 * MON *)');
    expect(allCalls()).toHaveLength(0);
  });

  it('rejects a config file that is not JSON', async () => {
    const file = path.join(workDir, 'config.json');
    await writeFile(file, '{ name: unquoted }');
    await expect(main(['plan', '--config', file])).resolves.toBe(2);
    expect(errorOutput()).toContain(`invalid --config "${file}"`);
    expect(errorOutput()).not.toContain('YError');
    expect(allCalls()).toHaveLength(0);
  });

  it('rejects a config file that is not JSON in one line, even where the JSON error quotes the file', async () => {
    const file = path.join(workDir, 'config.json');
    await writeFile(file, 'name: x\nfoo\n');
    await expect(main(['plan', '--config', file])).resolves.toBe(2);
    const lines = errorOutput().trim().split('\n');
    expect(lines, errorOutput()).toHaveLength(1);
    expect(lines[0]).toContain(`invalid --config "${file}": not JSON`);
    expect(allCalls()).toHaveLength(0);
  });

  // Empty text is a value given: `teardown --yes --name "$UNSET"` must not tear down the default stack.
  it.each([
    [['teardown', '--yes', '--name', ''], {}, 'invalid --name "": use 2 to 32 lowercase letters'],
    [['teardown', '--yes', '--name'], {}, 'invalid --name "": use 2 to 32 lowercase letters'],
    [['teardown', '--name', '--yes'], {}, 'invalid --name "": use 2 to 32 lowercase letters'],
    [['plan', '--workers'], {}, 'invalid --workers "": expected a whole number from 2 to 299'],
    [['teardown', '--yes'], { PROVISIONER_NAME: '' }, 'invalid --name "": use 2 to 32 lowercase letters'],
    [['teardown', '--yes', '--bucket', ''], {}, 'invalid --bucket "": it is empty'],
    [['teardown', '--yes'], { PROVISIONER_BUCKET: '' }, 'invalid --bucket "": it is empty'],
    [['plan', '--region', ''], {}, 'invalid --region "": expected an AWS region'],
    [['plan', '--workers', ''], {}, 'invalid --workers "": expected a whole number from 2 to 299'],
    [['plan'], { PROVISIONER_WORKERS: '' }, 'invalid --workers "": expected a whole number from 2 to 299'],
    [['plan', '--job-timeout', ''], {}, 'invalid --job-timeout "": expected a whole number'],
    [['plan', '--data-dir', ''], {}, 'invalid --data-dir "": expected a directory'],
    [['run', '--timeout', ''], {}, 'invalid --timeout "": expected a number greater than 0'],
    [['plan', '--config'], {}, 'invalid --config "": expected the path of a JSON file'],
    [['plan', '--config', ''], {}, 'invalid --config "": expected the path of a JSON file'],
    [['plan'], { PROVISIONER_CONFIG: '' }, 'invalid --config "": expected the path of a JSON file'],
  ])('rejects the empty value in %j %j', async (argv, env, text) => {
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    await expect(main(argv)).resolves.toBe(2);
    expect(errorOutput()).toContain(text);
    expect(errorOutput().trim().split('\n')).toHaveLength(1);
    expect(allCalls()).toHaveLength(0);
  });

  it.each([
    [['plan', '--name', '-ab'], 'invalid --name "-ab": use 2 to 32 lowercase letters'],
    [['plan', '--bucket', '-x'], 'invalid --bucket "-x"'],
  ])('reads a value starting with "-" as the value, not as flags: %j', async (argv, text) => {
    await expect(main(argv)).resolves.toBe(2);
    expect(errorOutput()).toContain(text);
    expect(allCalls()).toHaveLength(0);
  });

  it.each([
    [['run', '--local', '--spark-memory', '512m'], {}, 'invalid --spark-memory "512m": below 1g'],
    [['cycle', '--local', '--to', 'out', '--yes', '--spark-memory', '4gb'], {}, 'invalid --spark-memory "4gb": valid values are auto'],
    [['run', '--local'], { PROVISIONER_SPARK_MEMORY: 'lots' }, 'invalid --spark-memory "lots": valid values are auto'],
  ])('refuses a bad --spark-memory from the flag or PROVISIONER_SPARK_MEMORY before anything runs: %j %j', async (argv, env, text) => {
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    await expect(main(argv)).resolves.toBe(2);
    expect(errorOutput()).toContain(text);
    expect(errorOutput().trim().split('\n')).toHaveLength(1);
    expect(allCalls()).toHaveLength(0);
  });

  it('reads --spark-memory from the config file as sparkMemory', async () => {
    const file = path.join(workDir, 'config.json');
    await writeFile(file, JSON.stringify({ sparkMemory: '256m' }));
    await expect(main(['run', '--local', '--config', file])).resolves.toBe(2);
    expect(errorOutput()).toContain('invalid --spark-memory "256m": below 1g');
    expect(allCalls()).toHaveLength(0);
  });

  it('still takes negative numbers as numbers', async () => {
    await expect(main(['plan', '--workers', '-3'])).resolves.toBe(2);
    expect(errorOutput()).toContain('invalid --workers -3:');
  });

  it('rejects a well-formed region AWS does not have, before any call', async () => {
    await expect(main(['plan', '--region', 'eu-north-9'])).resolves.toBe(2);
    expect(errorOutput()).toContain('invalid --region "eu-north-9"');
    expect(errorOutput()).toContain('aws account list-regions');
    expect(allCalls()).toHaveLength(0);
  });

  it('never echoes a password of the endpoint URL in an error', async () => {
    await expect(main(['plan', '--endpoint-url', 'ftp://admin:hunter2@127.0.0.1:9'])).resolves.toBe(2);
    expect(errorOutput()).toContain('invalid --endpoint-url "ftp://admin:****@127.0.0.1:9"');
    expect(errorOutput()).not.toContain('hunter2');
  });

  it('rejects a missing data directory before connecting', async () => {
    const missing = path.join(workDir, 'no-data');
    await expect(main(['up', '--data-dir', missing, '--job-dir', workDir])).resolves.toBe(2);
    expect(errorOutput()).toContain(`invalid --data-dir "${missing}"`);
    expect(allCalls()).toHaveLength(0);
  });
});

describe('main teardown', () => {
  /** AWS (mocked) holds a trigger and a bucket of this stack, and nothing else. */
  function deployedStack(): void {
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
    mocks.glue.on(GetTriggerCommand).resolves({ Trigger: { Name: 'x' } });
    mocks.glue.on(GetTagsCommand).resolves({ Tags: { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' } });
    for (const command of [GetWorkflowCommand, GetJobCommand, GetCrawlerCommand, GetDatabaseCommand] as const) {
      mocks.glue.on(command as typeof GetJobCommand).resolves({});
    }
    mocks.iam.on(GetRoleCommand).resolves({});
    mocks.s3.on(HeadBucketCommand).resolves({});
    mocks.s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
  }

  it('refuses without --yes when nobody can confirm, deleting nothing', async () => {
    deployedStack();
    await expect(main(['teardown'])).resolves.toBe(2);
    expect(errorOutput()).toContain('pass --yes');
    const sent = allCalls();
    expect(sent).toContain('GetCallerIdentityCommand');
    expect(sent.filter((name) => !/^(Get|Head|List|Describe)/.test(name))).toEqual([]);
  });
});

describe('main: the plain-HTTP warning', () => {
  it('names the endpoint without its password', async () => {
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/me' });
    await mkdir(path.join(workDir, 'data'));
    await writeFile(path.join(workDir, 'data', 'rows.csv'), 'a,b\n');
    await writeFile(path.join(workDir, 'job.py'), 'print(1)\n');
    await main(['plan', '--endpoint-url', 'http://admin:hunter2@127.0.0.1:9', '--data-dir', path.join(workDir, 'data'), '--job-dir', workDir]);
    expect(errorOutput()).toContain('endpoint http://admin:****@127.0.0.1:9 is plain HTTP');
    expect(errorOutput()).not.toContain('hunter2');
  });
});

describe('main: --help', () => {
  it('offers every option of the option table, with its default', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    await main(['--help']);
    const help = [...logged, ...stdout].join('\n');
    for (const spec of Object.values(OPTIONS)) {
      expect(help, spec.flag).toContain(`--${spec.flag}`);
      if ('default' in spec) expect(help, spec.flag).toContain(`[default: ${JSON.stringify(spec.default)}]`);
    }
    expect(allCalls()).toHaveLength(0);
  });
});
