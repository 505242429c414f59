/** Glue's own words for how a job runs, as the tool offers them. */

export const WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type WorkerType = (typeof WORKER_TYPES)[number];

/** The Glue versions the job is written and tested for (Spark 3.5.4 and 3.5.6, Python 3.11). */
export const GLUE_VERSIONS = ['5.0', '5.1'] as const;
export type GlueVersion = (typeof GLUE_VERSIONS)[number];

export const EXECUTION_CLASSES = ['STANDARD', 'FLEX'] as const;
export type ExecutionClass = (typeof EXECUTION_CLASSES)[number];

/**
 * Worker types a Flex run can have: "Flexible job runs are supported for jobs using AWS Glue version
 * 3.0 or later and G.1X or G.2X worker types" (AWS Glue developer guide, job properties); both
 * Glue versions offered here are later than 3.0.
 */
export const FLEX_WORKER_TYPES: readonly WorkerType[] = ['G.1X', 'G.2X'];
