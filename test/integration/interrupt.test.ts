import { describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR, RAW_DATA_DIR } from './support/paths.js';

const dirs = ['--data-dir', RAW_DATA_DIR, '--job-dir', JOB_DIR];
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

  it('exits 130 mid-upload, and the next up resumes and converges', async () => {
    const up = stack.startCli(['up', ...dirs]);

    // Up first holds the 3 million rows of rawdata/ to the data contract: a few seconds on a loaded 2-core machine.
    const deadline = Date.now() + 90_000;
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
