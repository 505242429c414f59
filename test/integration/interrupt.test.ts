import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';

/** What `up` creates after the role: none of it may be created once the signal came. */
const LATER_CREATES = ['CreateDatabase', 'CreateCrawler', 'CreateJob', 'CreateWorkflow', 'CreateTrigger'];

describe('Ctrl-C during up', () => {
  const stack = useEmulator({
    // Hold every upload of raw data for a while, so the interrupt lands mid-upload.
    requestLog: {
      // The role's create is held too, so the signal comes while the Glue side is mid-walk.
      delay: (r) => (r.service === 's3' && r.method === 'PUT' && r.path.includes('/raw/') ? 1_000 : r.operation === 'CreateRole' ? 2_000 : 0),
    },
  });
  let dirs: string[];

  beforeAll(() => {
    // A few rows with the data contract: the subject is the signal, not the data (the 3 million real
    // rows would only add the contract's check of them and their upload to every up).
    dirs = ['--data-dir', stack.temp.tinyRawData('interrupt-data', { contract: true }).dir, '--job-dir', JOB_DIR];
  });

  it('exits 130 mid-upload, and the next up resumes and converges', async () => {
    const up = stack.startCli(['up', ...dirs]);

    const deadline = Date.now() + 30_000;
    while (!stack.log.requests.some((r) => r.method === 'PUT' && r.path.includes('/raw/'))) {
      if (Date.now() > deadline) throw new Error(`no upload started: ${up.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    up.kill('SIGINT');
    expect(await up.exited).toBe(130);
    expect(up.stderr).toMatch(/interrupt/i);
    // The role was being made while the data went up; after the signal nothing more is created.
    expect(stack.log.requests.filter((r) => LATER_CREATES.includes(r.operation))).toEqual([]);

    const resumed = await stack.cli(['up', ...dirs]);
    expect(resumed.code, resumed.stderr).toBe(0);
    stack.log.clear();
    const again = await stack.cli(['up', ...dirs]);
    expect(again.code).toBe(0);
    expect(stack.log.mutating()).toEqual([]);
  });
});
