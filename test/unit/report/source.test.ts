import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ProvisionerError } from '../../../src/core/errors.js';
import { S3Source } from '../../../src/report/s3-source.js';
import { DirectorySource, locate } from '../../../src/report/source.js';
import { FIXTURE } from './support.js';

describe('DirectorySource', () => {
  const source = new DirectorySource(FIXTURE);

  it('lists keys under a folder prefix, with / separators, sorted', async () => {
    expect(await source.list('aggregates/origin_hour/csv/')).toEqual([
      'aggregates/origin_hour/csv/.part-00000-fixture-c000.csv.crc',
      'aggregates/origin_hour/csv/part-00000-fixture-c000.csv',
    ]);
  });

  it('treats a prefix as a string prefix of keys, like S3', async () => {
    expect(await source.list('reports/run_report-')).toEqual([
      'reports/run_report-20240105T020000Z.json',
      'reports/run_report-20240410T020000Z.json',
    ]);
    expect(await source.list('manifests/day')).toEqual(['manifests/day_of_week.json']);
  });

  it('gives [] for a prefix with nothing under it', async () => {
    expect(await source.list('aggregates/nothing/csv/')).toEqual([]);
  });

  it('reads a key and names the file when it cannot', async () => {
    expect(await source.read('manifests/day_of_week.json')).toContain('"containsHeader":"true"');
    const error = await source.read('reports/missing.json').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProvisionerError);
    expect(error).toMatchObject({ message: `cannot read ${FIXTURE}/reports/missing.json: ENOENT`, fault: 'user' });
  });

  it('locates keys under its root', () => {
    expect(locate(new DirectorySource('/tmp/export/'), 'reports/run_report.json')).toBe('/tmp/export/reports/run_report.json');
  });
});

describe('S3Source', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  // The part of the SDK's stream body that the source uses.
  const body = (text: string) => ({ transformToString: async () => text });

  it('lists every page, keys relative to its prefix', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'bkt', Prefix: 'processed/reports/', ContinuationToken: undefined })
      .resolves({ IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'processed/reports/run_report.json' }] })
      .on(ListObjectsV2Command, { Bucket: 'bkt', Prefix: 'processed/reports/', ContinuationToken: 't1' })
      .resolves({ IsTruncated: false, Contents: [{ Key: 'processed/reports/' }, { Key: 'processed/reports/a.json' }] });
    const source = new S3Source(new S3Client({ region: 'us-east-1' }), 'bkt', 'processed');

    expect(source.describe()).toBe('s3://bkt/processed/');
    expect(await source.list('reports/')).toEqual(['reports/a.json', 'reports/run_report.json']);
  });

  it('reads an object as text', async () => {
    s3.on(GetObjectCommand, { Bucket: 'bkt', Key: 'processed/reports/run_report.json' }).resolves({ Body: body('{"a":1}') } as never);
    const source = new S3Source(new S3Client({ region: 'us-east-1' }), 'bkt', 'processed/');
    expect(await source.read('reports/run_report.json')).toBe('{"a":1}');
  });

  it('names the object when S3 fails', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const source = new S3Source(new S3Client({ region: 'us-east-1' }), 'bkt', 'processed/');
    await expect(source.read('reports/run_report.json')).rejects.toThrow(
      'cannot read s3://bkt/processed/reports/run_report.json: NoSuchKey: The specified key does not exist.',
    );
  });
});
