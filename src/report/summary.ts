/** Figures across runs: rows per quarter, the headline, and which quarter the charts look at. */
import type { QuarterCounts, ReportData, RunReport } from './data.js';
import { formatCount, reasonLabel } from './format.js';

export interface QuarterRef {
  year: number;
  quarter: number;
}

/** "2001 Q1"; rows whose date is unknown belong to "unknown quarter". */
export function quarterLabel(year: number | null, quarter: number | null): string {
  return year === null || quarter === null ? 'unknown quarter' : `${year} Q${quarter}`;
}

function quarterIndex(year: number, quarter: number): number {
  return year * 4 + quarter - 1;
}

export interface QuarterRows extends QuarterCounts {
  label: string;
  /** The run report these figures come from. */
  reportKey: string;
}

/**
 * Rows per quarter as the output now holds them: each run replaces the quarters it read, so a
 * quarter's figures are those of the newest run that read it. Sorted; unknown quarter last.
 */
export function quarterRows(reports: RunReport[]): QuarterRows[] {
  const newest = new Map<string, QuarterRows>();
  for (const report of reports) {
    for (const entry of report.quarters) {
      const label = quarterLabel(entry.year, entry.quarter);
      newest.set(label, { ...entry, label, reportKey: report.key });
    }
  }
  const order = (row: QuarterRows) =>
    row.year === null || row.quarter === null ? Number.MAX_SAFE_INTEGER : quarterIndex(row.year, row.quarter);
  return [...newest.values()].sort((a, b) => order(a) - order(b));
}

/** A quarter with less than this share of the busiest quarter's flights is partial. */
export const PARTIAL_QUARTER_SHARE = 0.1;

export interface QuarterFlights extends QuarterRef {
  label: string;
  flights: number;
}

export interface QuarterChoice {
  /** The latest quarter that is not partial: the one the route and hour charts show. */
  charted: QuarterFlights | null;
  /** Quarters left out of the charts for holding too few flights (e.g. a few stragglers). */
  partial: QuarterFlights[];
  /** Every quarter with flights, oldest first. */
  all: QuarterFlights[];
}

/** Flights per quarter in the aggregates, and which quarters are worth a chart. */
export function chooseQuarters(data: ReportData): QuarterChoice {
  const flights = new Map<number, QuarterFlights>();
  for (const row of data.aggregates.dayOfWeek) {
    const index = quarterIndex(row.year, row.quarter);
    const entry = flights.get(index) ?? {
      year: row.year,
      quarter: row.quarter,
      label: quarterLabel(row.year, row.quarter),
      flights: 0,
    };
    entry.flights += row.flights;
    flights.set(index, entry);
  }
  const all = [...flights.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  const busiest = Math.max(0, ...all.map((entry) => entry.flights));
  const partial = all.filter((entry) => entry.flights < busiest * PARTIAL_QUARTER_SHARE);
  const full = all.filter((entry) => !partial.includes(entry));
  return { charted: full.at(-1) ?? null, partial, all };
}

export interface Headline {
  rowsRead: number;
  rowsUsed: number;
  rowsQuarantined: number;
  quarantinedByReason: Record<string, number>;
  /** Quarters with rows (not counting rows of unknown date). */
  quartersCovered: number;
  quarters: string[];
  /** The latest quarter with rows, e.g. "2001 Q3"; null when there is none. */
  latestQuarter: string | null;
  /** The quarter the route and hour charts show (the latest one that is not partial). */
  chartedQuarter: string | null;
  runReports: number;
  lastRunStartedAt: string | null;
}

export function headline(data: ReportData, quarters: QuarterRows[], choice: QuarterChoice): Headline {
  const quarantinedByReason: Record<string, number> = {};
  for (const row of quarters) {
    for (const [reason, rows] of Object.entries(row.rejectedByReason)) {
      quarantinedByReason[reason] = (quarantinedByReason[reason] ?? 0) + rows;
    }
  }
  const known = quarters.filter((row) => row.year !== null && row.quarter !== null && row.read > 0);
  return {
    rowsRead: sum(quarters.map((row) => row.read)),
    rowsUsed: sum(quarters.map((row) => row.written)),
    rowsQuarantined: sum(quarters.map((row) => row.rejected)),
    quarantinedByReason,
    quartersCovered: known.length,
    quarters: known.map((row) => row.label),
    latestQuarter: known.at(-1)?.label ?? null,
    chartedQuarter: choice.charted?.label ?? null,
    runReports: data.reports.length,
    lastRunStartedAt: data.reports.at(-1)?.startedAt ?? null,
  };
}

/** "unknown origin 12, duplicate 11": the reasons that quarantined rows, most rows first. */
export function quarantineReasons(headline: Headline): string {
  return Object.entries(headline.quarantinedByReason)
    .filter(([, rows]) => rows > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, rows]) => `${reasonLabel(reason)} ${formatCount(rows)}`)
    .join(', ');
}

/** The headline for a terminal, two lines: what `make demo` can print under the report's path. */
export function headlineLines(headline: Headline): string[] {
  const reasons = quarantineReasons(headline);
  const partial =
    headline.latestQuarter && headline.chartedQuarter && headline.latestQuarter !== headline.chartedQuarter
      ? ` (partial; charts show ${headline.chartedQuarter})`
      : '';
  return [
    `rows read ${formatCount(headline.rowsRead)}, used ${formatCount(headline.rowsUsed)}, ` +
      `quarantined ${formatCount(headline.rowsQuarantined)}${reasons ? ` (${reasons})` : ''}`,
    `quarters ${headline.quartersCovered}${headline.quarters.length > 0 ? ` (${headline.quarters.join(', ')})` : ''}, ` +
      `latest ${headline.latestQuarter ?? 'none'}${partial}`,
  ];
}

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
