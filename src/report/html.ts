/** The page: one self-contained HTML file, styles and SVG inline, nothing fetched. */
import type { Chart } from './charts/chart.js';
import { formatBytes } from '../core/units.js';
import { formatCount, formatOne, formatPercent, stageLabel } from './format.js';
import type { LocationRow } from './locations.js';
import type { SparkRun, SparkSection } from './spark.js';
import { quarantineReasons, type Headline } from './summary.js';

export interface RenderedChart {
  chart: Chart;
  /** The chart's SVG, or null when the chart has nothing to draw. */
  svg: string | null;
}

export interface PageInput {
  title: string;
  generatedAt: Date;
  headline: Headline;
  charts: RenderedChart[];
  locations: LocationRow[];
  /** Spark's figures of the last runs; none or null leaves the section out. */
  spark?: SparkSection | null;
}

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; font: 15px/1.45 Helvetica, Arial, sans-serif; color: #1d1d1f; background: #f4f5f7; }
  main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h2 { font-size: 19px; margin: 32px 0 12px; }
  .meta { color: #555; margin: 0 0 20px; }
  .headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 0; }
  .headline div { background: white; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .headline dt { color: #555; font-size: 13px; }
  .headline dd { margin: 2px 0 0; font-size: 22px; font-weight: bold; }
  .headline dd small { display: block; font-size: 12px; font-weight: normal; color: #555; }
  figure { margin: 0 0 20px; background: white; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
  figure svg { display: block; max-width: 100%; height: auto; }
  figcaption { color: #444; font-size: 13px; margin-top: 6px; }
  .empty { padding: 28px 12px; color: #555; font-size: 16px; }
  .empty strong { display: block; color: #1d1d1f; font-size: 16px; margin-bottom: 4px; }
  table { border-collapse: collapse; background: white; width: 100%; border-radius: 8px; overflow: hidden; }
  th, td { text-align: left; padding: 7px 12px; border-bottom: 1px solid #e4e6ea; vertical-align: top; }
  th { font-weight: normal; color: #555; white-space: nowrap; width: 1%; }
  td code { font-size: 13px; word-break: break-all; }
  table.spark th { width: auto; white-space: normal; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.none { color: #555; }
  .advice { background: #fff4e5; border-left: 4px solid #f58518; border-radius: 4px; padding: 10px 14px; margin: 12px 0 0; }
`;

export function renderPage(input: PageInput): string {
  const { headline } = input;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escape(input.title)}</h1>
<p class="meta">Built ${escape(isoMinute(input.generatedAt))} UTC from ${headline.runReports} run report${headline.runReports === 1 ? '' : 's'}${
    headline.lastRunStartedAt ? `; the newest run started ${escape(isoMinute(new Date(headline.lastRunStartedAt)))} UTC` : ''
  }.</p>
${headlineSection(headline)}
<h2>Charts</h2>
${input.charts.map(figure).join('\n')}
${input.spark ? sparkSection(input.spark) : ''}<h2>Where the data lives</h2>
<table>
${input.locations.map((row) => `<tr><th scope="row">${escape(row.label)}</th><td><code>${escape(row.value)}</code></td></tr>`).join('\n')}
</table>
</main>
</body>
</html>
`;
}

function headlineSection(headline: Headline): string {
  const share = (part: number) => (headline.rowsRead > 0 ? `${formatPercent((100 * part) / headline.rowsRead)}% of rows read` : '');
  const reasons = quarantineReasons(headline);
  const latestNote =
    headline.latestQuarter && headline.chartedQuarter && headline.latestQuarter !== headline.chartedQuarter
      ? `partial; route and hour charts show ${headline.chartedQuarter}`
      : '';
  const items: [string, string, string][] = [
    ['Rows read', formatCount(headline.rowsRead), ''],
    ['Rows used', formatCount(headline.rowsUsed), share(headline.rowsUsed)],
    ['Rows quarantined', formatCount(headline.rowsQuarantined), reasons || share(headline.rowsQuarantined)],
    ['Quarters covered', String(headline.quartersCovered), headline.quarters.join(', ')],
    ['Latest quarter', headline.latestQuarter ?? 'none', latestNote],
  ];
  return `<dl class="headline">
${items
  .map(([label, value, small]) => `<div><dt>${escape(label)}</dt><dd>${escape(value)}${small ? `<small>${escape(small)}</small>` : ''}</dd></div>`)
  .join('\n')}
</dl>`;
}

/**
 * The last runs as Spark measured them: what spilled from memory and to disk, and the stage whose
 * tasks took longest in all, with its skew (longest task over the median one). The job's advice
 * follows when the newest run spilled to disk.
 */
function sparkSection(section: SparkSection): string {
  const head = ['Run started (UTC)', 'Stages', 'Spilled in memory', 'Spilled to disk', 'Slowest stage', 'Its task time', 'Skew (max/median task)'];
  const advice = section.advice ? `<p class="advice"><strong>Advice:</strong> ${escape(section.advice)}</p>\n` : '';
  return `<h2 id="spark">Spark in the last runs</h2>
<table class="spark">
<tr>${head.map((label) => `<th scope="col">${escape(label)}</th>`).join('')}</tr>
${section.runs.map(sparkRow).join('\n')}
</table>
${advice}`;
}

function sparkRow(run: SparkRun): string {
  const started = `<td>${escape(isoMinute(new Date(run.startedAt)))}</td>`;
  const { spark } = run;
  if (!spark) return `<tr>${started}<td class="none" colspan="6">not recorded (a job version before Spark figures)</td></tr>`;
  const stage = spark.slowestStage;
  const cells = [
    `<td class="num">${formatCount(spark.stages)}</td>`,
    `<td class="num">${escape(formatBytes(spark.memorySpilledBytes, 'short'))}</td>`,
    `<td class="num">${escape(formatBytes(spark.diskSpilledBytes, 'short'))}</td>`,
    stage ? `<td>${stage.id}${stage.name ? ` · ${escape(stageLabel(stage.name))}` : ''}</td>` : '<td class="none">-</td>',
    stage ? `<td class="num">${formatOne(stage.taskSeconds)} s over ${formatCount(stage.tasks)} task${stage.tasks === 1 ? '' : 's'}</td>` : '<td class="none">-</td>',
    stage && stage.skew !== null ? `<td class="num">${stage.skew.toFixed(2)}</td>` : '<td class="none">-</td>',
  ];
  return `<tr>${started}${cells.join('')}</tr>`;
}

function figure({ chart, svg }: RenderedChart): string {
  const body = svg ?? `<div class="empty"><strong>${escape(chart.title)}</strong>${escape(chart.empty ?? 'nothing to show')}</div>`;
  const note = chart.note ? `<figcaption>${escape(chart.note)}</figcaption>` : '';
  return `<figure id="${escape(chart.id)}" aria-label="${escape(chart.title)}">${body}${note}</figure>`;
}

function isoMinute(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'unknown time' : date.toISOString().slice(0, 16).replace('T', ' ');
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
