/** Chart 3: mean delay and share delayed by hour of day at the busiest origins of one quarter. */
import type { TopLevelSpec } from 'vega-lite';
import type { OriginHourRow } from '../data.js';
import { sum, type QuarterFlights } from '../summary.js';
import { CONFIG, levelTitle, quantile, type Chart, type Datum } from './chart.js';
import { formatCount, formatOne, round } from '../format.js';

export interface HourChartOptions {
  /** How many origins, the busiest (most flights in the quarter) first. */
  origins: number;
}

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

export function hoursChart(rows: OriginHourRow[], quarter: QuarterFlights | null, options: HourChartOptions): Chart {
  const title = quarter ? `Delays by hour of day at the busiest origins, ${quarter.label}` : 'Delays by hour of day';
  const id = 'hours';
  if (!quarter) {
    return { id, title, datasets: { origins: [], cells: [] }, spec: null, empty: 'no quarter with flights in the aggregates' };
  }
  const inQuarter = rows.filter((row) => row.year === quarter.year && row.quarter === quarter.quarter);
  const flightsByOrigin = new Map<string, number>();
  for (const row of inQuarter) flightsByOrigin.set(row.origin, (flightsByOrigin.get(row.origin) ?? 0) + row.flights);
  const busiest = [...flightsByOrigin.entries()]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, options.origins);
  const labelOf = new Map(busiest.map(([origin, flights]) => [origin, `${origin} (${formatCount(flights)} flights)`]));
  const origins: Datum[] = busiest.map(([origin, flights]) => ({ origin, flights, label: labelOf.get(origin) ?? origin }));
  const cells: Datum[] = inQuarter
    .filter((row) => labelOf.has(row.origin))
    .sort((a, b) => a.origin.localeCompare(b.origin) || a.hour - b.hour)
    .map((row) => ({
      origin: row.origin,
      originLabel: labelOf.get(row.origin) ?? row.origin,
      hour: row.hour,
      flights: row.flights,
      meanDelay: round(row.meanDelay),
      sharePct: round(row.shareDelayed * 100),
      meanLabel: formatOne(row.meanDelay),
      shareLabel: String(Math.round(row.shareDelayed * 100)),
    }));
  const datasets = { origins, cells };
  if (cells.length === 0) return { id, title, datasets, spec: null, empty: `no flights by hour in ${quarter.label}` };

  // A few cells with very few, very late flights (small hours) would wash out every other colour:
  // the colour scales stop at the 90th percentile, darker cells read "that or more".
  const delayCap = Math.max(1, quantile(cells.map((cell) => Math.abs(cell.meanDelay as number)), 0.9));
  const shareCap = Math.max(1, quantile(cells.map((cell) => cell.sharePct as number), 0.9));
  const y = {
    field: 'originLabel',
    type: 'nominal',
    sort: origins.map((row) => row.label),
    title: 'origin airport',
    axis: levelTitle(),
  } as const;
  const x = {
    field: 'hour',
    type: 'ordinal',
    scale: { domain: HOURS },
    title: 'hour of scheduled departure (local time, 0-23)',
    axis: { labelAngle: 0 },
  } as const;
  const heatMap = (field: string, label: string, legendTitle: string, scale: object, darkAbove: number) => ({
    width: 24 * 32,
    height: { step: 26 },
    encoding: { x, y },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field, type: 'quantitative', title: legendTitle, scale, legend: { orient: 'right', gradientLength: 120 } },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: label },
          color: { condition: { test: `abs(datum['${field}']) > ${darkAbove}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  });
  const spec = {
    title: {
      text: title,
      subtitle: `the ${origins.length} origins with the most flights, by hour of departure`,
    },
    config: CONFIG,
    datasets,
    data: { name: 'cells' },
    vconcat: [
      {
        title: 'Mean departure delay (minutes)',
        ...heatMap('meanDelay', 'meanLabel', 'minutes', { scheme: 'blueorange', domain: [-delayCap, delayCap], clamp: true }, delayCap * 0.6),
      },
      {
        title: 'Share of flights delayed 15 minutes or more (%)',
        ...heatMap('sharePct', 'shareLabel', '% delayed', { scheme: 'orangered', domain: [0, shareCap], clamp: true }, shareCap * 0.6),
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
  const flightsShown = sum(origins.map((row) => row.flights as number));
  const note =
    `These ${origins.length} origins had ${formatCount(flightsShown)} of the quarter's ${formatCount(quarter.flights)} flights. ` +
    'A blank cell: no flight at that hour. Colours stop at the 90th percentile of the cells, so the darkest mean that or more.';
  return { id, title, datasets, spec, note };
}
