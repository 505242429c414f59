import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../../../src/transfer/local-files.js';
import { NO_SOURCES, stackResources, standaloneResources, type LocalSources } from '../../../src/stack/resources.js';
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
      'objects s3://flight-delays-123456789012-eu-west-1/raw/',
      'objects s3://flight-delays-123456789012-eu-west-1/scripts/',
      'role flight-delays-glue-role',
      'database flight_delays',
      'crawler flight-delays-raw-crawler',
      'job flight-delays-features',
      'workflow flight-delays-pipeline',
      'trigger flight-delays-schedule',
      'trigger flight-delays-on-crawl-success',
    ]);
  });

  it('leaves out the role when --role-arn is given', () => {
    const t = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    expect(stackResources(t.ctx, sources).map((r) => r.kind)).not.toContain('role');
  });

  it('mirrors no local files without sources', () => {
    const t = stack();
    const objects = stackResources(t.ctx).filter((r) => r.kind === 'objects');
    expect(objects).toHaveLength(2);
    for (const resource of objects) expect(resource.createDetails!()).toEqual(['upload 0 files (0 B)']);
    expect(NO_SOURCES).toEqual({ data: [], scripts: [] });
  });
});

describe('standaloneResources', () => {
  it('lists what stands on its own, in the order it is made: everything but the objects inside the bucket', () => {
    const t = stack();
    expect(standaloneResources(t.ctx).map(label)).toEqual([
      'bucket flight-delays-123456789012-eu-west-1',
      'role flight-delays-glue-role',
      'database flight_delays',
      'crawler flight-delays-raw-crawler',
      'job flight-delays-features',
      'workflow flight-delays-pipeline',
      'trigger flight-delays-schedule',
      'trigger flight-delays-on-crawl-success',
    ]);
    for (const resource of standaloneResources(t.ctx)) {
      expect(resource.destroy, label(resource)).toBeTypeOf('function');
      expect(resource.addTags, label(resource)).toBeTypeOf('function');
    }
  });

  it('never lists a role passed with --role-arn', () => {
    const s = stack({ raw: { roleArn: 'arn:aws:iam::123456789012:role/shared' } });
    expect(standaloneResources(s.ctx).map((r) => r.kind)).not.toContain('role');
  });
});
