/** Chart 4: mean delay and share delayed by day of week, one bar per quarter, side by side. */
import type { TopLevelSpec } from 'vega-lite';
import type { DayOfWeekRow } from '../data.js';
import type { QuarterFlights } from '../summary.js';
import { CONFIG, type Chart, type Datum } from './chart.js';
import { formatOne, round } from '../format.js';

export const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** The last `quarters` of those given (oldest first), compared day by day. */
export function daysChart(rows: DayOfWeekRow[], quarters: QuarterFlights[], options: { quarters: number }): Chart {
  const shown = quarters.slice(-options.quarters);
  const title = 'Delays by day of week, quarter against quarter';
  const id = 'days';
  const days: Datum[] = shown.flatMap((quarter) =>
    rows
      .filter((row) => row.year === quarter.year && row.quarter === quarter.quarter)
      .sort((a, b) => a.dayOfWeek - b.dayOfWeek)
      .map((row) => ({
        quarter: quarter.label,
        dayOfWeek: row.dayOfWeek,
        day: DAY_NAMES[row.dayOfWeek - 1] ?? String(row.dayOfWeek),
        flights: row.flights,
        meanDelay: round(row.meanDelay),
        sharePct: round(row.shareDelayed * 100),
        meanLabel: formatOne(row.meanDelay),
        shareLabel: formatOne(row.shareDelayed * 100),
      })),
  );
  const datasets = { days };
  if (days.length === 0) return { id, title, datasets, spec: null, empty: 'no quarter with flights in the aggregates' };

  const order = shown.map((quarter) => quarter.label);
  const panel = (field: string, label: string, axisTitle: string) => ({
    width: 420,
    // Tall enough for the y titles as vega measures text without a canvas (0.8 em a character).
    height: 300,
    encoding: {
      x: { field: 'day', type: 'nominal', sort: [...DAY_NAMES], title: 'day of week', axis: { labelAngle: 0 } },
      xOffset: { field: 'quarter', type: 'nominal', sort: order },
      y: { field, type: 'quantitative', title: axisTitle },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          color: { field: 'quarter', type: 'nominal', sort: order, title: 'quarter', scale: { scheme: 'tableau10' }, legend: { orient: 'bottom' } },
        },
      },
      ...(order.length <= 3
        ? [{ mark: { type: 'text', dy: -6, fontSize: 9 }, encoding: { text: { field: label } } }]
        : []),
    ],
  });
  const spec = {
    title: {
      text: title,
      subtitle: order.length > 1 ? order.join(' against ') : `${order[0]} only`,
    },
    config: CONFIG,
    datasets,
    data: { name: 'days' },
    hconcat: [
      panel('meanDelay', 'meanLabel', 'mean departure delay (minutes)'),
      panel('sharePct', 'shareLabel', 'flights delayed 15 min or more (%)'),
    ],
  } as TopLevelSpec;
  return { id, title, datasets, spec };
}
