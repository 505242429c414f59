import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../../../src/transfer/local-files.js';
import { NO_SOURCES, stackResources, standaloneResources, type LocalSources } from '../../../src/stack/resources.js';
import { jobFailureSpec } from '../../../src/resources/failure-rule.js';
import { mockedStack, type StackOptions } from '../support/stack.js';

const file = (key: string): LocalFile => ({ key, path: `/work/${key}`, size: 1 });
const sources: LocalSources = {
  data: [file('raw/flights/a.csv')],
  scripts: [file('scripts/job.py'), file('scripts/features.py')],
};

function stack(options: StackOptions = {}) {
  return mockedStack({ region: 'eu-west-1', ...options });
}

const label = (r: { kind: string; name: string }): string => `${r.kind} ${r.name}`;

describe('stackResources', () => {
  it('lists the resources in the order they must exist', () => {
    const t = stack();
    expect(stackResources(t.ctx, sources).map(label)).toEqual([
      'bucket flight-delays-123456789012-eu-west-1',
      'objects s3://flight-delays-123456789012-eu-west-1/scripts/',
      'objects s3://flight-delays-123456789012-eu-west-1/raw/',
      'role flight-delays-glue-role',
      'database flight_delays',
      'table flight_delays.features',
      'table flight_delays.rejected',
      'table flight_delays.aggregates_day_of_week',
      'table flight_delays.aggregates_origin_hour',
      'table flight_delays.aggregates_route_quarter',
      'table flight_delays.drift',
      'workgroup flight-delays',
      'queries flight-delays',
      'crawler flight-delays-raw-crawler',
      'job flight-delays-features',
      'workflow flight-delays-pipeline',
      'trigger flight-delays-schedule',
      'trigger flight-delays-on-arrival',
      'trigger flight-delays-on-crawl-success',
      'role flight-delays-events-role',
      'rule flight-delays-on-arrival',
      'key alias/flight-delays-alerts',
      'topic flight-delays-alerts',
      'emails flight-delays-alerts',
      'rule flight-delays-job-failed',
      'rule flight-delays-crawl-failed',
      'rule flight-delays-job-ceiling',
      'rule flight-delays-drift',
      'dashboard flight-delays-pipeline-eu-west-1',
    ]);
  });

  it('gives the job the timeout --max-usd allows its workers, and --job-timeout without it', () => {
    const timeoutOf = (t: ReturnType<typeof stack>) => stackResources(t.ctx, sources).find((r) => r.kind === 'job')!.createDetails!().find((d) => d.startsWith('timeout'));
    // 2 G.1X workers at $0.44 a DPU-hour: $0.01467 a minute, so $0.50 pays for 34 minutes.
    expect(timeoutOf(stack({ raw: { maxUsd: 0.5 } }))).toBe('timeout 34 min');
    expect(timeoutOf(stack())).toBe('timeout 120 min');
  });

  it('leaves out the role when --role-arn is given', () => {
    const t = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    expect(stackResources(t.ctx, sources).filter((r) => r.kind === 'role').map((r) => r.name)).toEqual(['flight-delays-events-role']);
  });

  it("under --start-on arrival adds the bucket's events to EventBridge, after the rule, and nothing else", () => {
    const arriving = stackResources(stack({ raw: { startOn: 'arrival' } }).ctx, sources).map(label);
    const scheduled = stackResources(stack().ctx, sources).map(label);
    expect(arriving.filter((entry) => !scheduled.includes(entry))).toEqual(['notifications s3://flight-delays-123456789012-eu-west-1 to EventBridge']);
    expect(arriving.indexOf('notifications s3://flight-delays-123456789012-eu-west-1 to EventBridge')).toBe(arriving.indexOf('rule flight-delays-on-arrival') + 1);
  });

  it('gives the job as many workers as the raw data asks for under --workers auto, and --workers when given', () => {
    const MIB = 1024 * 1024;
    const big: LocalSources = { ...sources, data: [{ ...file('raw/flights/a.csv.gz'), size: 500 * MIB }, { ...file('raw/flights/b.csv.gz'), size: 200 * MIB }] };
    const job = (t: ReturnType<typeof stack>, from: LocalSources) => stackResources(t.ctx, from).find((r) => r.kind === 'job')!;
    // 700 MiB: the driver and three started 256 MiB.
    expect(job(stack(), big).createDetails!()).toContain('4 x G.1X');
    expect(job(stack(), sources).createDetails!()).toContain('2 x G.1X');
    expect(job(stack({ raw: { workers: 3 } }), big).createDetails!()).toContain('3 x G.1X');
  });

  it('mirrors no local files without sources', () => {
    const t = stack();
    const objects = stackResources(t.ctx).filter((r) => r.kind === 'objects');
    expect(objects).toHaveLength(2);
    for (const resource of objects) expect(resource.createDetails!()).toEqual(['upload 0 files (0 B)']);
    expect(NO_SOURCES).toEqual({ data: [], scripts: [] });
  });
});

describe('optional resources', () => {
  const wanted = (options: StackOptions) =>
    Object.fromEntries(stackResources(stack(options).ctx).filter((r) => r.wanted !== undefined).map((r) => [label(r), r.wanted]));

  // The start: the schedule's trigger, or the arrival's trigger, role and rule.
  const START = ['trigger flight-delays-schedule', 'trigger flight-delays-on-arrival', 'role flight-delays-events-role', 'rule flight-delays-on-arrival'];
  const alerting = (options: StackOptions) => Object.fromEntries(Object.entries(wanted(options)).filter(([name]) => !START.includes(name)));

  it('wants no alert resource and no dashboard without --notify, --notify-topic-arn or --dashboard', () => {
    expect(Object.values(alerting({})).every((w) => w === false)).toBe(true);
    expect(Object.keys(alerting({}))).toHaveLength(8);
  });

  it('starts on the schedule by default, and on arrival with --start-on arrival: the other start is deleted', () => {
    const start = (options: StackOptions) => Object.fromEntries(Object.entries(wanted(options)).filter(([name]) => START.includes(name)));
    expect(start({})).toEqual({
      'trigger flight-delays-schedule': true,
      'trigger flight-delays-on-arrival': false,
      'role flight-delays-events-role': false,
      'rule flight-delays-on-arrival': false,
    });
    expect(start({ raw: { startOn: 'arrival' } })).toEqual({
      'trigger flight-delays-schedule': false,
      'trigger flight-delays-on-arrival': true,
      'role flight-delays-events-role': true,
      'rule flight-delays-on-arrival': true,
    });
  });

  it('wants the key, topic, emails and both rules with --notify', () => {
    expect(alerting({ raw: { notify: ['ops@example.com'] } })).toEqual({
      'key alias/flight-delays-alerts': true,
      'topic flight-delays-alerts': true,
      'emails flight-delays-alerts': true,
      'rule flight-delays-job-failed': true,
      'rule flight-delays-crawl-failed': true,
      'rule flight-delays-job-ceiling': false,
      'rule flight-delays-drift': true,
      'dashboard flight-delays-pipeline-eu-west-1': false,
    });
  });

  it('wants no key of its own when --kms-key encrypts the topic', () => {
    expect(wanted({ raw: { notify: ['ops@example.com'], kmsKey: 'alias/data' } })['key alias/flight-delays-alerts']).toBe(false);
  });

  it('wants only the rules with --notify-topic-arn: the topic is the user\'s', () => {
    expect(alerting({ raw: { notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' } })).toEqual({
      'key alias/flight-delays-alerts': false,
      'topic flight-delays-alerts': false,
      'emails flight-delays-alerts': false,
      'rule flight-delays-job-failed': true,
      'rule flight-delays-crawl-failed': true,
      'rule flight-delays-job-ceiling': false,
      'rule flight-delays-drift': true,
      'dashboard flight-delays-pipeline-eu-west-1': false,
    });
  });

  it("with alerts sends the bucket's events to EventBridge, where the drift rule picks out the job's drift alert", () => {
    const notified = stackResources(stack({ raw: { notify: ['ops@example.com'] } }).ctx, sources).map(label);
    expect(notified).toContain('notifications s3://flight-delays-123456789012-eu-west-1 to EventBridge');
    expect(notified.indexOf('rule flight-delays-drift')).toBeGreaterThan(notified.indexOf('notifications s3://flight-delays-123456789012-eu-west-1 to EventBridge'));
    expect(stackResources(stack().ctx, sources).map(label)).not.toContain('notifications s3://flight-delays-123456789012-eu-west-1 to EventBridge');
  });

  it('wants the ceiling rule with alerts and a --max-usd that sets the timeout; a TIMEOUT then leaves the failure rule', () => {
    const rules = (options: StackOptions) => {
      const t = stack(options);
      const list = stackResources(t.ctx, sources);
      // A job-failed rule as it is without a ceiling: TIMEOUT among its states.
      const withTimeout = jobFailureSpec(t.ctx);
      const failed = list.find((r) => r.name === 'flight-delays-job-failed')!;
      const drift = failed.drift({ rule: { EventPattern: JSON.stringify(withTimeout.pattern), State: 'ENABLED', Description: withTimeout.description }, targets: [] } as never);
      return { ceiling: list.find((r) => r.name === 'flight-delays-job-ceiling')!.wanted, timeoutLeftToCeiling: (drift as string[]).includes('pattern') };
    };
    expect(rules({ raw: { notify: ['ops@example.com'], maxUsd: 0.5 } })).toEqual({ ceiling: true, timeoutLeftToCeiling: true });
    expect(rules({ raw: { notifyTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops', maxUsd: 0.5 } }).ceiling).toBe(true);
    // No alerts, no ceiling, or a --job-timeout shorter than what the ceiling pays for: no such rule.
    expect(rules({ raw: { maxUsd: 0.5 } }).ceiling).toBe(false);
    expect(rules({ raw: { notify: ['ops@example.com'] } })).toEqual({ ceiling: false, timeoutLeftToCeiling: false });
    expect(rules({ raw: { notify: ['ops@example.com'], maxUsd: 0.5, jobTimeout: 20 } })).toEqual({ ceiling: false, timeoutLeftToCeiling: false });
  });

  it('wants the dashboard with --dashboard', () => {
    expect(wanted({ raw: { dashboard: true } })['dashboard flight-delays-pipeline-eu-west-1']).toBe(true);
  });
});

describe('standaloneResources', () => {
  it('lists what stands on its own, in the order it is made: everything but the objects inside the bucket, the tables inside the database, the queries inside the workgroup and the emails inside the topic', () => {
    const t = stack();
    expect(standaloneResources(t.ctx).map(label)).toEqual([
      'bucket flight-delays-123456789012-eu-west-1',
      'role flight-delays-glue-role',
      'database flight_delays',
      'workgroup flight-delays',
      'crawler flight-delays-raw-crawler',
      'job flight-delays-features',
      'workflow flight-delays-pipeline',
      'trigger flight-delays-schedule',
      'trigger flight-delays-on-arrival',
      'trigger flight-delays-on-crawl-success',
      'role flight-delays-events-role',
      'rule flight-delays-on-arrival',
      'key alias/flight-delays-alerts',
      'topic flight-delays-alerts',
      'rule flight-delays-job-failed',
      'rule flight-delays-crawl-failed',
      'rule flight-delays-job-ceiling',
      'rule flight-delays-drift',
      'dashboard flight-delays-pipeline-eu-west-1',
    ]);
    for (const resource of standaloneResources(t.ctx)) {
      expect(resource.destroy, label(resource)).toBeTypeOf('function');
      expect(resource.addTags, label(resource)).toBeTypeOf('function');
    }
  });

  it('never lists a role passed with --role-arn', () => {
    const s = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    expect(standaloneResources(s.ctx).filter((r) => r.kind === 'role').map((r) => r.name)).toEqual(['flight-delays-events-role']);
  });
});
