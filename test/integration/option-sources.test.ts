import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';

/**
 * A stack with a dashboard, and the ways a user or a CI job says "dashboard: yes" besides the flag.
 * Read as false, each of them made the next `up` delete the dashboard.
 */
describe('options from variables and the config file against a stack with a dashboard', () => {
  const emulator = useEmulator();
  let work: string;
  let dirs: string[];
  /** The stack's dashboards as CloudWatch lists them. */
  const dashboards = async () => ((await emulator.aws.cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: 'sources-stack-' }))).DashboardEntries ?? []).map((d) => d.DashboardName);

  beforeAll(async () => {
    work = emulator.temp.dir('option-sources');
    dirs = ['--name', 'sources-stack', '--data-dir', emulator.temp.tinyRawData('option-sources-data').dir, '--job-dir', emulator.temp.jobCopy('option-sources-job')];
    const deployed = await emulator.cli(['up', ...dirs, '--dashboard']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(await dashboards()).toHaveLength(1);
  });

  it.each(['1', 'yes', 'on', 'TRUE'])('up with PROVISIONER_DASHBOARD=%s keeps the dashboard: nothing changes', async (word) => {
    emulator.log.clear();
    const result = await emulator.cli(['up', ...dirs], { env: { PROVISIONER_DASHBOARD: word } });
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it('up with "dashboard": "yes" in the config file keeps it too', async () => {
    const config = path.join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ dashboard: 'yes' }));
    emulator.log.clear();
    const result = await emulator.cli(['up', ...dirs, '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.log.mutating()).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it.each(['maybe', '', '2'])('up with PROVISIONER_DASHBOARD=%j is refused in one line before any request', async (word) => {
    emulator.log.clear();
    const result = await emulator.cli(['up', ...dirs], { env: { PROVISIONER_DASHBOARD: word } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`invalid --dashboard ${JSON.stringify(word)}: valid values are true, false, 1, 0, yes, no, on, off`)]);
    expect(emulator.log.requests).toEqual([]);
    expect(await dashboards()).toHaveLength(1);
  });

  it('up and status run with the variables a CI job exports for teardown and cycle', async () => {
    const exported = { PROVISIONER_DASHBOARD: 'true', PROVISIONER_YES: 'true', PROVISIONER_FORCE: 'true', PROVISIONER_TIMEOUT: '30', PROVISIONER_TEARDOWN_ON_FAILURE: 'true' };
    emulator.log.clear();
    const up = await emulator.cli(['up', ...dirs], { env: exported });
    expect(up.code, up.stderr).toBe(0);
    expect(emulator.log.mutating()).toEqual([]);
    const status = await emulator.cli(['status', ...dirs, '--json'], { env: exported });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { resources: { kind: string; exists: boolean }[] }).resources).toContainEqual(expect.objectContaining({ kind: 'dashboard', exists: true }));
  });
});
