import { describe, expect, it } from 'vitest';
import { formatRunManifest, formatVerify } from '../../../src/cli/format-manifest.js';
import { RUN, manifestDocument } from '../support/run-manifest.js';

describe('formatRunManifest', () => {
  it('shows the run, its runtime, checksums, rows, inputs, outputs and arguments', () => {
    const text = formatRunManifest({ stack: 's', runId: RUN, location: 's3://data-bucket/processed/manifests/runs/x.json', manifest: manifestDocument() });
    expect(text.split('\n')).toEqual([
      `Run ${RUN} of flight-delays-features, 2026-12-07T06:00:02Z to 2026-12-07T06:09:41Z`,
      '  manifest:  s3://data-bucket/processed/manifests/runs/x.json',
      '  runtime:   Glue 5.0, 3 x G.1X, STANDARD (Spark 3.5.4, Python 3.11.9)',
      `  script:    sha256 ${'1f'.repeat(6)}…`,
      `  contract:  sha256 ${'9a'.repeat(6)}…`,
      '  rows:      read 1,000, written 990, rejected 10 (duplicate 7, absurd_delay 3)',
      '  inputs:    1 file, 4.0 MiB',
      `    s3://data-bucket/raw/flights/year=2001/month=01/flights-2001-01.csv.gz  4.0 MiB  sha256 ${'3c'.repeat(6)}…`,
      '  outputs:   2 files, 3.0 KiB; 1 written by this run (2.0 KiB)',
      '  rewrote (rows per table):',
      '    2001 Q1: features 990, rejected 10',
      '  arguments:',
      '    --database flight_delays',
      '    --enable-metrics true',
      `    --JOB_RUN_ID ${RUN}`,
      '    --flag',
    ]);
  });

  it('says why the runtime is unknown when the lookup failed, and a local run by its master', () => {
    const failed = manifestDocument({ runtime: { platform: 'glue', lookup_error: 'glue:GetJobRun failed: AccessDenied' }, contract_sha256: null });
    const text = formatRunManifest({ stack: 's', runId: RUN, location: 'l', manifest: failed });
    expect(text).toContain('  runtime:   Glue, version and workers unknown: glue:GetJobRun failed: AccessDenied');
    expect(text).toContain('  contract:  none given');
    const local = manifestDocument({ runtime: { platform: 'local', master: 'local[*]', spark_version: '3.5.4' } });
    expect(formatRunManifest({ stack: 's', runId: RUN, location: 'l', manifest: local })).toContain('  runtime:   local Spark local[*] (Spark 3.5.4)');
  });
});

describe('formatVerify', () => {
  const base = { to: '/data/q1', runId: RUN, runManifest: `manifests/runs/${RUN}.json`, parts: [], checked: 12 };

  it('is one line when all is well', () => {
    expect(formatVerify({ ...base, problems: [] })).toBe(`Verified 12 files in /data/q1 against run ${RUN}'s manifest (manifests/runs/${RUN}.json) and the export record: none changed, missing or extra`);
  });

  it('names each file that is not as recorded, and how', () => {
    const text = formatVerify({
      ...base,
      problems: [
        { file: 'features/a.parquet', problem: 'changed', detail: 'sha256 0123456789ab… where run x says ba9876543210…' },
        { file: 'features/b.parquet', problem: 'missing', detail: "named by run x's manifest" },
      ],
    });
    expect(text.split('\n')).toEqual([
      `2 of the files in /data/q1 are not as recorded, checked against run ${RUN}'s manifest (manifests/runs/${RUN}.json) and the export record:`,
      '  changed features/a.parquet  (sha256 0123456789ab… where run x says ba9876543210…)',
      "  missing features/b.parquet  (named by run x's manifest)",
    ]);
  });
});
