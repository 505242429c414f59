/** What the report is built from: the job's run reports and aggregate CSVs, typed. */

/** Rows of one quarter in one run report; year and quarter are null for rows of unknown date. */
export interface QuarterCounts {
  year: number | null;
  quarter: number | null;
  read: number;
  /** Rows that went into the feature table ("used"). */
  written: number;
  /** Rows quarantined, in all. */
  rejected: number;
  rejectedByReason: Record<string, number>;
}

/** Where one aggregate's files are, as the run report names them. */
export interface AggregateLocations {
  parquet?: string;
  csv?: string;
  manifest?: string;
}

export interface ReportOutputs {
  features?: string;
  rejected?: string;
  aggregates: Record<string, AggregateLocations>;
  report?: string;
}

/** The stage of a run whose tasks took the most time in all (the report's `spark.slowest_stage`). */
export interface SlowestStage {
  id: number;
  name: string;
  tasks: number;
  /** Seconds its tasks ran, added up. */
  taskSeconds: number;
  /** The median and the longest task; null when the job could not tell. */
  taskSecondsMedian: number | null;
  taskSecondsMax: number | null;
  /** The longest task over the median one: 1 is even, much more is skewed; null when unknown. */
  skew: number | null;
}

/** One quarter's drift in a run report (its `drift` list, see glue-job/drift.py). */
export interface QuarterDrift {
  year: number;
  quarter: number;
  /** The quarter it was compared with; null for a quarter with none before it. */
  against: { year: number; quarter: number } | null;
  /** Population stability index per numeric feature; null where there was nothing to compare. */
  psi: Record<string, number | null>;
  /**
   * Exact nearest-rank quantiles per numeric feature, by name (`p01` … `p99`; null for a quarter
   * without a value of it); empty in reports of job versions before quantiles.
   */
  quantiles: Record<string, Record<string, number | null>>;
}

/** What Spark measured during a run (the report's `spark`, see glue-job/report.py). */
export interface SparkFigures {
  stages: number;
  /** Bytes Spark spilled from memory (deserialized) and wrote to disk for it. */
  memorySpilledBytes: number;
  diskSpilledBytes: number;
  slowestStage: SlowestStage | null;
  /** What the job suggests when the figures call for it, e.g. more memory after a spill to disk. */
  advice: string | null;
}

/** One `reports/run_report*.json` document (the fields the report uses). */
export interface RunReport {
  /** The key it was read from. */
  key: string;
  jobName?: string;
  startedAt: string;
  durationSeconds: number;
  outputPath?: string;
  rows: { read: number; written: number; rejected: number };
  rejectedByReason: Record<string, number>;
  quarters: QuarterCounts[];
  outputs: ReportOutputs;
  /** Null in reports of job versions before Spark's figures were recorded, or a run without them. */
  spark: SparkFigures | null;
  /** Each quarter the run wrote, scored against the quarter before; empty in reports of job versions before drift. */
  drift: QuarterDrift[];
}

/** The measures every aggregate row has: flights, then delays in minutes, share as 0..1. */
export interface Measures {
  year: number;
  quarter: number;
  flights: number;
  meanDelay: number;
  p90Delay: number;
  shareDelayed: number;
}

export interface RouteQuarterRow extends Measures {
  origin: string;
  destination: string;
  route: string;
}

export interface OriginHourRow extends Measures {
  origin: string;
  /** 0..23, local time of departure. */
  hour: number;
}

export interface DayOfWeekRow extends Measures {
  /** ISO: 1 = Monday ... 7 = Sunday. */
  dayOfWeek: number;
}

export interface Aggregates {
  routeQuarter: RouteQuarterRow[];
  originHour: OriginHourRow[];
  dayOfWeek: DayOfWeekRow[];
}

export interface ReportData {
  /** The root read from (ReportSource.describe()). */
  source: string;
  /** Every run report found, oldest first, one per run. */
  reports: RunReport[];
  aggregates: Aggregates;
  /** The keys read, in order. */
  keys: string[];
}

/** One Glue job run, as the caller knows it (from GetJobRuns and a price). */
export interface JobRunSummary {
  id: string;
  startedOn: Date | string;
  durationSeconds: number;
  /** Estimated cost in US dollars, when known. */
  costUsd?: number;
  /** The ceiling on its cost, when known: the run's timeout stops it there. */
  ceiling?: RunCostCeiling;
}

/** The most one job run could cost: the --max-usd that set its timeout, else what its timeout allows at list price. */
export interface RunCostCeiling {
  usd: number;
  from: 'max-usd' | 'timeout';
  timeoutMinutes: number;
  /** Glue stopped the run at its timeout. */
  hit: boolean;
}
