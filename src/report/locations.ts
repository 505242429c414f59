/** Where the data lives: what the caller knows (S3 URIs), else what the newest run report says. */
import type { ReportData } from './data.js';

export interface ReportLocations {
  /** The job's output prefix, e.g. s3://BUCKET/processed/. */
  processed?: string;
  /** Where raw input is uploaded, e.g. s3://BUCKET/raw/. */
  raw?: string;
  features?: string;
  rejected?: string;
  /** The newest run report, e.g. s3://BUCKET/processed/reports/run_report.json. */
  reports?: string;
  /** Aggregate name -> its CSV folder. */
  aggregates?: Record<string, string>;
  /** Aggregate name -> its QuickSight manifest. */
  manifests?: Record<string, string>;
}

export interface LocationRow {
  label: string;
  value: string;
}

export function locationRows(data: ReportData, given: ReportLocations = {}): LocationRow[] {
  const newest = data.reports.at(-1);
  const outputs = newest?.outputs;
  const fromReport = (pick: (paths: { csv?: string; manifest?: string }) => string | undefined) =>
    Object.fromEntries(
      Object.entries(outputs?.aggregates ?? {}).flatMap(([name, paths]) => {
        const value = pick(paths);
        return value ? [[name, value]] : [];
      }),
    ) as Record<string, string>;
  const aggregates = { ...fromReport((paths) => paths.csv), ...given.aggregates };
  const manifests = { ...fromReport((paths) => paths.manifest), ...given.manifests };
  const rows: [string, string | undefined][] = [
    ['Report built from', data.source],
    ['Job output', given.processed ?? newest?.outputPath],
    ['Raw input', given.raw],
    ['Feature table (Parquet)', given.features ?? outputs?.features],
    ['Quarantined rows (Parquet)', given.rejected ?? outputs?.rejected],
    ['Run report', given.reports ?? outputs?.report],
    ...Object.entries(aggregates).map(([name, value]): [string, string] => [`Aggregate ${name} (CSV)`, value]),
    ...Object.entries(manifests).map(([name, value]): [string, string] => [`QuickSight manifest ${name}`, value]),
  ];
  return rows.flatMap(([label, value]) => (value ? [{ label, value }] : []));
}
