import { describe, expect, it } from 'vitest';
import { buildReportFromData, loadReportData, DirectorySource } from '../../../src/report/index.js';
import type { ReportData, SparkFigures } from '../../../src/report/data.js';
import { ShapeError, driftedFeatures, parseDrift, parseRunReport, parseSparkFigures, sparkFiguresOrNull } from '../../../src/report/run-reports.js';
import { sparkSection } from '../../../src/report/spark.js';
import { FIXTURE, HEADERS, memorySource, runReport } from './support.js';

/** The `spark` object as the job writes it. */
const SPARK = {
  stages: 41,
  memory_spilled_bytes: 734003200,
  disk_spilled_bytes: 186646528,
  slowest_stage: {
    id: 63,
    name: 'parquet at NativeMethodAccessorImpl.java:0',
    tasks: 5,
    task_seconds: 53.1,
    task_seconds_median: 9.8,
    task_seconds_max: 14.2,
    skew: 1.45,
  },
  advice: 'the run spilled 178 MiB to disk: give Spark more memory (locally: run --local --spark-memory, or spark.driver.memory; on Glue: a larger --worker-type such as G.2X, or more --workers)',
};

const FIGURES: SparkFigures = {
  stages: 41,
  memorySpilledBytes: 734003200,
  diskSpilledBytes: 186646528,
  slowestStage: { id: 63, name: 'parquet at NativeMethodAccessorImpl.java:0', tasks: 5, taskSeconds: 53.1, taskSecondsMedian: 9.8, taskSecondsMax: 14.2, skew: 1.45 },
  advice: SPARK.advice,
};

const withSpark = (spark: unknown, startedAt?: string): string => JSON.stringify({ ...JSON.parse(runReport([{ year: 2024, quarter: 1, read: 3, written: 3 }], startedAt)), spark });

describe('parseSparkFigures', () => {
  it('types every figure the job writes', () => {
    expect(parseSparkFigures(SPARK)).toEqual(FIGURES);
  });

  it('is null for "spark": null and for a report without it (an older job)', () => {
    expect(parseSparkFigures(null)).toBeNull();
    expect(parseSparkFigures(undefined)).toBeNull();
  });

  it('takes a run without a slowest stage, and a stage whose median, longest task and skew are unknown', () => {
    expect(parseSparkFigures({ ...SPARK, slowest_stage: null, advice: null })).toEqual({ ...FIGURES, slowestStage: null, advice: null });
    const partial: Record<string, unknown> = { ...SPARK.slowest_stage };
    delete partial.task_seconds_median;
    delete partial.task_seconds_max;
    delete partial.skew;
    const withoutAdvice: Record<string, unknown> = { ...SPARK, slowest_stage: partial };
    delete withoutAdvice.advice;
    expect(parseSparkFigures(withoutAdvice)).toEqual({
      ...FIGURES,
      slowestStage: { ...FIGURES.slowestStage!, taskSecondsMedian: null, taskSecondsMax: null, skew: null },
      advice: null,
    });
    expect(parseSparkFigures({ ...SPARK, slowest_stage: { ...SPARK.slowest_stage, task_seconds_median: null, skew: null } })?.slowestStage).toMatchObject({
      taskSecondsMedian: null,
      taskSecondsMax: 14.2,
      skew: null,
    });
  });

  it.each([
    ['yes', 'spark is not an object'],
    [{ ...SPARK, stages: '41' }, 'spark.stages is "41", not a count'],
    [{ ...SPARK, memory_spilled_bytes: -1 }, 'spark.memory_spilled_bytes is -1, not a count'],
    [{ ...SPARK, disk_spilled_bytes: undefined }, 'spark.disk_spilled_bytes is missing'],
    [{ ...SPARK, slowest_stage: 'stage 63' }, 'spark.slowest_stage is not an object'],
    [{ ...SPARK, slowest_stage: { ...SPARK.slowest_stage, name: 5 } }, 'spark.slowest_stage.name is 5, not text'],
    [{ ...SPARK, slowest_stage: { ...SPARK.slowest_stage, tasks: 2.5 } }, 'spark.slowest_stage.tasks is 2.5, not a count'],
    [{ ...SPARK, slowest_stage: { ...SPARK.slowest_stage, skew: 'high' } }, 'spark.slowest_stage.skew is "high", not a non-negative number'],
    [{ ...SPARK, advice: 3 }, 'spark.advice is 3, not text or null'],
  ])('refuses malformed figures, naming the field (%#)', (value, problem) => {
    expect(() => parseSparkFigures(value)).toThrow(new ShapeError(problem));
    expect(sparkFiguresOrNull(value)).toBeNull();
  });
});

describe('run reports with Spark figures', () => {
  it('keeps them on the parsed report, and null where the report has none', () => {
    expect(parseRunReport('reports/run_report.json', withSpark(SPARK)).spark).toEqual(FIGURES);
    expect(parseRunReport('reports/run_report.json', withSpark(null)).spark).toBeNull();
    expect(parseRunReport('reports/run_report.json', runReport([{ year: 2024, quarter: 1, read: 3, written: 3 }])).spark).toBeNull();
  });

  it('stops the page at malformed figures with one line naming the file and the field', async () => {
    const source = memorySource({ 'reports/run_report.json': withSpark({ ...SPARK, stages: -2 }) });
    await expect(loadReportData(source)).rejects.toThrow('mem://processed/reports/run_report.json: spark.stages is -2, not a count');
  });
});

/** The fixture's two runs (Jan and Apr 2024), given figures. */
async function fixtureWith(older: SparkFigures | null, newer: SparkFigures | null): Promise<ReportData> {
  const data = await loadReportData(new DirectorySource(FIXTURE));
  const [first, second] = data.reports;
  return { ...data, reports: [{ ...first!, spark: older }, { ...second!, spark: newer }] };
}

describe('sparkSection', () => {
  it('is null when no run listed has figures, so the page leaves it out', async () => {
    const data = await loadReportData(new DirectorySource(FIXTURE));
    expect(data.reports.map((r) => r.spark)).toEqual([null, null]);
    expect(sparkSection(data.reports, 10)).toBeNull();
  });

  it('lists the last runs newest first, with the advice when the newest spilled to disk', async () => {
    const data = await fixtureWith(null, FIGURES);
    const section = sparkSection(data.reports, 10);
    expect(section?.runs.map((run) => [run.startedAt, run.spark?.stages ?? null])).toEqual([
      ['2024-04-10T02:00:00Z', 41],
      ['2024-01-05T02:00:00Z', null],
    ]);
    expect(section?.advice).toBe(SPARK.advice);
    expect(sparkSection(data.reports, 1)?.runs).toHaveLength(1);
  });

  it('gives no advice when only an older run spilled to disk, or the newest spilled in memory alone', async () => {
    expect(sparkSection((await fixtureWith(FIGURES, { ...FIGURES, diskSpilledBytes: 0 })).reports, 10)?.advice).toBeNull();
    expect(sparkSection((await fixtureWith(FIGURES, null)).reports, 10)?.advice).toBeNull();
  });
});

describe('the page', () => {
  it("shows each run's spill, slowest stage and skew in a table after the charts, and the advice", async () => {
    const { html } = await buildReportFromData(await fixtureWith(null, FIGURES));
    const section = html.slice(html.indexOf('<h2 id="spark">'), html.indexOf('<h2>Where the data lives</h2>'));
    expect(html.indexOf('<figure id="runs"')).toBeLessThan(html.indexOf('<h2 id="spark">Spark in the last runs</h2>'));
    expect(section).toContain('<th scope="col">Spilled in memory</th><th scope="col">Spilled to disk</th><th scope="col">Slowest stage</th>');
    expect(section).toContain(
      '<tr><td>2024-04-10 02:00</td><td class="num">41</td><td class="num">700 MiB</td><td class="num">178 MiB</td>' +
        '<td>63 · parquet</td><td class="num">53.1 s over 5 tasks</td><td class="num">1.45</td></tr>',
    );
    expect(section).toContain('<tr><td>2024-01-05 02:00</td><td class="none" colspan="6">not recorded (a job version before Spark figures)</td></tr>');
    expect(section).toContain('<p class="advice"><strong>Advice:</strong> the run spilled 178 MiB to disk: give Spark more memory');
  });

  it('shows dashes for a stage or skew it does not know, escapes names, and no advice without a spill to disk', async () => {
    const odd: SparkFigures = {
      ...FIGURES,
      diskSpilledBytes: 0,
      slowestStage: { ...FIGURES.slowestStage!, name: 'count <b> at job.py:12', skew: null },
    };
    const { html } = await buildReportFromData(await fixtureWith({ ...FIGURES, slowestStage: null }, odd));
    expect(html).toContain('<td>63 · count &#60;b&#62; at job.py:12</td><td class="num">53.1 s over 5 tasks</td><td class="none">-</td></tr>');
    expect(html).toContain('<td class="num">700 MiB</td><td class="num">0 B</td><td>63 · count');
    expect(html).toContain('<td class="num">178 MiB</td><td class="none">-</td><td class="none">-</td><td class="none">-</td></tr>');
    expect(html).not.toContain('class="advice"');
  });

  it('leaves the section out for reports of older job versions', async () => {
    const { html } = await buildReportFromData(await loadReportData(new DirectorySource(FIXTURE)));
    expect(html).not.toContain('Spark in the last runs');
    expect(html).not.toContain('<table class="spark">');
  });

  it('reads the figures from the run reports it is built from', async () => {
    const source = memorySource({
      'reports/run_report.json': withSpark(SPARK),
      'aggregates/route_quarter/csv/part-00000.csv': `${HEADERS.route_quarter}\n2024,1,A,B,A-B,1,1,1,0\n`,
      'aggregates/origin_hour/csv/part-00000.csv': `${HEADERS.origin_hour}\n2024,1,A,8,1,1,1,0\n`,
      'aggregates/day_of_week/csv/part-00000.csv': `${HEADERS.day_of_week}\n2024,1,3,3,1.5,2,0.25\n`,
    });
    const { html } = await buildReportFromData(await loadReportData(source));
    expect(html).toContain('<td class="num">700 MiB</td><td class="num">178 MiB</td>');
  });
});

describe('parseDrift and driftedFeatures', () => {
  const drift = [
    { year: 2003, quarter: 1, rows: 10, against: null, psi: { delay_minutes: null, hour: null } },
    { year: 2003, quarter: 2, rows: 10, against: { year: 2003, quarter: 1 }, psi: { delay_minutes: 0.05, hour: 0.3 } },
    { year: 2003, quarter: 3, rows: 10, against: { year: 2003, quarter: 2 }, psi: { delay_minutes: 4.3, hour: 0.2 } },
  ];

  it('keeps the features above the threshold, worst first; at the threshold is not above it', () => {
    expect(driftedFeatures(parseDrift(drift), 0.2)).toEqual([
      { year: 2003, quarter: 3, feature: 'delay_minutes', psi: 4.3 },
      { year: 2003, quarter: 2, feature: 'hour', psi: 0.3 },
    ]);
    expect(driftedFeatures(parseDrift(drift), 5)).toEqual([]);
    expect(parseDrift(undefined)).toEqual([]);
  });

  it('refuses a malformed list, naming the place', () => {
    expect(() => parseDrift({})).toThrow('drift is not a list');
    expect(() => parseDrift([{ ...drift[1], quarter: 5 }])).toThrow('drift[0].quarter is 5');
    expect(() => parseDrift([{ ...drift[1], psi: { hour: -1 } }])).toThrow('drift[0].psi.hour is -1');
  });
});
