/** Glue's own words for how a job runs, as the tool offers them. */

export const WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type WorkerType = (typeof WORKER_TYPES)[number];

/** The Glue versions the job is written and tested for. */
export const GLUE_VERSIONS = ['5.0', '5.1', '6.0'] as const;
export type GlueVersion = (typeof GLUE_VERSIONS)[number];

export interface GlueRuntime {
  readonly spark: string;
  readonly python: string;
}

/**
 * What each version runs: "AWS Glue 6.0: Spark 4.1.1, Python 3.13, Scala 2.13.17, Java 17"
 * (https://docs.aws.amazon.com/glue/latest/dg/release-notes.html and migrating-version-60.html);
 * 5.1 is Spark 3.5.6 and 5.0 Spark 3.5.4, both on Python 3.11.
 */
export const GLUE_RUNTIMES: Readonly<Record<GlueVersion, GlueRuntime>> = {
  '5.0': { spark: '3.5.4', python: '3.11' },
  '5.1': { spark: '3.5.6', python: '3.11' },
  '6.0': { spark: '4.1.1', python: '3.13' },
};

/** Spark's major.minor line ("3.5", "4.1"): a local PySpark of the same line runs the job as Glue does. */
export function sparkLine(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

export const EXECUTION_CLASSES = ['STANDARD', 'FLEX'] as const;
export type ExecutionClass = (typeof EXECUTION_CLASSES)[number];

/**
 * Worker types a Flex run can have: "Flexible job runs are supported for jobs using AWS Glue version
 * 3.0 or later and G.1X or G.2X worker types" (AWS Glue developer guide, job properties); both
 * Glue versions offered here are later than 3.0.
 */
export const FLEX_WORKER_TYPES: readonly WorkerType[] = ['G.1X', 'G.2X'];
