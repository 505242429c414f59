/**
 * The aggregate CSVs (`aggregates/<name>/csv/*.csv`, written by glue-job/job.py from
 * transforms.quarterly_aggregates): a header, then year, quarter, the keys, then the measures.
 */
import { parse } from 'csv-parse/sync';
import type { DayOfWeekRow, Measures, OriginHourRow, RouteQuarterRow } from './data.js';
import { ShapeError } from './run-reports.js';

export const AGGREGATE_NAMES = ['route_quarter', 'origin_hour', 'day_of_week'] as const;
export type AggregateName = (typeof AGGREGATE_NAMES)[number];

type Kind = 'count' | 'number' | 'share' | 'text' | 'year' | 'quarter' | 'hour' | 'day';

const MEASURE_COLUMNS = { flights: 'count', mean_delay: 'number', p90_delay: 'number', share_delayed: 'share' } as const;

/** The columns each aggregate must have (others are ignored) and what their values must be. */
export const AGGREGATE_COLUMNS = {
  route_quarter: { year: 'year', quarter: 'quarter', origin: 'text', destination: 'text', route: 'text', ...MEASURE_COLUMNS },
  origin_hour: { year: 'year', quarter: 'quarter', origin: 'text', hour: 'hour', ...MEASURE_COLUMNS },
  day_of_week: { year: 'year', quarter: 'quarter', day_of_week: 'day', ...MEASURE_COLUMNS },
} as const satisfies Record<AggregateName, Record<string, Kind>>;

/** The row type of each aggregate. */
export interface AggregateRow {
  route_quarter: RouteQuarterRow;
  origin_hour: OriginHourRow;
  day_of_week: DayOfWeekRow;
}

type Cell = string | number;
type Row = Record<string, Cell>;

/** Every data row of one CSV file, values checked; throws ShapeError naming the line and column. */
export function parseAggregateCsv<N extends AggregateName>(name: N, text: string): AggregateRow[N][] {
  const columns: Record<string, Kind> = AGGREGATE_COLUMNS[name];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    throw new ShapeError(`not valid CSV (${oneLine(error)})`);
  }
  const [header, ...body] = records;
  if (!header) throw new ShapeError('is empty: no header line');
  const names = header.record.map((cell) => cell.trim());
  const missing = Object.keys(columns).filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new ShapeError(`lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${names.join(',')})`);
  }
  return body.map(({ record, info }) => {
    const row: Row = {};
    for (const [column, kind] of Object.entries(columns)) {
      row[column] = cell(record[names.indexOf(column)] ?? '', kind, `line ${info.lines}, ${column}`);
    }
    return toRow(name, row) as AggregateRow[N];
  });
}

function toRow(name: AggregateName, row: Row): Measures {
  const measures: Measures = {
    year: row.year as number,
    quarter: row.quarter as number,
    flights: row.flights as number,
    meanDelay: row.mean_delay as number,
    p90Delay: row.p90_delay as number,
    shareDelayed: row.share_delayed as number,
  };
  switch (name) {
    case 'route_quarter':
      return { ...measures, origin: row.origin, destination: row.destination, route: row.route } as RouteQuarterRow;
    case 'origin_hour':
      return { ...measures, origin: row.origin, hour: row.hour } as OriginHourRow;
    case 'day_of_week':
      return { ...measures, dayOfWeek: row.day_of_week } as DayOfWeekRow;
  }
}

const RANGES: Partial<Record<Kind, [number, number, string]>> = {
  year: [1, 9999, 'a year'],
  quarter: [1, 4, 'a quarter (1-4)'],
  hour: [0, 23, 'an hour (0-23)'],
  day: [1, 7, 'a day of week (1-7)'],
};

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function cell(raw: string, kind: Kind, where: string): Cell {
  const text = raw.trim();
  if (text === '') throw new ShapeError(`${where}: empty value`);
  if (kind === 'text') return text;
  const bad = (what: string) => new ShapeError(`${where}: ${JSON.stringify(raw)} is not ${what}`);
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw bad('a number');
  const range = RANGES[kind];
  if (range && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) throw bad(range[2]);
  if (kind === 'count' && !(Number.isInteger(value) && value > 0)) throw bad('a positive whole number');
  if (kind === 'share' && !(value >= 0 && value <= 1)) throw bad('a share from 0 to 1');
  return value;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
