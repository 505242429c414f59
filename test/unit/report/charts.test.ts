import { beforeAll, describe, expect, it } from 'vitest';
import type { Chart } from '../../../src/report/charts/chart.js';
import type { ReportData } from '../../../src/report/data.js';
import { reportCharts, runsFromReports } from '../../../src/report/index.js';
import { loadReportData } from '../../../src/report/load.js';
import { renderSvg } from '../../../src/report/render.js';
import { DirectorySource } from '../../../src/report/source.js';
import { FIXTURE, HEADERS, memorySource, runReport } from './support.js';

let data: ReportData;
beforeAll(async () => {
  data = await loadReportData(new DirectorySource(FIXTURE));
});

const RUNS = [
  { id: 'jr_older', startedOn: new Date('2024-01-05T02:00:00Z'), durationSeconds: 600 },
  { id: 'jr_newer', startedOn: '2024-04-10T02:00:00Z', durationSeconds: 754.2, costUsd: 0.44 },
];

function chart(charts: Chart[], id: string): Chart {
  const found = charts.find((c) => c.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
}

async function svgOf(c: Chart): Promise<string> {
  if (!c.spec) throw new Error(`${c.id} has no spec`);
  return renderSvg(c.spec);
}

/** Every x/y axis title of a spec, and whether some shown axis has none. */
function axisTitles(spec: unknown): { titles: string[]; untitled: number } {
  const titles: string[] = [];
  let untitled = 0;
  const walk = (node: unknown, inherited?: Record<string, unknown>): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, inherited));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const encoding = (record.encoding as Record<string, Record<string, unknown>> | undefined) ?? undefined;
    for (const channel of ['x', 'y'] as const) {
      const field = encoding?.[channel];
      if (!field || field.axis === null) continue;
      if (typeof field.title === 'string' && field.title) titles.push(field.title);
      else untitled += 1;
    }
    for (const key of ['layer', 'hconcat', 'vconcat']) walk(record[key], encoding);
  };
  walk(spec);
  return { titles, untitled };
}

describe('the six charts from the fixture tree', () => {
  it('come in page order, each with a title and titled axes that carry units', () => {
    const charts = reportCharts(data, { runs: RUNS });
    expect(charts.map((c) => c.id)).toEqual(['rows-per-quarter', 'routes', 'hours', 'days', 'drift', 'runs']);
    const units: Record<string, string[]> = {
      'rows-per-quarter': ['rows read (count)', 'rows quarantined (count)', 'quarter'],
      routes: ['mean departure delay (minutes)', 'flights in 2024 Q1 (count)', 'route (origin-destination)'],
      hours: ['hour of scheduled departure (local time, 0-23)', 'origin airport'],
      days: ['mean departure delay (minutes)', 'flights delayed 15 min or more (%)', 'day of week'],
      drift: ['quarter (scored against the one before)', 'feature'],
      runs: ['duration (minutes)', 'estimated cost and its ceiling (US dollars)', 'run: start (UTC) · id'],
    };
    for (const c of charts) {
      const spec = c.spec as { title?: { text?: string } } | null;
      expect(spec?.title?.text, c.id).toBe(c.title);
      const { titles, untitled } = axisTitles(c.spec);
      expect(untitled, `${c.id} has an axis without a title`).toBe(0);
      expect(titles, c.id).toEqual(expect.arrayContaining(units[c.id] ?? []));
    }
  });

  it('1: rows per quarter, each quarter as the newest run that read it left it', async () => {
    const c = chart(reportCharts(data), 'rows-per-quarter');
    // 2024 Q1 is the second run's 1,200 rows, not the first run's 500.
    expect(c.datasets.outcomes).toEqual([
      { quarter: '2023 Q4', outcome: 'used', rows: 990 },
      { quarter: '2023 Q4', outcome: 'quarantined', rows: 10 },
      { quarter: '2024 Q1', outcome: 'used', rows: 1180 },
      { quarter: '2024 Q1', outcome: 'quarantined', rows: 20 },
      { quarter: 'unknown quarter', outcome: 'used', rows: 0 },
      { quarter: 'unknown quarter', outcome: 'quarantined', rows: 2 },
    ]);
    expect(c.datasets.totals?.map((row) => [row.quarter, row.read, row.label])).toEqual([
      ['2023 Q4', 1000, '1,000 read'],
      ['2024 Q1', 1200, '1,200 read'],
      ['unknown quarter', 2, '2 read'],
    ]);
    expect(c.datasets.reasons).toEqual([
      { quarter: '2023 Q4', reason: 'duplicate', rows: 6 },
      { quarter: '2023 Q4', reason: 'absurd delay', rows: 4 },
      { quarter: '2024 Q1', reason: 'duplicate', rows: 5 },
      { quarter: '2024 Q1', reason: 'non numeric delay', rows: 3 },
      { quarter: '2024 Q1', reason: 'unknown origin', rows: 12 },
      { quarter: 'unknown quarter', reason: 'unparseable timestamp', rows: 2 },
    ]);
    const svg = await svgOf(c);
    for (const text of ['1,000 read', '1,200 read', '2 read', 'unknown origin', 'rows quarantined (count)', '>20<', '>10<']) {
      expect(svg).toContain(text);
    }
  });

  it('2: the most delayed routes of the latest quarter with their flights, small routes left out', async () => {
    const c = chart(reportCharts(data), 'routes');
    expect(c.title).toBe('Most delayed routes, 2024 Q1');
    // BOS-JFK (95 min) has 8 flights and DEN-PHX 92: under the default 100.
    expect(c.datasets.routes?.map((row) => [row.route, row.meanDelay, row.flights, row.sharePct])).toEqual([
      ['JFK-BOS', 30.8, 150, 50],
      ['LAX-SFO', 25, 200, 45],
      ['ORD-ATL', 18.3, 250, 30],
      ['ATL-ORD', 12.5, 300, 20],
      ['SFO-LAX', 9.5, 180, 15],
    ]);
    expect(c.note).toBe('Routes with at least 100 flights in 2024 Q1 (5 of 7 routes), ranked by mean departure delay.');
    const svg = await svgOf(c);
    for (const text of ['JFK-BOS', '30.8 min', '9.5 min', '>150<', '>300<']) expect(svg).toContain(text);
    expect(svg).not.toContain('BOS-JFK');

    const more = chart(reportCharts(data, { minRouteFlights: 50, topRoutes: 6 }), 'routes');
    expect(more.datasets.routes?.map((row) => row.route)).toEqual(['JFK-BOS', 'LAX-SFO', 'ORD-ATL', 'ATL-ORD', 'SFO-LAX', 'DEN-PHX']);
    expect(more.datasets.routes?.at(-1)).toMatchObject({ meanDelay: -3.5, delayLabel: '-3.5 min', flightsLabel: '92' });

    const none = chart(reportCharts(data, { minRouteFlights: 1000 }), 'routes');
    expect(none.spec).toBeNull();
    expect(none.empty).toBe('no route has 1,000 flights or more in 2024 Q1');
  });

  it('3: mean delay and share delayed by hour at the busiest origins', async () => {
    const c = chart(reportCharts(data, { busiestOrigins: 3 }), 'hours');
    expect(c.datasets.origins).toEqual([
      { origin: 'ATL', flights: 300, label: 'ATL (300 flights)' },
      { origin: 'ORD', flights: 250, label: 'ORD (250 flights)' },
      { origin: 'LAX', flights: 200, label: 'LAX (200 flights)' },
    ]);
    expect(c.datasets.cells?.map((cell) => [cell.origin, cell.hour, cell.flights, cell.meanDelay, cell.sharePct])).toEqual([
      ['ATL', 6, 100, 2.5, 10],
      ['ATL', 12, 120, 10, 20],
      ['ATL', 18, 80, 22.5, 37.5],
      ['LAX', 9, 200, 25, 45],
      ['ORD', 7, 90, 4, 12],
      ['ORD', 17, 160, 16.5, 30],
    ]);
    expect(c.note).toMatch(/^These 3 origins had 750 of the quarter's 1,180 flights\./);
    const svg = await svgOf(c);
    for (const text of ['ATL (300 flights)', '>22.5<', '>16.5<', '>38<', '>45<', 'Mean departure delay (minutes)']) {
      expect(svg).toContain(text);
    }
    expect(svg).not.toContain('JFK');
  });

  it('4: delay by day of week, quarter against quarter', async () => {
    const c = chart(reportCharts(data), 'days');
    const days = c.datasets.days ?? [];
    expect(days).toHaveLength(14);
    expect(days.filter((row) => row.day === 'Fri')).toEqual([
      expect.objectContaining({ quarter: '2023 Q4', dayOfWeek: 5, flights: 160, meanDelay: 12.5, sharePct: 30 }),
      expect.objectContaining({ quarter: '2024 Q1', dayOfWeek: 5, flights: 180, meanDelay: 14, sharePct: 35 }),
    ]);
    expect(days.map((row) => row.day).slice(0, 7)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect((c.spec as { title: { subtitle: string } }).title.subtitle).toBe('2023 Q4 against 2024 Q1');
    const svg = await svgOf(c);
    for (const text of ['>12.5<', '>14.0<', '>35.0<', '>8.0<', '2024 Q1', 'Fri']) expect(svg).toContain(text);
  });

  it('5: the last runs, newest first, with cost where known', async () => {
    const c = chart(reportCharts(data, { runs: RUNS }), 'runs');
    expect(c.datasets.runs).toEqual([
      {
        run: '2024-04-10 02:00 · jr_newer',
        id: 'jr_newer',
        startedOn: '2024-04-10T02:00:00.000Z',
        durationSeconds: 754.2,
        minutes: 12.57,
        costUsd: 0.44,
        costBar: 0.44,
        ceilingUsd: null,
        labelAt: 0.44,
        durationLabel: '12.6 min',
        costLabel: '$0.44',
      },
      {
        run: '2024-01-05 02:00 · jr_older',
        id: 'jr_older',
        startedOn: '2024-01-05T02:00:00.000Z',
        durationSeconds: 600,
        minutes: 10,
        costUsd: null,
        costBar: 0,
        ceilingUsd: null,
        labelAt: 0,
        durationLabel: '10.0 min',
        costLabel: 'not known',
      },
    ]);
    const svg = await svgOf(c);
    for (const text of ['12.6 min', '10.0 min', '$0.44', 'not known', 'jr_newer']) expect(svg).toContain(text);

    const last = chart(reportCharts(data, { runs: RUNS, lastRuns: 1 }), 'runs');
    expect(last.datasets.runs?.map((row) => row.id)).toEqual(['jr_newer']);
  });

  it('6: each run\'s cost beside its ceiling, a tick, and what stopped a run that hit it', async () => {
    const runs = [
      { id: 'jr_capped', startedOn: '2024-07-10T02:00:00Z', durationSeconds: 2040, costUsd: 0.4987, ceiling: { usd: 0.5, from: 'max-usd' as const, timeoutMinutes: 34, hit: true } },
      { id: 'jr_newer', startedOn: '2024-04-10T02:00:00Z', durationSeconds: 754.2, costUsd: 0.44, ceiling: { usd: 8.8, from: 'timeout' as const, timeoutMinutes: 120, hit: false } },
      { id: 'jr_older', startedOn: '2024-01-05T02:00:00Z', durationSeconds: 600 },
    ];
    const c = chart(reportCharts(data, { runs }), 'runs');
    expect(c.datasets.runs?.map((row) => [row.id, row.costBar, row.ceilingUsd, row.labelAt, row.costLabel])).toEqual([
      ['jr_capped', 0.4987, 0.5, 0.5, '$0.50 of $0.50 (--max-usd), stopped by the cost ceiling'],
      ['jr_newer', 0.44, 8.8, 8.8, '$0.44 of $8.80 (120 min timeout)'],
      ['jr_older', 0, null, 0, 'not known'],
    ]);
    const svg = await svgOf(c);
    for (const text of ['stopped by the cost ceiling', 'of $8.80 (120 min timeout)', 'its ceiling (the tick) for 2']) expect(svg).toContain(text);
  });

  it('5: drift per feature and quarter, as the newest run scored each quarter, the ones above the threshold marked', async () => {
    const c = chart(reportCharts(data), 'drift');
    // 2024 Q1 as the April run scored it (0.41, not January's 0.35); 2023 Q4 had no quarter before it.
    expect(c.datasets.cells?.map((cell) => [cell.quarter, cell.feature, cell.psi, cell.band, cell.above])).toEqual([
      ['2023 Q4', 'delay_minutes', null, 'nothing to compare', 0],
      ['2023 Q4', 'hour', null, 'nothing to compare', 0],
      ['2023 Q4', 'distance_miles', null, 'nothing to compare', 0],
      ['2024 Q1', 'delay_minutes', 0.41, 'above the threshold', 1],
      ['2024 Q1', 'hour', 0.08, 'stable', 0],
      ['2024 Q1', 'distance_miles', 0.03, 'stable', 0],
    ]);
    expect(c.datasets.cells?.find((cell) => cell.quarter === '2024 Q1')?.against).toBe('2023 Q4');
    // Medians and 95th percentiles from the April run; the January run's report (an older job) has none.
    expect(c.datasets.cells?.map((cell) => [cell.quarter, cell.feature, cell.p50, cell.p95, cell.quantiles])).toEqual([
      ['2023 Q4', 'delay_minutes', null, null, '–'],
      ['2023 Q4', 'hour', null, null, '–'],
      ['2023 Q4', 'distance_miles', null, null, '–'],
      ['2024 Q1', 'delay_minutes', 4, 97, '4 / 97'],
      ['2024 Q1', 'hour', 13, 20, '13 / 20'],
      ['2024 Q1', 'distance_miles', 862, 2586, '862 / 2586'],
    ]);
    expect(c.note).toBe('Above PSI 0.2 (--drift-threshold): delay_minutes in 2024 Q1 (0.41).');
    const svg = await svgOf(c);
    for (const text of ['0.41', '0.08', 'delay_minutes', '2024 Q1', 'above 0.2: drifted', '4 / 97', '862 / 2586', 'median / 95th percentile']) {
      expect(svg).toContain(text);
    }

    const lenient = chart(reportCharts(data, { driftThreshold: 0.5 }), 'drift');
    expect(lenient.datasets.cells?.filter((cell) => cell.above === 1)).toEqual([]);
    expect(lenient.datasets.cells?.find((cell) => cell.psi === 0.41)?.band).toBe('worth a look');
    expect(lenient.note).toBe('No feature above PSI 0.5 (--drift-threshold).');
  });

  it('5: no runs is "no runs recorded", not a chart', () => {
    for (const runs of [undefined, []]) {
      const c = chart(reportCharts(data, { runs }), 'runs');
      expect(c.spec).toBeNull();
      expect(c.empty).toBe('no runs recorded');
    }
  });

  it('runs can come from the run reports when Glue is not at hand', () => {
    expect(runsFromReports(data.reports)).toEqual([
      { id: 'flights-features', startedOn: '2024-01-05T02:00:00Z', durationSeconds: 600 },
      { id: 'flights-features', startedOn: '2024-04-10T02:00:00Z', durationSeconds: 754.2 },
    ]);
  });
});

describe('a partial latest quarter', () => {
  // 2024 Q2 holds 50 flights against Q1's 1,000 (a few stragglers dated after the quarter's end).
  const source = memorySource({
    'reports/run_report.json': runReport([
      { year: 2024, quarter: 1, read: 1000, written: 1000 },
      { year: 2024, quarter: 2, read: 50, written: 50 },
    ]),
    'aggregates/route_quarter/csv/part-0.csv':
      `${HEADERS.route_quarter}\n2024,1,A,B,A-B,600,5,20,0.1\n2024,1,B,A,B-A,400,7,25,0.2\n2024,2,A,B,A-B,50,300,500,0.9\n`,
    'aggregates/origin_hour/csv/part-0.csv': `${HEADERS.origin_hour}\n2024,1,A,8,600,5,20,0.1\n2024,1,B,9,400,7,25,0.2\n2024,2,A,0,50,300,500,0.9\n`,
    'aggregates/day_of_week/csv/part-0.csv': `${HEADERS.day_of_week}\n2024,1,1,1000,5.8,22,0.14\n2024,2,1,50,300,500,0.9\n`,
  });

  it('is left out of the route, hour and day charts, and the notes say so', async () => {
    const charts = reportCharts(await loadReportData(source));
    const routes = chart(charts, 'routes');
    expect(routes.title).toBe('Most delayed routes, 2024 Q1');
    expect(routes.datasets.routes?.map((row) => [row.route, row.flights])).toEqual([
      ['B-A', 400],
      ['A-B', 600],
    ]);
    expect(chart(charts, 'hours').title).toBe('Delays by hour of day at the busiest origins, 2024 Q1');
    expect(chart(charts, 'days').datasets.days?.map((row) => row.quarter)).toEqual(['2024 Q1']);
    for (const id of ['routes', 'hours', 'days']) {
      expect(chart(charts, id).note).toContain(
        "Left out as partial (under a tenth of the busiest quarter's flights): 2024 Q2 (50 flights).",
      );
    }
    // The rows chart still counts it.
    expect(chart(charts, 'rows-per-quarter').datasets.totals?.map((row) => row.quarter)).toEqual(['2024 Q1', '2024 Q2']);
  });
});

describe('empty aggregates', () => {
  it('draw nothing and say why', async () => {
    const source = memorySource({
      'reports/run_report.json': runReport([]),
      'aggregates/route_quarter/csv/part-0.csv': `${HEADERS.route_quarter}\n`,
      'aggregates/origin_hour/csv/part-0.csv': `${HEADERS.origin_hour}\n`,
      'aggregates/day_of_week/csv/part-0.csv': `${HEADERS.day_of_week}\n`,
    });
    const charts = reportCharts(await loadReportData(source));
    expect(charts.map((c) => [c.id, c.spec, c.empty])).toEqual([
      ['rows-per-quarter', null, 'no quarter in the run reports'],
      ['routes', null, 'no quarter with flights in the aggregates'],
      ['hours', null, 'no quarter with flights in the aggregates'],
      ['days', null, 'no quarter with flights in the aggregates'],
      ['drift', null, 'no drift figures in the run reports (written by a job version before drift was scored)'],
      ['runs', null, 'no runs recorded'],
    ]);
  });
});
