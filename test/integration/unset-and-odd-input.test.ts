import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR, RAW_DATA_DIR } from './support/paths.js';

/** For the commands refused before they read anything: the real data, named as a user would. */
const dirs = ['--data-dir', RAW_DATA_DIR, '--job-dir', JOB_DIR];

/**
 * Input a script or a person gets wrong: an unset variable, a flag-like value, a region AWS does
 * not have, credentials in the endpoint URL. Each is refused before the first AWS request, with
 * one line naming the option, and never touches the default stack.
 */
describe('unset and odd input against a deployed default stack', () => {
  const stack = useEmulator();
  /** For the commands that go on to check and upload the data: a few rows and the data contract. */
  let tinyDirs: string[];

  beforeAll(async () => {
    tinyDirs = ['--data-dir', stack.temp.tinyRawData('odd-input-data', { contract: true }).dir, '--job-dir', JOB_DIR];
    const deployed = await stack.cli(['up', ...tinyDirs]);
    expect(deployed.code, deployed.stderr).toBe(0);
  });

  it.each([
    [['teardown', '--yes', '--name', ''], {}, 'invalid --name ""'],
    [['teardown', '--yes', '--name'], {}, 'invalid --name ""'],
    [['teardown', '--yes'], { PROVISIONER_NAME: '' }, 'invalid --name ""'],
    [['teardown', '--yes', '--bucket', ''], {}, 'invalid --bucket ""'],
    [['teardown', '--yes', '--name', '-ab'], {}, 'invalid --name "-ab"'],
    [['up', ...dirs, '--workers', ''], {}, 'invalid --workers ""'],
    [['up', ...dirs, '--region', 'eu-north-9'], {}, 'invalid --region "eu-north-9"'],
    [['up', ...dirs, '--schedule', 'cron(* * * * ? *)'], {}, 'at most every 5 minutes'],
    [['up', ...dirs, '--schedule', 'cron(0 6 31 2 ? *)'], {}, 'never'],
    [['up', ...dirs, '--schedule', 'cron(0 6 1 1 ? 2020)'], {}, 'year field "2020"'],
  ])('%j %j is refused with exit 2 and one line, before any AWS request', async (args, extra, text) => {
    stack.log.clear();
    const result = await stack.cli(args, { env: extra });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(text);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(stack.log.requests).toEqual([]);
  });

  it('the default stack is still there', async () => {
    stack.log.clear();
    const again = await stack.cli(['up', ...tinyDirs]);
    expect(again.code, again.stderr).toBe(0);
    expect(stack.log.mutating()).toEqual([]);
  });

  it('never prints the password of an endpoint URL', async () => {
    const endpoint = stack.log.url.replace('http://', 'http://admin:hunter2@');
    const plan = await stack.cli(['plan', ...tinyDirs, '--endpoint-url', endpoint, '--log-level', 'debug']);
    expect(plan.stderr).toContain('endpoint http://admin:****@127.0.0.1:');
    expect(plan.stderr + plan.stdout).not.toContain('hunter2');
    const refused = await stack.cli(['plan', ...tinyDirs, '--endpoint-url', endpoint.replace('http:', 'ftp:')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('hunter2');
  });
});
