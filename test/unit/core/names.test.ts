import { describe, expect, it } from 'vitest';
import { stackNames } from '../../../src/core/names.js';
import { stackTags } from '../../../src/core/tags.js';
import { isOwnedBy } from '../../../src/stack/ownership.js';

describe('stackNames', () => {
  it('derives every name from the stack, with a Spark-friendly database name', () => {
    expect(stackNames('flight-delays', '123456789012', 'eu-west-1')).toEqual({
      stack: 'flight-delays',
      bucket: 'flight-delays-123456789012-eu-west-1',
      role: 'flight-delays-glue-role',
      rolePolicy: 'flight-delays-glue-access',
      database: 'flight_delays',
      crawler: 'flight-delays-raw-crawler',
      job: 'flight-delays-features',
      workflow: 'flight-delays-pipeline',
      scheduleTrigger: 'flight-delays-schedule',
      jobTrigger: 'flight-delays-on-crawl-success',
      arrivalTrigger: 'flight-delays-on-arrival',
      arrivalRule: 'flight-delays-on-arrival',
      arrivalRole: 'flight-delays-events-role',
      arrivalRolePolicy: 'flight-delays-notify-workflow',
      alertKeyAlias: 'alias/flight-delays-alerts',
      alertTopic: 'flight-delays-alerts',
      jobFailureRule: 'flight-delays-job-failed',
      jobCeilingRule: 'flight-delays-job-ceiling',
      driftRule: 'flight-delays-drift',
      crawlerFailureRule: 'flight-delays-crawl-failed',
      dashboard: 'flight-delays-pipeline-eu-west-1',
      workgroup: 'flight-delays',
    });
  });

  it('uses a given bucket name', () => {
    expect(stackNames('s', '1', 'r', 'my-bucket').bucket).toBe('my-bucket');
  });

  it('keeps the longest allowed stack name within the bucket name limit in the longest region', () => {
    expect(stackNames('x'.repeat(32), '123456789012', 'ap-southeast-4').bucket.length).toBeLessThanOrEqual(63);
  });
});

describe('isOwnedBy', () => {
  it('needs both tags with this stack', () => {
    expect(isOwnedBy(stackTags('a'), 'a')).toBe(true);
    expect(isOwnedBy(stackTags('a'), 'b')).toBe(false);
    expect(isOwnedBy({ Stack: 'a' }, 'a')).toBe(false);
    expect(isOwnedBy({ ManagedBy: 'terraform', Stack: 'a' }, 'a')).toBe(false);
    expect(isOwnedBy(undefined, 'a')).toBe(false);
  });
});
