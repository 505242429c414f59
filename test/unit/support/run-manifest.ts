/** A run manifest as glue-job/run_manifest.py writes one (abridged: one input, two outputs). */
export const RUN = `jr_${'a'.repeat(64)}`;

export function manifestDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    manifest_version: 2,
    run_id: RUN,
    job_name: 'flight-delays-features',
    started_at: '2026-12-07T06:00:02Z',
    finished_at: '2026-12-07T06:09:41Z',
    output_path: 's3://data-bucket/processed',
    script: { sha256: '1f'.repeat(32), files: { 'job.py': '2e'.repeat(32) } },
    runtime: { platform: 'glue', glue_version: '5.0', worker_type: 'G.1X', number_of_workers: 3, execution_class: 'STANDARD', python_version: '3.11.9', spark_version: '3.5.4', lookup_error: null },
    arguments: { '--database': 'flight_delays', '--enable-metrics': 'true', '--JOB_RUN_ID': RUN, '--flag': null },
    contract_sha256: '9a'.repeat(32),
    inputs: [{ table: 'flights', key: 's3://data-bucket/raw/flights/year=2001/month=01/flights-2001-01.csv.gz', size: 4_147_175, sha256: '3c'.repeat(32) }],
    rows: { read: 1000, written: 990, rejected: 10 },
    rejected_by_reason: { duplicate: 7, absurd_delay: 3, unknown_origin: 0 },
    quarters: [],
    recomputed_quarters: [{ year: 2001, quarter: 1 }],
    outputs: {
      files: [
        { key: 'features/year=2001/quarter=1/part-00000-x.snappy.parquet', size: 2048, sha256: '4d'.repeat(32), modified: '2026-12-07T06:08:00.000Z', run_id: RUN },
        { key: 'features/year=2000/quarter=4/part-00000-y.snappy.parquet', size: 1024, sha256: '5e'.repeat(32), modified: '2026-09-07T06:08:00.000Z', run_id: 'jr_older' },
      ],
      tables: [
        { table: 'features', year: 2001, quarter: 1, rows: 990 },
        { table: 'rejected', year: 2001, quarter: 1, rows: 10 },
      ],
      table_digests: [
        { table: 'features', rows: 990, digest: '123' },
        { table: 'rejected', rows: 10, digest: '456' },
      ],
    },
    ...overrides,
  };
}
