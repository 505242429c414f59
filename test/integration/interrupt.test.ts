import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';

const CLI = path.resolve('dist/cli.js');
const dirs = ['--data-dir', path.resolve('rawdata'), '--job-dir', path.resolve('glue-job')];
/** What `up` creates after the role: none of it may be created once the signal came. */
const LATER_CREATES = ['CreateDatabase', 'CreateCrawler', 'CreateJob', 'CreateWorkflow', 'CreateTrigger'];

describe('Ctrl-C during up', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    // Hold every upload of raw data for a while, so the interrupt lands mid-upload.
    log = await startRequestLog(moto.url, {
      // The role's create is held too, so the signal comes while the Glue side is mid-walk.
      delay: (r) => (r.service === 's3' && r.method === 'PUT' && r.path.includes('/raw/') ? 1_000 : r.operation === 'CreateRole' ? 2_000 : 0),
    });
    env = awsEnv(log.url);
  });

  afterAll(async () => {
    await log?.close();
    await moto?.stop();
  });

  it('exits 130 mid-upload, and the next up resumes and converges', async () => {
    const child = spawn(process.execPath, [CLI, 'up', ...dirs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const deadline = Date.now() + 30_000;
    while (!log.requests.some((r) => r.method === 'PUT' && r.path.includes('/raw/'))) {
      if (Date.now() > deadline) throw new Error(`no upload started: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupt/i);
    // The role was being made while the data went up; after the signal nothing more is created.
    expect(log.requests.filter((r) => LATER_CREATES.includes(r.operation))).toEqual([]);

    const resumed = await runCli(['up', ...dirs], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    log.clear();
    const again = await runCli(['up', ...dirs], env);
    expect(again.code).toBe(0);
    expect(log.mutating()).toEqual([]);
  });
});
