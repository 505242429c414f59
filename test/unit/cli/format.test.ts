import { describe, expect, it } from 'vitest';
import { formatChanges, formatCost, formatRunOutcome, formatRunStarted, formatStatus, formatTeardown, formatUnlock, formatWorkers } from '../../../src/cli/format.js';
import { chooseWorkers } from '../../../src/resources/job.js';
import { estimatePipelineRun } from '../../../src/stack/cost.js';
import type { PlannedChange } from '../../../src/resources/resource.js';
import type { StatusReport } from '../../../src/stack/status.js';

const changes: PlannedChange[] = [
  { kind: 'bucket', name: 'b', action: 'create', details: ['SSE-S3'] },
  { kind: 'objects', name: 's3://b/raw/', action: 'update', details: ['upload a', 'upload b', 'upload c', 'upload d', 'upload e', 'upload f'] },
  { kind: 'job', name: 'j', action: 'no-op', details: [] },
];

describe('formatChanges', () => {
  it('marks creates, updates and no-ops and counts them, as a plan', () => {
    const text = formatChanges({ changes, dryRun: true });
    expect(text).toMatch(/^\+ create +bucket +b +\(SSE-S3\)$/m);
    expect(text).toMatch(/^~ update +objects +s3:\/\/b\/raw\//m);
    expect(text).toMatch(/^= no-op +job +j$/m);
    expect(text).toContain('Plan: 1 to create, 1 to update, 1 unchanged. Nothing was changed.');
  });

  it('shortens long detail lists and reports what was applied', () => {
    const text = formatChanges({ changes, dryRun: false });
    expect(text).toContain('(upload a, upload b, upload c, upload d, and 2 more)');
    expect(text).toContain('Applied: 1 created, 1 updated, 1 unchanged.');
  });

  it('ends with the estimated cost of one run when there is one', () => {
    const cost = estimatePipelineRun({ glueVersion: '5.0', workerType: 'G.1X', workers: 2, executionClass: 'STANDARD', expectedMinutes: undefined }, 'us-east-1');
    expect(formatChanges({ changes, dryRun: true, cost })).toContain(`Nothing was changed.\n\n${formatCost(cost)}`);
    expect(formatChanges({ changes, dryRun: true })).not.toContain('Estimated cost');
  });
});

describe('formatWorkers', () => {
  const MIB = 1024 * 1024;

  it('says how many workers the job gets next to the worker type, and why', () => {
    expect(formatWorkers(chooseWorkers(undefined, 700 * MIB), 'G.1X')).toBe(
      'worker type: G.1X, workers: 4 (auto: 700 MiB of raw data, one per 256 MiB plus the driver; set --workers to change)',
    );
    expect(formatWorkers(chooseWorkers(6, 700 * MIB), 'G.2X')).toBe('worker type: G.2X, workers: 6 (--workers)');
    expect(formatWorkers(chooseWorkers(undefined, 0))).toBe('workers: 2 (auto: 0 B of raw data, one per 256 MiB plus the driver, at least 2; set --workers to change)');
    expect(formatWorkers(chooseWorkers(undefined, 10 * 1024 * MIB))).toContain('workers: 20 (auto: 10 GiB of raw data, one per 256 MiB plus the driver, at most 20;');
  });

  it('is part of what plan and up print, before the cost', () => {
    const cost = estimatePipelineRun({ glueVersion: '5.0', workerType: 'G.1X', workers: 4, executionClass: 'STANDARD', expectedMinutes: undefined }, 'us-east-1');
    const text = formatChanges({ changes, dryRun: true, cost, workers: chooseWorkers(undefined, 700 * MIB) });
    expect(text).toContain(`Nothing was changed.\n\nworker type: G.1X, workers: 4 (auto: 700 MiB of raw data`);
    expect(text).toContain(`set --workers to change)\n\n${formatCost(cost)}`);
    expect(text).toContain('  job      Glue 5.0, 4 x G.1X = 4 DPU STANDARD');
  });
});

describe('formatCost', () => {
  const settings = { glueVersion: '5.0', workerType: 'G.1X', workers: 2, executionClass: 'STANDARD', expectedMinutes: undefined } as const;

  it('shows each figure, so the arithmetic can be checked, and says it is an estimate from which table', () => {
    const text = formatCost(estimatePipelineRun(settings, 'us-east-1'));
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^Estimated cost of one run \(an estimate, USD, us-east-1; AWS Glue on-demand list prices per DPU-hour .+\):$/),
      '  job      Glue 5.0, 2 x G.1X = 2 DPU STANDARD, 15 min (assumed; set --expected-minutes) = 0.5 DPU-hours x $0.44 = $0.22',
      '  crawler  0.333333 DPU-hours (assumed: 2 DPU for the 10-minute minimum) x $0.44 = $0.15',
      '  total    $0.37',
    ]);
  });

  it('shows the minimum billed time, Flex, and the total of what has a price', () => {
    const text = formatCost(estimatePipelineRun({ ...settings, executionClass: 'FLEX', expectedMinutes: 0.5 }, 'eu-west-1', { lastCrawlDpuHours: 0.25 }));
    expect(text).toContain('  job      Glue 5.0, 2 x G.1X = 2 DPU FLEX, 0.5 min (--expected-minutes), billed as 1 min, the minimum = 0.033333 DPU-hours: no Flex price for eu-west-1');
    expect(text).toContain('  crawler  0.25 DPU-hours (as the last crawl used): no crawler price for eu-west-1');
    expect(text).toContain('  total    unknown');
    expect(formatCost(estimatePipelineRun(settings, 'eu-west-1'))).toContain('  total    $0.22 (job only)');
  });

  it('names the Glue version, and shows the crawler alone priced for Glue 6.0', () => {
    const text = formatCost(estimatePipelineRun({ ...settings, glueVersion: '6.0' }, 'us-east-1'));
    expect(text).toContain('  job      Glue 6.0, 2 x G.1X = 2 DPU STANDARD, 15 min (assumed; set --expected-minutes) = 0.5 DPU-hours: no Glue 6.0 price for us-east-1');
    expect(text).toContain('  total    $0.15 (crawler only)');
  });
});

describe('formatStatus', () => {
  const report: StatusReport = {
    stack: 's',
    account: '123456789012',
    region: 'eu-west-1',
    resources: [
      { kind: 'bucket', name: 'b', exists: true },
      { kind: 'crawler', name: 'c', exists: true, state: 'RUNNING' },
      { kind: 'job', name: 'j', exists: false },
    ],
    triggers: [{ name: 't', exists: true, type: 'SCHEDULED', state: 'ACTIVATED', schedule: 'cron(0 6 1 1,4,7,10 ? *)' }],
    lastWorkflowRun: null,
    lastJobRun: null,
    workflowRuns: [],
    crawls: [
      { id: 'c1', state: 'COMPLETED', startedOn: '2027-01-01T06:00:05.000Z', completedOn: '2027-01-01T06:01:15.000Z', durationSeconds: 70, dpuSeconds: 900, costUsd: 0.11 },
    ],
    jobRuns: [
      { id: 'jr3', state: 'TIMEOUT', startedOn: '2027-04-01T06:05:00.000Z', completedOn: null, durationSeconds: 2040, dpuSeconds: 8160, costUsd: 0.997333, ceiling: { timeoutMinutes: 34, usd: 0.997333, maxUsd: 1, hit: true } },
      { id: 'jr2', state: 'FAILED', startedOn: '2027-01-01T06:05:00.000Z', completedOn: null, durationSeconds: 42, error: 'boom\n  at line 3', dpuSeconds: null, costUsd: null, ceiling: null },
      { id: 'jr1', state: 'SUCCEEDED', startedOn: '2026-10-01T06:05:00.000Z', completedOn: null, durationSeconds: 512, dpuSeconds: 5120, costUsd: 0.625778, ceiling: { timeoutMinutes: 120, usd: 8.8, maxUsd: null, hit: false } },
    ],
    priceTable: 'AWS Glue on-demand list prices per DPU-hour',
    objects: { raw: { objects: 9, bytes: 2048 }, scripts: { objects: 0, bytes: 0 }, processed: { objects: 0, bytes: 0 } },
  };

  it('shows each resource, trigger, run and prefix', () => {
    const text = formatStatus(report);
    expect(text).toMatch(/crawler +c +RUNNING/);
    expect(text).toMatch(/job +j +missing/);
    expect(text).toMatch(/trigger +t +ACTIVATED SCHEDULED cron\(0 6 1 1,4,7,10 \? \*\)/);
    expect(text).toContain('  workflow runs: none');
    expect(text).toContain(
      ['  crawls:', '    COMPLETED  2027-01-01T06:00:05.000Z  1m10s  900 DPU-s  $0.11'].join('\n'),
    );
    expect(text).toContain(
      [
        '  job runs:',
        '    TIMEOUT    2027-04-01T06:05:00.000Z  34m00s  8160 DPU-s  $1.00  of ceiling $1.00 (--max-usd, 34 min), stopped by the cost ceiling',
        '    FAILED     2027-01-01T06:05:00.000Z  42s  -  -  boom at line 3',
        '    SUCCEEDED  2026-10-01T06:05:00.000Z  8m32s  5120 DPU-s  $0.63  of ceiling $8.80 (its 120 min timeout)',
        '  (costs are estimates: AWS Glue on-demand list prices per DPU-hour)',
      ].join('\n'),
    );
    expect(text).toMatch(/raw\/ +9 objects +2\.0 KiB/);
  });
});

describe('formatStatus: the last run report', () => {
  const base: StatusReport = {
    stack: 's',
    account: '123456789012',
    region: 'eu-west-1',
    resources: [],
    triggers: [],
    lastWorkflowRun: null,
    lastJobRun: null,
    workflowRuns: [],
    crawls: [],
    jobRuns: [],
    priceTable: 'p',
    objects: { raw: { objects: 0, bytes: 0 }, scripts: { objects: 0, bytes: 0 }, processed: { objects: 3, bytes: 10 } },
  };
  const location = 's3://b/processed/reports/run_report.json';

  it("shows Spark's figures of the newest run report after the runs, and the advice on its own line", () => {
    const text = formatStatus({
      ...base,
      lastRunReport: {
        location,
        startedAt: '2027-01-01T06:05:00Z',
        spark: {
          stages: 41,
          memorySpilledBytes: 734003200,
          diskSpilledBytes: 186646528,
          slowestStage: { id: 63, name: 'parquet at NativeMethodAccessorImpl.java:0', tasks: 5, taskSeconds: 53.1, taskSecondsMedian: 9.8, taskSecondsMax: 14.2, skew: 1.45 },
          advice: 'give Spark more memory',
        },
        drifted: null,
        driftThreshold: 0.2,
      },
    });
    expect(text).toContain(
      [
        '  job runs: none',
        `  last run report (${location}, run started 2027-01-01T06:05:00Z):`,
        '    spark: 41 stages, spilled 700 MiB in memory, 178 MiB to disk; slowest stage 63 (parquet) 53.1 s of task time over 5 tasks, skew 1.45 (max/median task)',
        '    advice: give Spark more memory',
        '',
      ].join('\n'),
    );
  });

  it('says when the report has no figures, and shows nothing without a report', () => {
    expect(formatStatus({ ...base, lastRunReport: { location, startedAt: null, spark: null, drifted: null, driftThreshold: 0.2 } })).toContain(
      `  last run report (${location}):\n    spark: not in this report (written by a job version before Spark figures)`,
    );
    expect(formatStatus({ ...base, lastRunReport: null })).not.toContain('last run report');
    expect(formatStatus(base)).not.toContain('last run report');
  });

  it('names the drifted features worst first, at most five, and says when none drifted', () => {
    const drifted = [7, 6, 5, 4, 3, 2].map((psi, i) => ({ year: 2003, quarter: 3, feature: `f${i}`, psi: psi / 10 }));
    const report = { location, startedAt: null, spark: null, driftThreshold: 0.15 };
    expect(formatStatus({ ...base, lastRunReport: { ...report, drifted } })).toContain(
      '    drift: 6 features above PSI 0.15 (--drift-threshold): f0 2003 Q3 0.70, f1 2003 Q3 0.60, f2 2003 Q3 0.50, f3 2003 Q3 0.40, f4 2003 Q3 0.30, and 1 more',
    );
    expect(formatStatus({ ...base, lastRunReport: { ...report, drifted: [] } })).toContain('    drift: no feature above PSI 0.15 (--drift-threshold)');
    expect(formatStatus({ ...base, lastRunReport: { ...report, drifted: null } })).not.toContain('drift:');
  });
});

describe('formatTeardown', () => {
  it('lists what was deleted and what was left alone, then counts them', () => {
    const text = formatTeardown({ stack: 's', deleted: ['trigger t', 'bucket b'], leftAlone: ['role r'] });
    expect(text).toBe(
      ['- deleted  trigger t', '- deleted  bucket b', '! skipped  role r (not created by this stack)', '', 'Teardown: 2 deleted, 1 left alone.'].join('\n'),
    );
  });

  it('says so when there was nothing to delete', () => {
    expect(formatTeardown({ stack: 's', deleted: [], leftAlone: [] })).toBe('\nTeardown: 0 deleted, 0 left alone.');
  });
});

describe('formatRunStarted', () => {
  const links = ['workflow: https://example/w', 'job runs: https://example/j'];

  it('names the run, then the links', () => {
    expect(formatRunStarted({ runId: 'wr_1', alreadyRunning: false, links })).toBe('run wr_1\nworkflow: https://example/w\njob runs: https://example/j');
  });

  it('says when it joined a run already in progress', () => {
    expect(formatRunStarted({ runId: 'wr_1', alreadyRunning: true, links })).toBe(
      'run wr_1 (already in progress)\nworkflow: https://example/w\njob runs: https://example/j',
    );
  });
});

describe('formatRunOutcome', () => {
  it('prints the verdict, then the links', () => {
    const outcome = {
      runId: 'wr_1',
      alreadyRunning: false,
      succeeded: true,
      timedOut: false,
      interrupted: false,
      stoppedByCeiling: false,
      message: 'job run jr_1 SUCCEEDED in 512 s',
      links: ['workflow: https://example/w', 'job logs: /aws-glue/jobs/output'],
    };
    expect(formatRunOutcome(outcome)).toBe('job run jr_1 SUCCEEDED in 512 s\nworkflow: https://example/w\njob logs: /aws-glue/jobs/output');
  });

  it('prints why it stopped waiting when the run goes on', () => {
    const outcome = {
      runId: 'wr_1',
      alreadyRunning: true,
      succeeded: false,
      timedOut: true,
      interrupted: false,
      stoppedByCeiling: false,
      message: 'timed out after 90 min; run wr_1 goes on in Glue',
      links: ['job logs: /aws-glue/jobs/output, stream jr_1'],
    };
    expect(formatRunOutcome(outcome)).toBe('timed out after 90 min; run wr_1 goes on in Glue\njob logs: /aws-glue/jobs/output, stream jr_1');
  });
});

describe('formatUnlock', () => {
  it('names the lock it removed', () => {
    const removed = { id: 'dead-beef', command: 'up', who: 'me@host', pid: 42, createdAt: '2026-12-01T00:00:00Z' };
    expect(formatUnlock({ stack: 'flight-delays', removed }, 'dead-beef')).toBe('Unlocked stack flight-delays (lock dead-beef)');
  });

  it('names the ID it was given when there was no lock', () => {
    expect(formatUnlock({ stack: 'flight-delays', removed: null }, 'dead-beef')).toBe('Stack flight-delays was not locked: there is no lock dead-beef to remove');
  });
});
