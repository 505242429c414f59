import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';

const dirs = ['--data-dir', path.resolve('rawdata'), '--job-dir', path.resolve('glue-job')];

/**
 * Input a script or a person gets wrong: an unset variable, a flag-like value, a region AWS does
 * not have, credentials in the endpoint URL. Each is refused before the first AWS request, with
 * one line naming the option, and never touches the default stack.
 */
describe('unset and odd input against a deployed default stack', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    log = await startRequestLog(moto.url);
    env = awsEnv(log.url);
    const deployed = await runCli(['up', ...dirs], env);
    expect(deployed.code, deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    await log?.close();
    await moto?.stop();
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
    log.clear();
    const result = await runCli(args, { ...env, ...extra });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(text);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(log.requests).toEqual([]);
  });

  it('the default stack is still there', async () => {
    log.clear();
    const again = await runCli(['up', ...dirs], env);
    expect(again.code, again.stderr).toBe(0);
    expect(log.mutating()).toEqual([]);
  });

  it('never prints the password of an endpoint URL', async () => {
    const endpoint = log.url.replace('http://', 'http://admin:hunter2@');
    const plan = await runCli(['plan', ...dirs, '--endpoint-url', endpoint, '--log-level', 'debug'], env);
    expect(plan.stderr).toContain('endpoint http://admin:****@127.0.0.1:');
    expect(plan.stderr + plan.stdout).not.toContain('hunter2');
    const refused = await runCli(['plan', ...dirs, '--endpoint-url', endpoint.replace('http:', 'ftp:')], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('hunter2');
  });
});
