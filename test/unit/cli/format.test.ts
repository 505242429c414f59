import { describe, expect, it } from 'vitest';
import { formatChanges, formatRunOutcome, formatRunStarted, formatStatus, formatTeardown } from '../../../src/cli/format.js';
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
    lastJobRun: { id: 'jr', state: 'FAILED', startedOn: '2027-01-01T06:05:00.000Z', completedOn: null, durationSeconds: 42, error: 'boom' },
    objects: { raw: { objects: 9, bytes: 2048 }, scripts: { objects: 0, bytes: 0 }, processed: { objects: 0, bytes: 0 } },
  };

  it('shows each resource, trigger, run and prefix', () => {
    const text = formatStatus(report);
    expect(text).toMatch(/crawler +c +RUNNING/);
    expect(text).toMatch(/job +j +missing/);
    expect(text).toMatch(/trigger +t +ACTIVATED SCHEDULED cron\(0 6 1 1,4,7,10 \? \*\)/);
    expect(text).toContain('last workflow run: none');
    expect(text).toContain('last job run:      FAILED 2027-01-01T06:05:00.000Z, 42 s (boom)');
    expect(text).toMatch(/raw\/ +9 objects +2\.0 KiB/);
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
      message: 'timed out after 90 min; run wr_1 goes on in Glue',
      links: ['job logs: /aws-glue/jobs/output, stream jr_1'],
    };
    expect(formatRunOutcome(outcome)).toBe('timed out after 90 min; run wr_1 goes on in Glue\njob logs: /aws-glue/jobs/output, stream jr_1');
  });
});
