/**
 * A person-readable summary of the job's run report (its shape is documented in
 * glue-job/report.py): totals, rejections by reason, and the rows of each quarter.
 */
interface Counts {
  read?: number;
  written?: number;
  rejected?: number;
}
interface RunReport {
  rows?: Counts;
  rejected_by_reason?: Record<string, number>;
  quarters?: (Counts & { year?: number | null; quarter?: number | null })[];
  outputs?: { features?: string; report?: string };
  duration_seconds?: number;
}

export function formatRunReport(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const report = value as RunReport;
  const rows = report.rows ?? {};
  const lines = [
    `Job run: ${rows.read ?? '?'} rows read, ${rows.written ?? '?'} features written, ${rows.rejected ?? '?'} rejected` +
      (report.duration_seconds !== undefined ? ` in ${Math.round(report.duration_seconds)} s` : ''),
  ];
  const reasons = Object.entries(report.rejected_by_reason ?? {}).filter(([, count]) => count > 0);
  if (reasons.length > 0) {
    lines.push('Rejected by reason:');
    for (const [reason, count] of reasons) lines.push(`  ${reason.padEnd(28)} ${count}`);
  }
  if (report.quarters?.length) {
    lines.push('Per quarter:');
    for (const q of report.quarters) {
      const label = q.year && q.quarter ? `${q.year} Q${q.quarter}` : 'unknown';
      lines.push(`  ${label.padEnd(10)} read ${q.read ?? 0}, written ${q.written ?? 0}, rejected ${q.rejected ?? 0}`);
    }
  }
  if (report.outputs?.features) lines.push(`Features: ${report.outputs.features}`);
  if (report.outputs?.report) lines.push(`Report:   ${report.outputs.report}`);
  return lines.join('\n');
}
