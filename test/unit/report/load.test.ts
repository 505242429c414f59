import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProvisionerError, UsageError } from '../../../src/core/errors.js';
import { loadReportData } from '../../../src/report/load.js';
import { DirectorySource } from '../../../src/report/source.js';
import { FIXTURE, HEADERS, fixtureCopy, memorySource, recording, runReport } from './support.js';

describe('loadReportData on the fixture tree', () => {
  it('reads one report per run, oldest first, and every aggregate row typed', async () => {
    const data = await loadReportData(new DirectorySource(FIXTURE));

    expect(data.source).toBe(FIXTURE);
    // run_report.json repeats the newest timestamped report: two runs, not three.
    expect(data.reports.map((r) => [r.key, r.startedAt, r.durationSeconds])).toEqual([
      ['reports/run_report-20240105T020000Z.json', '2024-01-05T02:00:00Z', 600],
      ['reports/run_report-20240410T020000Z.json', '2024-04-10T02:00:00Z', 754.2],
    ]);
    expect(data.reports[1]?.quarters).toEqual([
      {
        year: 2024,
        quarter: 1,
        read: 1200,
        written: 1180,
        rejected: 20,
        rejectedByReason: expect.objectContaining({ duplicate: 5, non_numeric_delay: 3, unknown_origin: 12 }),
      },
      { year: null, quarter: null, read: 2, written: 0, rejected: 2, rejectedByReason: expect.objectContaining({ unparseable_timestamp: 2 }) },
    ]);
    expect(data.reports[1]?.outputs.aggregates.origin_hour?.manifest).toBe('s3://fixture-bucket/processed/manifests/origin_hour.json');

    expect(data.aggregates.routeQuarter).toHaveLength(9);
    expect(data.aggregates.originHour).toHaveLength(12);
    expect(data.aggregates.dayOfWeek).toHaveLength(14);
    // A quoted CSV field is read as its value.
    expect(data.aggregates.routeQuarter.find((row) => row.route === 'SFO-LAX')).toEqual({
      year: 2024,
      quarter: 1,
      origin: 'SFO',
      destination: 'LAX',
      route: 'SFO-LAX',
      flights: 180,
      meanDelay: 9.5,
      p90Delay: 30,
      shareDelayed: 0.15,
    });
    expect(data.aggregates.originHour[0]).toEqual({
      year: 2023, quarter: 4, origin: 'ATL', hour: 8, flights: 500, meanDelay: 10, p90Delay: 38, shareDelayed: 0.19,
    });
    expect(data.aggregates.dayOfWeek.at(-1)).toEqual({
      year: 2024, quarter: 1, dayOfWeek: 7, flights: 160, meanDelay: 8, p90Delay: 35, shareDelayed: 0.24,
    });
  });

  it('lists and reads only reports/ and aggregates/<name>/csv/, never features/, nor Hadoop .crc files', async () => {
    const spy = recording(new DirectorySource(FIXTURE));
    const data = await loadReportData(spy.source);

    expect(spy.listed).toEqual([
      'reports/',
      'aggregates/route_quarter/csv/',
      'aggregates/origin_hour/csv/',
      'aggregates/day_of_week/csv/',
    ]);
    expect(spy.read).toEqual([
      'reports/run_report-20240105T020000Z.json',
      'reports/run_report-20240410T020000Z.json',
      'reports/run_report.json',
      'aggregates/route_quarter/csv/part-00000-fixture-c000.csv',
      'aggregates/origin_hour/csv/part-00000-fixture-c000.csv',
      'aggregates/day_of_week/csv/part-00000-fixture-c000.csv',
    ]);
    expect(data.keys).toEqual(spy.read);
  });

  it('concatenates several CSV parts of one aggregate', async () => {
    const source = memorySource({
      'reports/run_report.json': runReport([{ year: 2024, quarter: 1, read: 3, written: 3 }]),
      'aggregates/route_quarter/csv/part-00000.csv': `${HEADERS.route_quarter}\n2024,1,A,B,A-B,1,1,1,0\n`,
      'aggregates/route_quarter/csv/part-00001.csv': `${HEADERS.route_quarter}\n2024,1,B,A,B-A,2,2,2,0.5\n`,
      'aggregates/origin_hour/csv/part-00000.csv': `${HEADERS.origin_hour}\n`,
      'aggregates/day_of_week/csv/part-00000.csv': `${HEADERS.day_of_week}\r\n2024,1,3,3,1.5,2,0.25\r\n`,
    });
    const data = await loadReportData(source);
    expect(data.aggregates.routeQuarter.map((row) => [row.route, row.flights])).toEqual([
      ['A-B', 1],
      ['B-A', 2],
    ]);
    expect(data.aggregates.originHour).toEqual([]);
    expect(data.aggregates.dayOfWeek).toEqual([
      { year: 2024, quarter: 1, dayOfWeek: 3, flights: 3, meanDelay: 1.5, p90Delay: 2, shareDelayed: 0.25 },
    ]);
  });
});

describe('a broken or missing file is one line naming it', () => {
  let remove: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await remove?.();
    remove = undefined;
  });

  async function broken(change: (root: string) => Promise<void>): Promise<{ root: string; error: ProvisionerError }> {
    const copy = await fixtureCopy();
    remove = copy.remove;
    await change(copy.root);
    const error = await loadReportData(new DirectorySource(copy.root)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ProvisionerError);
    const message = (error as ProvisionerError).message;
    expect(message).not.toContain('\n');
    return { root: copy.root, error: error as ProvisionerError };
  }

  const csv = (root: string, name: string) => path.join(root, 'aggregates', name, 'csv', 'part-00000-fixture-c000.csv');

  it('an aggregate folder without a CSV file', async () => {
    const { root, error } = await broken((r) => rm(csv(r, 'origin_hour')));
    expect(error.message).toBe(`aggregate origin_hour missing: no CSV file under ${root}/aggregates/origin_hour/csv/`);
    expect(error.fault).toBe('user');
  });

  it('an aggregate without one of its columns', async () => {
    const { root, error } = await broken(async (r) => {
      const text = await readFile(csv(r, 'route_quarter'), 'utf8');
      await writeFile(csv(r, 'route_quarter'), text.replace('mean_delay', 'avg_delay'));
    });
    expect(error.message).toBe(
      `${csv(root, 'route_quarter')}: lacks column mean_delay ` +
        '(header: year,quarter,origin,destination,route,flights,avg_delay,p90_delay,share_delayed)',
    );
  });

  it('a value that is not a number names the line and the column', async () => {
    const { root, error } = await broken(async (r) => {
      const text = await readFile(csv(r, 'day_of_week'), 'utf8');
      await writeFile(csv(r, 'day_of_week'), text.replace('2024,1,5,180,14.0,', '2024,1,5,180,fourteen,'));
    });
    expect(error.message).toBe(`${csv(root, 'day_of_week')}: line 13, mean_delay: "fourteen" is not a number`);
  });

  it.each([
    ['2024,1,ATL,24,1,1,1,0', 'line 2, hour: "24" is not an hour (0-23)'],
    ['2024,5,ATL,2,1,1,1,0', 'line 2, quarter: "5" is not a quarter (1-4)'],
    ['2024,1,ATL,2,0,1,1,0', 'line 2, flights: "0" is not a positive whole number'],
    ['2024,1,ATL,2,1,1,1,1.5', 'line 2, share_delayed: "1.5" is not a share from 0 to 1'],
    ['2024,1,,2,1,1,1,0', 'line 2, origin: empty value'],
    ['2024,1,ATL,2,1,0x10,1,0', 'line 2, mean_delay: "0x10" is not a number'],
    ['2024,1,ATL,2,1,1,1', 'not valid CSV (Invalid Record Length: expect 8, got 7 on line 2)'],
    ['2024,1,"ATL,2,1,1,1,0', 'not valid CSV (Quote Not Closed: the parsing is finished with an opening quote at line 2)'],
  ])('origin_hour row %s', async (row, problem) => {
    const { root, error } = await broken((r) => writeFile(csv(r, 'origin_hour'), `${HEADERS.origin_hour}\n${row}\n`));
    expect(error.message).toBe(`${csv(root, 'origin_hour')}: ${problem}`);
  });

  it('an empty aggregate file', async () => {
    const { root, error } = await broken((r) => writeFile(csv(r, 'origin_hour'), ''));
    expect(error.message).toBe(`${csv(root, 'origin_hour')}: is empty: no header line`);
  });

  it('a run report that is not JSON', async () => {
    const { root, error } = await broken((r) => writeFile(path.join(r, 'reports', 'run_report.json'), '{"rows": '));
    expect(error.message).toMatch(new RegExp(`^${root}/reports/run_report\\.json: not valid JSON \\(.+\\)$`));
  });

  it.each([
    [(d: Record<string, unknown>) => delete (d.rows as Record<string, unknown>).read, 'rows.read is missing'],
    [(d: Record<string, unknown>) => (d.quarters = 'Q1'), 'quarters is missing or not a list'],
    [(d: Record<string, unknown>) => (d.started_at = 'yesterday'), 'started_at is "yesterday", not an ISO-8601 time'],
    [
      (d: Record<string, unknown>) => (((d.quarters as Record<string, unknown>[])[0] as Record<string, unknown>).written = '1180'),
      'quarters[0].written is "1180", not a count',
    ],
    [
      (d: Record<string, unknown>) => (((d.quarters as Record<string, unknown>[])[0] as Record<string, unknown>).quarter = 0),
      'quarters[0].quarter is 0, not null or a whole number from 1 to 4',
    ],
  ])('a run report with a wrong field (%#)', async (mutate, problem) => {
    const file = (r: string) => path.join(r, 'reports', 'run_report-20240410T020000Z.json');
    const { root, error } = await broken(async (r) => {
      const document = JSON.parse(await readFile(file(r), 'utf8')) as Record<string, unknown>;
      mutate(document);
      await writeFile(file(r), JSON.stringify(document));
    });
    expect(error.message).toBe(`${file(root)}: ${problem}`);
  });

  it('no run report at all', async () => {
    const { root, error } = await broken((r) => rm(path.join(r, 'reports'), { recursive: true }));
    expect(error.message).toBe(`no run report under ${root}/reports/ (expected run_report*.json)`);
  });

  it('an export folder that does not exist is a usage error', async () => {
    const error = await loadReportData(new DirectorySource('/nonexistent/export')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('export folder /nonexistent/export does not exist or is not a folder');
  });
});
