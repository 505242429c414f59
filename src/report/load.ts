/**
 * Reads what the report needs from a processed/ tree: the run reports and the aggregate CSVs.
 * Nothing else is listed or read: the feature table can be huge.
 */
import { ProvisionerError } from '../core/errors.js';
import { parseAggregateCsv, type AggregateName, type AggregateRow } from './aggregates.js';
import type { Aggregates, ReportData, RunReport } from './data.js';
import { ShapeError, parseRunReport } from './run-reports.js';
import { locate, type ReportSource } from './source.js';

export const REPORTS_PREFIX = 'reports/';
const REPORT_FILE = /^reports\/run_report(-[^/]+)?\.json$/;

export function aggregatePrefix(name: AggregateName): string {
  return `aggregates/${name}/csv/`;
}

/** CSV files directly in the folder; Hadoop's hidden `.crc` and `_SUCCESS` files are not data. */
function isDataCsv(prefix: string, key: string): boolean {
  const rest = key.slice(prefix.length);
  return !rest.includes('/') && !rest.startsWith('.') && !rest.startsWith('_') && rest.endsWith('.csv');
}

export async function loadReportData(source: ReportSource): Promise<ReportData> {
  const keys: string[] = [];
  const reportKeys = (await source.list(REPORTS_PREFIX)).filter((key) => REPORT_FILE.test(key));
  if (reportKeys.length === 0) {
    throw new ProvisionerError(`no run report under ${locate(source, REPORTS_PREFIX)} (expected run_report*.json)`, 'user');
  }
  const reports: RunReport[] = [];
  for (const key of reportKeys) {
    reports.push(await readChecked(source, key, (text) => parseRunReport(key, text)));
    keys.push(key);
  }

  const read = async <N extends AggregateName>(name: N) => {
    const prefix = aggregatePrefix(name);
    const files = (await source.list(prefix)).filter((key) => isDataCsv(prefix, key));
    if (files.length === 0) {
      throw new ProvisionerError(`aggregate ${name} missing: no CSV file under ${locate(source, prefix)}`, 'user');
    }
    const rows: AggregateRow[N][] = [];
    for (const key of files) {
      rows.push(...(await readChecked(source, key, (text) => parseAggregateCsv(name, text))));
      keys.push(key);
    }
    return rows;
  };
  const aggregates: Aggregates = {
    routeQuarter: await read('route_quarter'),
    originHour: await read('origin_hour'),
    dayOfWeek: await read('day_of_week'),
  };
  return { source: source.describe(), reports: distinctRuns(reports), aggregates, keys };
}

async function readChecked<T>(source: ReportSource, key: string, parse: (text: string) => T): Promise<T> {
  const text = await source.read(key);
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ShapeError) throw new ProvisionerError(`${locate(source, key)}: ${error.message}`, 'user');
    throw error;
  }
}

/**
 * run_report.json is a copy of the newest run_report-<time>.json: one report per run (by job and
 * start time), oldest first; the timestamped copy is kept when both are there.
 */
function distinctRuns(reports: RunReport[]): RunReport[] {
  const byRun = new Map<string, RunReport>();
  for (const report of reports) {
    const run = `${report.jobName ?? ''}@${Date.parse(report.startedAt)}`;
    const seen = byRun.get(run);
    if (!seen || seen.key.endsWith('/run_report.json')) byRun.set(run, report);
  }
  return [...byRun.values()].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.key.localeCompare(b.key));
}
