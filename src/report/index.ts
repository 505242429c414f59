/**
 * `provisioner report`: the run reports and aggregate CSVs of a processed/ tree as one HTML page.
 *
 *   const { html, headline } = await buildReport(new DirectorySource('export'), { runs });
 */
import type { Chart } from './charts/chart.js';
import { daysChart } from './charts/days.js';
import { driftChart } from './charts/drift.js';
import { hoursChart } from './charts/hours.js';
import { routesChart } from './charts/routes.js';
import { runsChart } from './charts/runs.js';
import { volumeChart } from './charts/volume.js';
import type { ReportData, RunReport, JobRunSummary } from './data.js';
import { renderPage } from './html.js';
import { loadReportData } from './load.js';
import { locationRows, type ReportLocations } from './locations.js';
import { renderSvg } from './render.js';
import { sparkSection } from './spark.js';
import type { ReportSource } from './source.js';
import { chooseQuarters, headline as headlineOf, quarterRows, type Headline } from './summary.js';

export type { Chart } from './charts/chart.js';
export type { ReportData, JobRunSummary } from './data.js';
export type { ReportLocations } from './locations.js';
export { headlineLines, type Headline } from './summary.js';
export { DirectorySource, type ReportSource } from './source.js';
export { S3Source } from './s3-source.js';
export { loadReportData } from './load.js';

export interface BuildReportOptions {
  /** The last job runs (newest or oldest first, either); none or [] draws "no runs recorded". */
  runs?: JobRunSummary[];
  title?: string;
  /** Where the data lives, shown as given; what is left out is taken from the newest run report. */
  locations?: ReportLocations;
  /** The time printed as "Built ..."; now by default. */
  generatedAt?: Date;
  /** Routes with fewer flights in the quarter are not ranked (default 100). */
  minRouteFlights?: number;
  /** Routes shown (default 15). */
  topRoutes?: number;
  /** Origins in the hour chart (default 8). */
  busiestOrigins?: number;
  /** Quarters compared day by day (default 4, the latest). */
  dayQuarters?: number;
  /** Runs shown (default 10, the newest). */
  lastRuns?: number;
  /** The PSI above which a feature counts as drifted (--drift-threshold; default 0.2). */
  driftThreshold?: number;
  /** Quarters in the drift chart (default 8, the latest). */
  driftQuarters?: number;
}

/** --drift-threshold's default, for pages built without settings. */
export const DEFAULT_DRIFT_THRESHOLD = 0.2;

export interface Report {
  html: string;
  headline: Headline;
  charts: Chart[];
}

export const DEFAULT_TITLE = 'Flight delay pipeline: quarterly results';

export async function buildReport(source: ReportSource, options: BuildReportOptions = {}): Promise<Report> {
  return buildReportFromData(await loadReportData(source), options);
}

/** The same from data already loaded (e.g. to take the runs from its reports: runsFromReports). */
export async function buildReportFromData(data: ReportData, options: BuildReportOptions = {}): Promise<Report> {
  const charts = reportCharts(data, options);
  const quarters = quarterRows(data.reports);
  const headline = headlineOf(data, quarters, chooseQuarters(data));
  const rendered = await Promise.all(
    charts.map(async (chart) => ({ chart, svg: chart.spec ? await renderSvg(chart.spec) : null })),
  );
  const html = renderPage({
    title: options.title ?? DEFAULT_TITLE,
    generatedAt: options.generatedAt ?? new Date(),
    headline,
    charts: rendered,
    locations: locationRows(data, options.locations),
    spark: sparkSection(data.reports, options.lastRuns ?? 10),
  });
  return { html, headline, charts };
}

/** The six charts, in page order, as specs and data tables (nothing rendered yet). */
export function reportCharts(data: ReportData, options: BuildReportOptions = {}): Chart[] {
  const choice = chooseQuarters(data);
  const partial = choice.partial.map((quarter) => `${quarter.label} (${quarter.flights} flights)`).join(', ');
  const leftOut = partial ? ` Left out as partial (under a tenth of the busiest quarter's flights): ${partial}.` : '';
  const withNote = (chart: Chart): Chart => (leftOut ? { ...chart, note: `${chart.note ?? ''}${leftOut}`.trim() } : chart);
  return [
    volumeChart(quarterRows(data.reports)),
    withNote(routesChart(data.aggregates.routeQuarter, choice.charted, { minFlights: options.minRouteFlights ?? 100, top: options.topRoutes ?? 15 })),
    withNote(hoursChart(data.aggregates.originHour, choice.charted, { origins: options.busiestOrigins ?? 8 })),
    withNote(
      daysChart(
        data.aggregates.dayOfWeek,
        choice.all.filter((quarter) => !choice.partial.includes(quarter)),
        { quarters: options.dayQuarters ?? 4 },
      ),
    ),
    driftChart(data.reports, { threshold: options.driftThreshold ?? DEFAULT_DRIFT_THRESHOLD, quarters: options.driftQuarters ?? 8 }),
    runsChart(options.runs ?? [], { last: options.lastRuns ?? 10 }),
  ];
}

/** Runs as the run reports tell them (job name for an id, no cost), for a report built without Glue. */
export function runsFromReports(reports: RunReport[]): JobRunSummary[] {
  return reports.map((report) => ({
    id: report.jobName ?? 'job run',
    startedOn: report.startedAt,
    durationSeconds: report.durationSeconds,
  }));
}
