import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { silentProgress } from '../../../src/core/progress.js';
import type { CommandEnv } from '../../../src/commands/command.js';
import { formatReport } from '../../../src/cli/format.js';
import { report, type ReportResult } from '../../../src/commands/report.js';
import { resolveSettings } from '../../../src/config/settings.js';
import { ProvisionerError, UsageError } from '../../../src/core/errors.js';

const FIXTURE = path.resolve('test/fixtures/report/processed');

let work: string;

function env(json = false): CommandEnv {
  return {
    settings: resolveSettings({ json }, {}, work),
    runtime: { logger: silentLogger(), progress: silentProgress, signal: new AbortController().signal },
  };
}

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'report-command-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('report --from FOLDER', () => {
  it('writes one self-contained page and prints its path and the headline numbers', async () => {
    const out = path.join(work, 'quarter.html');
    const outcome = await report(env(), { from: FIXTURE, out, open: false });
    expect(outcome.exitCode).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/i);
    const result = outcome.result as ReportResult;
    const text = formatReport(result);
    expect(result.out).toBe(out);
    // The headline agrees with the fixture's newest run reports: every row read is used or quarantined.
    expect(result.headline.rowsRead).toBe(result.headline.rowsUsed + result.headline.rowsQuarantined);
    expect(result.headline.rowsRead).toBeGreaterThan(0);
    expect(text.split('\n')[0]).toBe(out);
    expect(text).toContain(`rows read ${result.headline.rowsRead.toLocaleString('en-US')}`);
  });

  it('names a folder that does not exist, and writes nothing', async () => {
    const out = path.join(work, 'never.html');
    await expect(report(env(), { from: path.join(work, 'missing'), out, open: false })).rejects.toBeInstanceOf(UsageError);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops at a broken aggregate file with one line naming it, and writes nothing', async () => {
    const copy = path.join(work, 'processed');
    await cp(FIXTURE, copy, { recursive: true });
    const dir = path.join(copy, 'aggregates/day_of_week/csv');
    const csv = (await readdir(dir)).find((name) => name.endsWith('.csv'))!;
    await writeFile(path.join(dir, csv), 'not,the,columns\n1,2,3\n');
    const out = path.join(work, 'never.html');
    const error = await report(env(), { from: copy, out, open: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisionerError);
    expect((error as ProvisionerError).message).toContain(csv);
    expect((error as ProvisionerError).message).not.toContain('\n');
    expect((error as ProvisionerError).exitCode).toBe(2);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the runs of a report built from the stack', () => {
  it('are priced as status prices them, each beside the ceiling its timeout set', async () => {
    const { mockedStack } = await import('../support/stack.js');
    const { GetJobRunsCommand } = await import('@aws-sdk/client-glue');
    const { glueRuns } = await import('../../../src/commands/report.js');
    const t = mockedStack({ region: 'us-east-1', raw: { maxUsd: 0.5 } });
    const run = { WorkerType: 'G.1X' as const, NumberOfWorkers: 2, ExecutionClass: 'STANDARD' as const, StartedOn: new Date('2027-01-01T06:00:00Z') };
    t.glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        // $0.50 buys 34 min of 2 G.1X at $0.44 a DPU-hour: this run was stopped by the ceiling.
        { ...run, Id: 'jr_capped', JobRunState: 'TIMEOUT', ExecutionTime: 2040, Timeout: 34 },
        { ...run, Id: 'jr_old', JobRunState: 'SUCCEEDED', ExecutionTime: 600, Timeout: 120 },
        { ...run, Id: 'jr_starting', JobRunState: 'STARTING' },
      ],
    });
    const runs = await glueRuns(t.ctx);
    expect(runs.map((r) => [r.id, r.costUsd, r.ceiling])).toEqual([
      ['jr_capped', 0.498667, { usd: 0.5, from: 'max-usd', timeoutMinutes: 34, hit: true }],
      ['jr_old', 0.146667, { usd: 1.76, from: 'timeout', timeoutMinutes: 120, hit: false }],
    ]);
  });
});
