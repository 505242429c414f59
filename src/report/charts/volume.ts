/** Chart 1: rows read per quarter, split into used and quarantined, and quarantine by reason. */
import type { TopLevelSpec } from 'vega-lite';
import type { QuarterRows } from '../summary.js';
import { COLORS, CONFIG, roomForLabels, type Chart, type Datum } from './chart.js';
import { formatCount, reasonLabel } from '../format.js';

/** Warm colours, the first the "quarantined" red of the left panel, none the "used" blue. */
const REASON_COLORS = ['#e45756', '#f58518', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#72b7b2'] as const;

export function volumeChart(quarters: QuarterRows[]): Chart {
  const title = 'Rows per quarter: read, used and quarantined';
  const order = quarters.map((row) => row.label);
  const outcomes: Datum[] = quarters.flatMap((row) => [
    { quarter: row.label, outcome: 'used', rows: row.written },
    { quarter: row.label, outcome: 'quarantined', rows: row.rejected },
  ]);
  const totals: Datum[] = quarters.map((row) => ({
    quarter: row.label,
    read: row.read,
    used: row.written,
    quarantined: row.rejected,
    label: `${formatCount(row.read)} read`,
  }));
  const reasons: Datum[] = quarters.flatMap((row) =>
    Object.entries(row.rejectedByReason)
      .filter(([, rows]) => rows > 0)
      .map(([reason, rows]) => ({ quarter: row.label, reason: reasonLabel(reason), rows })),
  );
  const quarantined: Datum[] = quarters
    .filter((row) => row.rejected > 0)
    .map((row) => ({ quarter: row.label, rows: row.rejected, label: formatCount(row.rejected) }));
  const datasets = { outcomes, totals, reasons, quarantined };
  if (quarters.length === 0) return { id: 'rows-per-quarter', title, datasets, spec: null, empty: 'no quarter in the run reports' };

  const x = { field: 'quarter', type: 'nominal', sort: order, title: 'quarter', axis: { labelAngle: 0 } } as const;
  const width = Math.max(220, 90 * order.length);
  const readPanel = {
    width,
    height: 280,
    layer: [
      {
        data: { name: 'outcomes' },
        mark: 'bar',
        encoding: {
          x,
          y: {
            field: 'rows',
            type: 'quantitative',
            stack: 'zero',
            title: 'rows read (count)',
            // 1.5M, 200k, 0: short labels whatever the volume.
            axis: { labelExpr: "format(datum.value, '~s')" },
            scale: { domain: [0, roomForLabels(quarters.map((row) => row.read), 0.12)] },
          },
          color: {
            field: 'outcome',
            type: 'nominal',
            title: 'rows',
            scale: { domain: ['used', 'quarantined'], range: [COLORS.used, COLORS.quarantined] },
            legend: { orient: 'bottom' },
          },
          order: { field: 'outcome', sort: 'descending' },
        },
      },
      {
        data: { name: 'totals' },
        mark: { type: 'text', dy: -8, fontSize: 11 },
        encoding: { x, y: { field: 'read', type: 'quantitative', title: 'rows read (count)' }, text: { field: 'label' } },
      },
    ],
  };
  const reasonPanel = {
    width,
    height: 280,
    layer: [
      {
        data: { name: 'reasons' },
        mark: 'bar',
        encoding: {
          x,
          y: {
            field: 'rows',
            type: 'quantitative',
            stack: 'zero',
            title: 'rows quarantined (count)',
            scale: { domain: [0, roomForLabels(quarters.map((row) => row.rejected), 0.12)] },
          },
          color: { field: 'reason', type: 'nominal', title: 'reason', scale: { range: [...REASON_COLORS] }, legend: { orient: 'bottom', columns: 2, labelLimit: 240 } },
        },
      },
      {
        data: { name: 'quarantined' },
        mark: { type: 'text', dy: -8, fontSize: 11 },
        encoding: { x, y: { field: 'rows', type: 'quantitative', title: 'rows quarantined (count)' }, text: { field: 'label' } },
      },
    ],
  };
  const anyQuarantined = quarantined.length > 0;
  const spec = {
    title: {
      text: title,
      subtitle: anyQuarantined
        ? 'left: rows read = used + quarantined; right: the quarantined rows by reason'
        : 'rows read = used + quarantined; no row was quarantined',
    },
    config: CONFIG,
    datasets,
    hconcat: anyQuarantined ? [readPanel, reasonPanel] : [readPanel],
    resolve: { scale: { color: 'independent', y: 'independent' } },
  } as TopLevelSpec;
  const note =
    'Used rows went into the feature table; quarantined rows are kept apart with their reason. ' +
    'Each quarter is counted as the newest run that read it left it.';
  return { id: 'rows-per-quarter', title, datasets, spec, note };
}
