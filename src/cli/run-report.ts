import type { SparkFigures } from '../report/data.js';
import { formatBytes } from '../core/units.js';
import { stageLabel } from '../report/format.js';
import { sparkFiguresOrNull } from '../report/run-reports.js';

/**
 * A person-readable summary of the job's run report (its shape is documented in
 * glue-job/report.py): totals, rejections by reason, the rows of each quarter, and what Spark
 * measured.
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
  outputs?: { features?: string; report?: string; run_manifest?: string };
  duration_seconds?: number;
  spark?: unknown;
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
  // Reports of older job versions have no figures; malformed ones are left out of a summary.
  const spark = sparkFiguresOrNull(report.spark);
  if (spark) lines.push(...formatSpark(spark));
  if (report.outputs?.features) lines.push(`Features: ${report.outputs.features}`);
  if (report.outputs?.report) lines.push(`Report:   ${report.outputs.report}`);
  if (report.outputs?.run_manifest) lines.push(`Manifest: ${report.outputs.run_manifest}`);
  return lines.join('\n');
}

/**
 * What Spark measured, on one line, and the job's advice on its own line when it gave any:
 * "spark: 41 stages, spilled 700 MiB in memory, 178 MiB to disk; slowest stage 63 (parquet)
 * 53.1 s of task time over 5 tasks, skew 1.45 (max/median task)".
 */
export function formatSpark(spark: SparkFigures): string[] {
  const stages = `${spark.stages} stage${spark.stages === 1 ? '' : 's'}`;
  const spilled =
    spark.memorySpilledBytes === 0 && spark.diskSpilledBytes === 0
      ? 'nothing spilled'
      : `spilled ${formatBytes(spark.memorySpilledBytes, 'short')} in memory, ${formatBytes(spark.diskSpilledBytes, 'short')} to disk`;
  const parts = [`spark: ${stages}, ${spilled}`];
  const stage = spark.slowestStage;
  if (stage) {
    const skew = stage.skew === null ? '' : `, skew ${stage.skew.toFixed(2)} (max/median task)`;
    parts.push(
      `slowest stage ${stage.id}${stage.name ? ` (${stageName(stage.name)})` : ''} ${stage.taskSeconds.toFixed(1)} s of task time` +
        ` over ${stage.tasks} task${stage.tasks === 1 ? '' : 's'}${skew}`,
    );
  }
  return [parts.join('; '), ...(spark.advice ? [`advice: ${spark.advice}`] : [])];
}

/** A stage's name as Spark gives it, without the call site PySpark stages share, at most 60 characters. */
function stageName(name: string): string {
  const short = stageLabel(name);
  return short.length > 60 ? `${short.slice(0, 59)}…` : short;
}
