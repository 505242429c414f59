/** Spark's own figures of the last runs, as the page's table of them shows them. */
import type { RunReport, SparkFigures } from './data.js';

export interface SparkRun {
  startedAt: string;
  jobName?: string;
  /** Null for a report of a job version before the figures were recorded. */
  spark: SparkFigures | null;
}

export interface SparkSection {
  /** Newest first. */
  runs: SparkRun[];
  /** The job's advice, when the newest run spilled to disk and the job gave one. */
  advice: string | null;
}

/**
 * The last `last` runs, newest first, with their Spark figures; null when none of them has any
 * (reports of older job versions only), so the page leaves the section out.
 */
export function sparkSection(reports: RunReport[], last: number): SparkSection | null {
  const runs = [...reports]
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))
    .slice(0, last)
    .map((report) => ({ startedAt: report.startedAt, ...(report.jobName ? { jobName: report.jobName } : {}), spark: report.spark }));
  if (!runs.some((run) => run.spark !== null)) return null;
  const newest = runs[0]?.spark;
  return { runs, advice: newest && newest.diskSpilledBytes > 0 ? newest.advice : null };
}
