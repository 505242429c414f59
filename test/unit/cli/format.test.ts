import { describe, expect, it } from 'vitest';
import { formatChanges, formatStatus } from '../../../src/cli/format.js';
import type { PlannedChange } from '../../../src/resources/resource.js';
import type { StatusReport } from '../../../src/stack/status.js';

const changes: PlannedChange[] = [
  { kind: 'bucket', name: 'b', action: 'create', details: ['SSE-S3'] },
  { kind: 'objects', name: 's3://b/raw/', action: 'update', details: ['upload a', 'upload b', 'upload c', 'upload d', 'upload e', 'upload f'] },
  { kind: 'job', name: 'j', action: 'no-op', details: [] },
];

describe('formatChanges', () => {
  it('marks creates, updates and no-ops and counts them, as a plan', () => {
    const text = formatChanges(changes, true);
    expect(text).toMatch(/^\+ create +bucket +b +\(SSE-S3\)$/m);
    expect(text).toMatch(/^~ update +objects +s3:\/\/b\/raw\//m);
    expect(text).toMatch(/^= no-op +job +j$/m);
    expect(text).toContain('Plan: 1 to create, 1 to update, 1 unchanged. Nothing was changed.');
  });

  it('shortens long detail lists and reports what was applied', () => {
    const text = formatChanges(changes, false);
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
