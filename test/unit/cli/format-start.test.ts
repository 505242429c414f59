import { describe, expect, it } from 'vitest';
import { formatChanges } from '../../../src/cli/format.js';
import { formatStartStatus } from '../../../src/cli/format-start.js';

describe('formatStartStatus', () => {
  it('says the schedule, or that nothing starts the stack', () => {
    expect(formatStartStatus({ on: 'schedule', schedule: 'cron(0 6 1 1,4,7,10 ? *)' })).toEqual(['  starts on: schedule cron(0 6 1 1,4,7,10 ? *)']);
    expect(formatStartStatus({ on: 'none' })).toEqual(['  starts on: nothing (no start trigger: run provisioner up)']);
  });

  it('on arrival says the marker, when it was written, and the last run an arrival started, or that none did', () => {
    expect(
      formatStartStatus({ on: 'arrival', marker: 'raw/_DELIVERED', markerWrittenOn: '2025-04-02T09:30:00.000Z', lastArrivalRun: { id: 'wr_1', startedOn: '2025-04-02T09:31:00.000Z' } }),
    ).toEqual([
      '  starts on: arrival of raw/_DELIVERED (or a _DELIVERED below raw/)',
      '    marker last written: 2025-04-02T09:30:00.000Z',
      '    last run an arrival started: wr_1 at 2025-04-02T09:31:00.000Z',
    ]);
    expect(formatStartStatus({ on: 'arrival', marker: 'raw/_DELIVERED', markerWrittenOn: null, lastArrivalRun: null }).slice(1)).toEqual([
      '    marker last written: never',
      '    last run an arrival started: none among the runs listed',
    ]);
  });
});

describe('formatChanges with a marker', () => {
  it('says the marker was written, or would be', () => {
    expect(formatChanges({ changes: [], dryRun: false, marker: 'raw/_DELIVERED' })).toContain('Wrote raw/_DELIVERED after the upload: its arrival starts a run.');
    expect(formatChanges({ changes: [], dryRun: true, marker: 'raw/_DELIVERED' })).toContain('Would write raw/_DELIVERED after the upload');
    expect(formatChanges({ changes: [], dryRun: false })).not.toContain('_DELIVERED');
  });
});
