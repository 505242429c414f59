import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { DEFAULT_EXPORT_PARTS, parseExportParts, parseExportTarget } from '../../../src/transfer/export.js';

describe('parseExportTarget', () => {
  it('reads s3://BUCKET/PREFIX as a bucket and a prefix ending in one slash', () => {
    expect(parseExportTarget('s3://ml-data/flights/2001q2')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: 'flights/2001q2/' });
    expect(parseExportTarget('s3://ml-data/flights//')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: 'flights/' });
    expect(parseExportTarget('s3://ml-data')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: '' });
  });

  it('reads anything else as a folder, relative to the working directory', () => {
    expect(parseExportTarget('out/q2', '/home/me')).toEqual({ kind: 'dir', dir: '/home/me/out/q2' });
    expect(parseExportTarget('/data/q2', '/home/me')).toEqual({ kind: 'dir', dir: '/data/q2' });
  });
});

describe('parseExportParts', () => {
  it('exports all but the job memory by default', () => {
    expect(parseExportParts(undefined)).toEqual([...DEFAULT_EXPORT_PARTS]);
    expect(DEFAULT_EXPORT_PARTS).not.toContain('delivered');
  });

  it('takes a comma list, once each', () => {
    expect(parseExportParts('features, aggregates,features')).toEqual(['features', 'aggregates']);
  });

  it.each(['', 'features,models', 'Features'])('refuses %j, naming the valid parts', (text) => {
    expect(() => parseExportParts(text)).toThrow(UsageError);
    expect(() => parseExportParts(text)).toThrow(/valid: a comma list of features, rejected, aggregates, manifests, reports, delivered/);
  });
});
