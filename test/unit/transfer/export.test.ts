import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_EXPORT_PARTS, parseExportParts } from '../../../src/transfer/export.js';
import { assertWritableTarget, parseExportTarget } from '../../../src/transfer/export-target.js';

describe('parseExportTarget', () => {
  it('reads s3://BUCKET/PREFIX as a bucket and a prefix ending in one slash', () => {
    expect(parseExportTarget('s3://ml-data/flights/2001q2')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: 'flights/2001q2/' });
    expect(parseExportTarget('s3://ml-data/flights//')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: 'flights/' });
    expect(parseExportTarget('s3://ml-data')).toEqual({ kind: 's3', bucket: 'ml-data', prefix: '' });
  });

  it('reads anything else as a folder, relative to the working directory', () => {
    expect(parseExportTarget('out/q2', '/home/me')).toEqual({ kind: 'dir', dir: '/home/me/out/q2' });
    expect(parseExportTarget('/data/q2', '/home/me')).toEqual({ kind: 'dir', dir: '/data/q2' });
    expect(parseExportTarget('q2:final', '/home/me')).toEqual({ kind: 'dir', dir: '/home/me/q2:final' });
  });

  it.each([
    ['s3://', 'it looks like a URI but is not s3://BUCKET[/PREFIX]'],
    ['s3:/ml-data/x', 'it looks like a URI but is not s3://BUCKET[/PREFIX]'],
    ['s3:ml-data', 'it looks like a URI but is not s3://BUCKET[/PREFIX]'],
    ['S3://ml-data', 'it looks like a URI but is not s3://BUCKET[/PREFIX]'],
    ['file:///tmp/out', 'it looks like a URI but is not s3://BUCKET[/PREFIX]'],
    ['s3://ML_Data/x', '"ML_Data" is not a valid S3 bucket name (it has characters other than a-z, 0-9, "-" and ".")'],
    ['s3://ab', '"ab" is not a valid S3 bucket name (it is 2 characters long)'],
  ])('refuses %s, naming it and what would be valid', (text, problem) => {
    const refused = (() => {
      try {
        return parseExportTarget(text, '/home/me');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toBe(`invalid --to "${text}": ${problem}; valid: s3://BUCKET[/PREFIX] or a local folder`);
  });
});

describe('assertWritableTarget', () => {
  it('leaves no folder it made for the check, and nothing in one that was there', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'export-target-'));
    try {
      await assertWritableTarget({ kind: 'dir', dir: path.join(root, 'a', 'b') });
      expect(await readdir(root)).toEqual([]);
      await assertWritableTarget({ kind: 'dir', dir: root });
      expect(await readdir(root)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it.each([
    ['/proc/provisioner-export', 'ENOENT'],
    ['/proc/self/provisioner-export', 'ENOENT'],
  ])('fails at once for %s, naming the path and the reason', async (dir, code) => {
    const started = Date.now();
    const refused = await assertWritableTarget({ kind: 'dir', dir }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).message).toMatch(new RegExp(`^cannot write to --to "${dir}": ${code} \\(`));
    expect((refused as UsageError).message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails for a folder with a file in its way', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'export-target-'));
    try {
      await writeFile(path.join(root, 'taken'), 'x');
      const refused = await assertWritableTarget({ kind: 'dir', dir: path.join(root, 'taken', 'q2') }).catch((error: unknown) => error);
      expect((refused as UsageError).message).toContain('ENOTDIR (a part of the path is a file, not a folder)');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() === 0)('fails for a folder it may not write', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'export-target-'));
    try {
      await chmod(root, 0o500);
      const refused = await assertWritableTarget({ kind: 'dir', dir: path.join(root, 'q2') }).catch((error: unknown) => error);
      expect((refused as UsageError).message).toContain('EACCES (permission denied)');
    } finally {
      await chmod(root, 0o700);
      await rm(root, { recursive: true, force: true });
    }
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
