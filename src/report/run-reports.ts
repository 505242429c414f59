/** One run report document (glue-job/report.py) checked and typed. */
import type { AggregateLocations, QuarterCounts, QuarterDrift, ReportOutputs, RunReport, SlowestStage, SparkFigures } from './data.js';

/** Why a document is not a run report; the loader adds the file's location. */
export class ShapeError extends Error {}

/** The newest run report, under the job's output prefix (processed/); the job keeps it current. */
export const LATEST_RUN_REPORT = 'reports/run_report.json';

export function parseRunReport(key: string, text: string): RunReport {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ShapeError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const root = object(document, 'the document');
  const rows = object(root.rows, 'rows');
  const quarters = root.quarters;
  if (!Array.isArray(quarters)) throw new ShapeError('quarters is missing or not a list');
  return {
    key,
    jobName: optionalString(root.job_name),
    startedAt: timestamp(root.started_at, 'started_at'),
    durationSeconds: count(root.duration_seconds, 'duration_seconds', false),
    outputPath: optionalString(root.output_path),
    rows: {
      read: count(rows.read, 'rows.read'),
      written: count(rows.written, 'rows.written'),
      rejected: count(rows.rejected, 'rows.rejected'),
    },
    rejectedByReason: reasons(root.rejected_by_reason, 'rejected_by_reason'),
    quarters: quarters.map((entry, index) => quarterCounts(entry, `quarters[${index}]`)),
    outputs: outputs(root.outputs),
    spark: parseSparkFigures(root.spark),
    drift: parseDrift(root.drift),
  };
}

/**
 * A run report's `spark` object checked and typed; null when it is null or absent (a report of an
 * older job). `slowest_stage` may be null, and its median, longest task and skew null or absent.
 */
export function parseSparkFigures(value: unknown, where = 'spark'): SparkFigures | null {
  if (value === undefined || value === null) return null;
  const spark = object(value, where);
  return {
    stages: count(spark.stages, `${where}.stages`),
    memorySpilledBytes: count(spark.memory_spilled_bytes, `${where}.memory_spilled_bytes`),
    diskSpilledBytes: count(spark.disk_spilled_bytes, `${where}.disk_spilled_bytes`),
    slowestStage: slowestStage(spark.slowest_stage, `${where}.slowest_stage`),
    advice: nullableText(spark.advice, `${where}.advice`),
  };
}

/** A run report's `drift` list checked and typed; empty when it is absent (a report of an older job). */
export function parseDrift(value: unknown, where = 'drift'): QuarterDrift[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not a list`);
  return value.map((item, index) => {
    const at = `${where}[${index}]`;
    const entry = object(item, at);
    const psi = object(entry.psi, `${at}.psi`);
    const against = entry.against === null || entry.against === undefined ? null : object(entry.against, `${at}.against`);
    return {
      year: wholeNumber(entry.year, `${at}.year`, 1, 9999),
      quarter: wholeNumber(entry.quarter, `${at}.quarter`, 1, 4),
      against: against === null ? null : { year: wholeNumber(against.year, `${at}.against.year`, 1, 9999), quarter: wholeNumber(against.quarter, `${at}.against.quarter`, 1, 4) },
      psi: Object.fromEntries(Object.entries(psi).map(([feature, score]) => [feature, nullableNumber(score, `${at}.psi.${feature}`)])),
      quantiles: quantiles(entry.quantiles, `${at}.quantiles`),
    };
  });
}

/** A drift entry's `quantiles`, per feature its named values (any real number, or null); empty when absent. */
function quantiles(value: unknown, where: string): Record<string, Record<string, number | null>> {
  if (value === undefined || value === null) return {};
  return Object.fromEntries(
    Object.entries(object(value, where)).map(([feature, named]) => [
      feature,
      Object.fromEntries(Object.entries(object(named, `${where}.${feature}`)).map(([name, found]) => [name, nullableReal(found, `${where}.${feature}.${name}`)])),
    ]),
  );
}

/** The features of `drift` whose PSI is above `threshold`, worst first. */
export function driftedFeatures(drift: readonly QuarterDrift[], threshold: number): DriftedFeature[] {
  const found: DriftedFeature[] = [];
  for (const quarter of drift) {
    for (const [feature, psi] of Object.entries(quarter.psi)) {
      if (psi !== null && psi > threshold) found.push({ year: quarter.year, quarter: quarter.quarter, feature, psi });
    }
  }
  return found.sort((a, b) => b.psi - a.psi);
}

/** A feature of a quarter that drifted from the quarter before. */
export interface DriftedFeature {
  year: number;
  quarter: number;
  feature: string;
  psi: number;
}

function wholeNumber(value: unknown, where: string, min: number, max: number): number {
  const found = nullableInteger(value, where, min, max);
  if (found === null) throw new ShapeError(`${where} is null, not a whole number from ${min} to ${max}`);
  return found;
}

/** The same, but null where the figures are malformed: for output that shows them beside other things. */
export function sparkFiguresOrNull(value: unknown): SparkFigures | null {
  try {
    return parseSparkFigures(value);
  } catch (error) {
    if (error instanceof ShapeError) return null;
    throw error;
  }
}

function slowestStage(value: unknown, where: string): SlowestStage | null {
  if (value === undefined || value === null) return null;
  const stage = object(value, where);
  if (typeof stage.name !== 'string') throw new ShapeError(`${where}.name is ${JSON.stringify(stage.name) ?? 'missing'}, not text`);
  return {
    id: count(stage.id, `${where}.id`),
    name: stage.name,
    tasks: count(stage.tasks, `${where}.tasks`),
    taskSeconds: count(stage.task_seconds, `${where}.task_seconds`, false),
    taskSecondsMedian: nullableNumber(stage.task_seconds_median, `${where}.task_seconds_median`),
    taskSecondsMax: nullableNumber(stage.task_seconds_max, `${where}.task_seconds_max`),
    skew: nullableNumber(stage.skew, `${where}.skew`),
  };
}

/** Absent or null is null; otherwise a non-negative number. */
function nullableNumber(value: unknown, where: string): number | null {
  return value === undefined || value === null ? null : count(value, where, false);
}

/** Absent or null is null; otherwise a finite number, of either sign. */
function nullableReal(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeError(`${where} is ${JSON.stringify(value)}, not a number or null`);
  return value;
}

/** Absent, null or empty is null; otherwise text. */
function nullableText(value: unknown, where: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new ShapeError(`${where} is ${JSON.stringify(value)}, not text or null`);
  return value;
}

function quarterCounts(value: unknown, where: string): QuarterCounts {
  const entry = object(value, where);
  return {
    year: nullableInteger(entry.year, `${where}.year`, 1, 9999),
    quarter: nullableInteger(entry.quarter, `${where}.quarter`, 1, 4),
    read: count(entry.read, `${where}.read`),
    written: count(entry.written, `${where}.written`),
    rejected: count(entry.rejected, `${where}.rejected`),
    rejectedByReason: reasons(entry.rejected_by_reason, `${where}.rejected_by_reason`),
  };
}

/** Lenient: the locations are shown when present, never needed. */
function outputs(value: unknown): ReportOutputs {
  const root = isObject(value) ? value : {};
  const aggregates: Record<string, AggregateLocations> = {};
  if (isObject(root.aggregates)) {
    for (const [name, paths] of Object.entries(root.aggregates)) {
      if (!isObject(paths)) continue;
      aggregates[name] = {
        parquet: optionalString(paths.parquet),
        csv: optionalString(paths.csv),
        manifest: optionalString(paths.manifest),
      };
    }
  }
  return {
    features: optionalString(root.features),
    rejected: optionalString(root.rejected),
    aggregates,
    report: optionalString(root.report),
  };
}

function reasons(value: unknown, where: string): Record<string, number> {
  const entries = object(value, where);
  return Object.fromEntries(Object.entries(entries).map(([reason, rows]) => [reason, count(rows, `${where}.${reason}`)]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw new ShapeError(`${where} is ${value === undefined ? 'missing' : 'not an object'}`);
  return value;
}

function count(value: unknown, where: string, integer = true): number {
  if (value === undefined) throw new ShapeError(`${where} is missing`);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new ShapeError(`${where} is ${JSON.stringify(value)}, not a ${integer ? 'count' : 'non-negative number'}`);
  }
  return value;
}

function nullableInteger(value: unknown, where: string, min: number, max: number): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ShapeError(`${where} is ${JSON.stringify(value) ?? 'missing'}, not null or a whole number from ${min} to ${max}`);
  }
  return value;
}

function timestamp(value: unknown, where: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ShapeError(`${where} is ${JSON.stringify(value) ?? 'missing'}, not an ISO-8601 time`);
  }
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
