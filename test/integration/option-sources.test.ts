import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';
import { writeTinyRawData } from './support/tiny-data.js';

/**
 * A stack with a dashboard, and the ways a user or a CI job says "dashboard: yes" besides the flag.
 * Read as false, each of them made the next `up` delete the dashboard.
 */
describe('options from variables and the config file against a stack with a dashboard', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;
  let work: string;
  let dirs: string[];
  let cloudwatch: CloudWatchClient;
  /** The stack's dashboards as CloudWatch lists them. */
  const dashboards = async () => ((await cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: 'sources-stack-' }))).DashboardEntries ?? []).map((d) => d.DashboardName);

  beforeAll(async () => {
    moto = await startMoto();
    log = await startRequestLog(moto.url);
    env = awsEnv(log.url);
    cloudwatch = new CloudWatchClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    work = mkdtempSync(path.join(tmpdir(), 'provisioner-option-sources-'));
    writeTinyRawData(path.join(work, 'data'));
    cpSync(path.resolve('glue-job'), path.join(work, 'job'), { recursive: true });
    dirs = ['--name', 'sources-stack', '--data-dir', path.join(work, 'data'), '--job-dir', path.join(work, 'job')];
    const deployed = await runCli(['up', ...dirs, '--dashboard'], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(await dashboards()).toHaveLength(1);
  });

  afterAll(async () => {
    cloudwatch?.destroy();
    await log?.close();
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(['1', 'yes', 'on', 'TRUE'])('up with PROVISIONER_DASHBOARD=%s keeps the dashboard: nothing changes', async (word) => {
    log.clear();
    const result = await runCli(['up', ...dirs], { ...env, PROVISIONER_DASHBOARD: word });
    expect(result.code, result.stderr).toBe(0);
    expect(log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it('up with "dashboard": "yes" in the config file keeps it too', async () => {
    const config = path.join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ dashboard: 'yes' }));
    log.clear();
    const result = await runCli(['up', ...dirs, '--config', config], env);
    expect(result.code, result.stderr).toBe(0);
    expect(log.mutating()).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it.each(['maybe', '', '2'])('up with PROVISIONER_DASHBOARD=%j is refused in one line before any request', async (word) => {
    log.clear();
    const result = await runCli(['up', ...dirs], { ...env, PROVISIONER_DASHBOARD: word });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`invalid --dashboard ${JSON.stringify(word)}: valid values are true, false, 1, 0, yes, no, on, off`)]);
    expect(log.requests).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it('up and status run with the variables a CI job exports for teardown and cycle', async () => {
    const exported = { ...env, PROVISIONER_DASHBOARD: 'true', PROVISIONER_YES: 'true', PROVISIONER_FORCE: 'true', PROVISIONER_TIMEOUT: '30', PROVISIONER_TEARDOWN_ON_FAILURE: 'true' };
    log.clear();
    const up = await runCli(['up', ...dirs], exported);
    expect(up.code, up.stderr).toBe(0);
    expect(log.mutating()).toEqual([]);
    const status = await runCli(['status', ...dirs, '--json'], exported);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { resources: { kind: string; exists: boolean }[] }).resources).toContainEqual(expect.objectContaining({ kind: 'dashboard', exists: true }));
  });
});
