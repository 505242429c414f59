import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildReport,
  buildReportFromData,
  DirectorySource,
  headlineLines,
  loadReportData,
  runsFromReports,
  type Report,
} from '../../../src/report/index.js';
import { FIXTURE } from './support.js';

const GENERATED_AT = new Date('2024-04-11T08:30:00Z');
const RUNS = [{ id: 'jr_newer', startedOn: '2024-04-10T02:00:00Z', durationSeconds: 754.2, costUsd: 0.44 }];

/** Tags and CSS that would make a browser fetch something. */
const FETCHING = [
  /<script\b[^>]*\bsrc\s*=/i,
  /<link\b/i,
  /<(img|iframe|embed|source|video|audio|object)\b[^>]*\b(src|data)\s*=\s*["']?[a-z]+:/i,
  /\b(src|href|xlink:href|srcset|action)\s*=\s*["']?\s*(https?:)?\/\//i,
  /url\(\s*["']?\s*(https?:)?\/\//i,
  /@import/i,
];

describe('buildReport on the fixture tree', () => {
  let report: Report;
  beforeAll(async () => {
    report = await buildReport(new DirectorySource(FIXTURE), {
      runs: RUNS,
      generatedAt: GENERATED_AT,
      locations: { processed: 's3://stack-bucket/processed/', raw: 's3://stack-bucket/raw/' },
    });
  });

  it('gives the headline numbers across runs', () => {
    expect(report.headline).toEqual({
      rowsRead: 2202,
      rowsUsed: 2170,
      rowsQuarantined: 32,
      quarantinedByReason: {
        duplicate: 11,
        unparseable_timestamp: 2,
        non_numeric_delay: 3,
        absurd_delay: 4,
        non_numeric_distance: 0,
        non_positive_distance: 0,
        unknown_origin: 12,
        unknown_destination: 0,
      },
      quartersCovered: 2,
      quarters: ['2023 Q4', '2024 Q1'],
      latestQuarter: '2024 Q1',
      chartedQuarter: '2024 Q1',
      runReports: 2,
      lastRunStartedAt: '2024-04-10T02:00:00Z',
    });
  });

  it('puts the headline in two lines for a terminal', () => {
    expect(headlineLines(report.headline)).toEqual([
      'rows read 2,202, used 2,170, quarantined 32 (unknown origin 12, duplicate 11, absurd delay 4, ' +
        'non numeric delay 3, unparseable timestamp 2)',
      'quarters 2 (2023 Q4, 2024 Q1), latest 2024 Q1',
    ]);
    expect(headlineLines({ ...report.headline, latestQuarter: '2024 Q2' })[1]).toBe(
      'quarters 2 (2023 Q4, 2024 Q1), latest 2024 Q2 (partial; charts show 2024 Q1)',
    );
  });

  it('writes the headline, every chart as inline SVG and where the data lives', () => {
    const { html } = report;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>Flight delay pipeline: quarterly results</title>');
    expect(html).toContain('Built 2024-04-11 08:30 UTC from 2 run reports; the newest run started 2024-04-10 02:00 UTC.');
    for (const [label, value] of [
      ['Rows read', '2,202'],
      ['Rows used', '2,170'],
      ['Rows quarantined', '32'],
      ['Quarters covered', '2'],
      ['Latest quarter', '2024 Q1'],
    ]) {
      expect(html).toContain(`<dt>${label}</dt><dd>${value}`);
    }
    expect(html).toContain('<small>unknown origin 12, duplicate 11, absurd delay 4, non numeric delay 3, unparseable timestamp 2</small>');
    expect(html).toContain('<small>98.547% of rows read</small>');
    expect(html).toContain('<small>2023 Q4, 2024 Q1</small>');

    expect(html.match(/<svg\b/g)).toHaveLength(6);
    for (const id of ['rows-per-quarter', 'routes', 'hours', 'days', 'drift', 'runs']) expect(html).toContain(`<figure id="${id}"`);
    for (const text of ['1,200 read', '30.8 min', 'ATL (300 flights)', '>14.0<', '$0.44']) expect(html).toContain(text);

    // Given locations first, the rest from the newest run report.
    for (const [label, value] of [
      ['Report built from', FIXTURE],
      ['Job output', 's3://stack-bucket/processed/'],
      ['Raw input', 's3://stack-bucket/raw/'],
      ['Feature table (Parquet)', 's3://fixture-bucket/processed/features/'],
      ['Aggregate route_quarter (CSV)', 's3://fixture-bucket/processed/aggregates/route_quarter/csv/'],
      ['QuickSight manifest day_of_week', 's3://fixture-bucket/processed/manifests/day_of_week.json'],
    ]) {
      expect(html).toContain(`<tr><th scope="row">${label}</th><td><code>${value}</code></td></tr>`);
    }
  });

  it('is self-contained: no script, no stylesheet link, nothing fetched, no http(s) URL at all', () => {
    for (const pattern of FETCHING) expect(report.html).not.toMatch(pattern);
    expect(report.html).not.toMatch(/<script/i);
    expect(report.html).not.toMatch(/https?:\/\//i);
    expect(report.html).toContain('<style>');
  });

  it('the checks above do catch what they look for', () => {
    for (const bad of [
      '<script src="https://cdn.example/vega.js"></script>',
      '<link rel="stylesheet" href="style.css">',
      '<img src="http://example.com/a.png">',
      '<image xlink:href="//example.com/a.png"/>',
      'body { background: url("https://example.com/bg.png") }',
    ]) {
      expect(FETCHING.some((pattern) => pattern.test(bad)), bad).toBe(true);
    }
  });
});

describe('buildReport options', () => {
  it('escapes the title and says "no runs recorded" without runs', async () => {
    const { html } = await buildReport(new DirectorySource(FIXTURE), { title: 'Q1 <draft> & "notes"' });
    expect(html).toContain('<title>Q1 &#60;draft&#62; &#38; &#34;notes&#34;</title>');
    expect(html).toContain('<figure id="runs" aria-label="Last runs: duration, estimated cost and its ceiling"><div class="empty">');
    expect(html).toContain('no runs recorded');
    expect(html.match(/<svg\b/g)).toHaveLength(5);
  });

  it('builds from loaded data, the runs taken from the run reports', async () => {
    const data = await loadReportData(new DirectorySource(FIXTURE));
    const { html, charts } = await buildReportFromData(data, { runs: runsFromReports(data.reports) });
    expect(charts.at(-1)?.datasets.runs?.map((row) => [row.run, row.durationLabel, row.costLabel])).toEqual([
      ['2024-04-10 02:00 · flights-features', '12.6 min', 'not known'],
      ['2024-01-05 02:00 · flights-features', '10.0 min', 'not known'],
    ]);
    expect(html.match(/<svg\b/g)).toHaveLength(6);
  });
});
