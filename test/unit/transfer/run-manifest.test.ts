import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProvisionerError, UsageError } from '../../../src/core/errors.js';
import { parseRunManifest, readRunManifest, runManifestKey } from '../../../src/transfer/run-manifest.js';
import { s3Error } from '../support/errors.js';
import { RUN, manifestDocument } from '../support/run-manifest.js';
import { mockedStack, type MockedStack } from '../support/stack.js';

describe('parseRunManifest', () => {
  it('reads what status and verify use, and keeps the document as written', () => {
    const document = manifestDocument();
    const manifest = parseRunManifest(JSON.stringify(document), 'here');
    expect(manifest).toMatchObject({
      runId: RUN,
      contractSha256: '9a'.repeat(32),
      rows: { read: 1000, written: 990, rejected: 10 },
      files: [
        { key: 'features/year=2001/quarter=1/part-00000-x.snappy.parquet', size: 2048, sha256: '4d'.repeat(32), runId: RUN },
        { key: 'features/year=2000/quarter=4/part-00000-y.snappy.parquet', size: 1024, sha256: '5e'.repeat(32), runId: 'jr_older' },
      ],
    });
    expect(manifest.document).toEqual(document);
  });

  it('reads a version 1 manifest, whose digests were per quarter, for its rows per quarter', () => {
    const tables = [{ table: 'features', year: 2001, quarter: 1, rows: 990, digest: '123' }];
    const older = manifestDocument({ manifest_version: 1, outputs: { files: [], tables } });
    expect(parseRunManifest(JSON.stringify(older), 'here').tables).toEqual([{ table: 'features', year: 2001, quarter: 1, rows: 990 }]);
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1]', 'not a JSON object'],
    [JSON.stringify(manifestDocument({ manifest_version: 3 })), 'manifest_version 3, expected 1 or 2'],
    [JSON.stringify(manifestDocument({ outputs: { files: [{ key: 'k', size: -1, sha256: 'x' }] } })), 'outputs.files[0] lacks a key, size or sha256'],
  ])('refuses %s in one line naming where it was read', (text, problem) => {
    expect(() => parseRunManifest(text, 's3://b/processed/manifests/runs/x.json')).toThrow(new ProvisionerError(`s3://b/processed/manifests/runs/x.json is not a run manifest: ${problem}`));
  });
});

describe('readRunManifest', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = mockedStack();
  });

  it("reads processed/manifests/runs/<id>.json of the stack's bucket", async () => {
    t.s3.on(GetObjectCommand, { Bucket: t.ctx.names.bucket, Key: `processed/manifests/runs/${RUN}.json` }).resolves({ Body: { transformToString: async () => JSON.stringify(manifestDocument()) } } as never);
    const { location, manifest } = await readRunManifest(t.ctx, RUN);
    expect(location).toBe(`s3://${t.ctx.names.bucket}/${runManifestKey(RUN)}`);
    expect(manifest.runId).toBe(RUN);
  });

  it('names the id and where it looked when there is no such manifest', async () => {
    t.s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    const refused = await readRunManifest(t.ctx, 'jr_missing').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toBe(
      `invalid --run "jr_missing": there is no run manifest s3://${t.ctx.names.bucket}/processed/manifests/runs/jr_missing.json; valid: the id of a run of this stack's job that wrote one (its run report names it)`,
    );
  });

  it.each(['../reports/run_report', 'jr 1', ''])('refuses %j before any request: it could name another object', async (id) => {
    await expect(readRunManifest(t.ctx, id)).rejects.toThrow(UsageError);
    expect(t.s3.calls()).toHaveLength(0);
  });
});
