/** Chart 2: the routes of one quarter with the highest mean delay, and how many flights each had. */
import type { TopLevelSpec } from 'vega-lite';
import type { RouteQuarterRow } from '../data.js';
import type { QuarterFlights } from '../summary.js';
import { COLORS, CONFIG, levelTitle, roomForLabels, type Chart, type Datum } from './chart.js';
import { formatCount, formatOne, round } from '../format.js';

export interface RouteChartOptions {
  /** Routes with fewer flights in the quarter are left out (one late flight is not a late route). */
  minFlights: number;
  /** How many routes to show. */
  top: number;
}

export function routesChart(rows: RouteQuarterRow[], quarter: QuarterFlights | null, options: RouteChartOptions): Chart {
  const title = quarter ? `Most delayed routes, ${quarter.label}` : 'Most delayed routes';
  const id = 'routes';
  if (!quarter) return { id, title, datasets: { routes: [] }, spec: null, empty: 'no quarter with flights in the aggregates' };
  const inQuarter = rows.filter((row) => row.year === quarter.year && row.quarter === quarter.quarter);
  const chosen = inQuarter
    .filter((row) => row.flights >= options.minFlights)
    .sort((a, b) => b.meanDelay - a.meanDelay || b.flights - a.flights || a.route.localeCompare(b.route))
    .slice(0, options.top);
  const routes: Datum[] = chosen.map((row) => ({
    route: row.route,
    origin: row.origin,
    destination: row.destination,
    flights: row.flights,
    meanDelay: round(row.meanDelay),
    p90Delay: round(row.p90Delay),
    sharePct: round(row.shareDelayed * 100),
    delayLabel: `${formatOne(row.meanDelay)} min`,
    flightsLabel: formatCount(row.flights),
  }));
  const datasets = { routes };
  const note = `Routes with at least ${formatCount(options.minFlights)} flights in ${quarter.label} (${formatCount(
    inQuarter.filter((row) => row.flights >= options.minFlights).length,
  )} of ${formatCount(inQuarter.length)} routes), ranked by mean departure delay.`;
  if (routes.length === 0) {
    return { id, title, datasets, spec: null, empty: `no route has ${formatCount(options.minFlights)} flights or more in ${quarter.label}`, note };
  }

  const y = {
    field: 'route',
    type: 'nominal',
    sort: routes.map((row) => row.route),
    title: 'route (origin-destination)',
    axis: levelTitle(),
  } as const;
  const panel = (field: string, label: string, axisTitle: string, color: string, values: number[], withY: boolean) => ({
    width: 330,
    height: { step: 22 },
    encoding: {
      y: withY ? y : { ...y, axis: null },
      x: {
        field,
        type: 'quantitative',
        title: axisTitle,
        scale: { domain: [Math.min(0, ...values), roomForLabels(values)] },
      },
    },
    layer: [
      { mark: { type: 'bar', color } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: label } } },
    ],
  });
  const spec = {
    title: {
      text: title,
      subtitle: `top ${routes.length} by mean departure delay, ${formatCount(options.minFlights)}+ flights each`,
    },
    config: CONFIG,
    datasets,
    data: { name: 'routes' },
    hconcat: [
      panel('meanDelay', 'delayLabel', 'mean departure delay (minutes)', COLORS.delay, chosen.map((r) => r.meanDelay), true),
      panel('flights', 'flightsLabel', `flights in ${quarter.label} (count)`, COLORS.flights, chosen.map((r) => r.flights), false),
    ],
    spacing: 16,
  } as TopLevelSpec;
  return { id, title, datasets, spec, note };
}
