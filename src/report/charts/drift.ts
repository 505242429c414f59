/**
 * The drift chart: per quarter, the population stability index (PSI) of each numeric feature against
 * the quarter before, as a grid of features by quarters. Cells above --drift-threshold are red and
 * named under the chart; a quarter with nothing before it has no score. Below it, the same grid of
 * each feature's median and 95th percentile (exact, nearest rank): where a score is high, how far
 * the values moved.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { QuarterDrift, RunReport } from '../data.js';
import { quarterLabel } from '../summary.js';
import { CONFIG, levelTitle, type Chart, type Datum } from './chart.js';

/** Below this a feature is stable, by the usual reading of the PSI; up to the threshold it is worth a look. */
export const PSI_STABLE = 0.1;

export type DriftBand = 'stable' | 'worth a look' | 'above the threshold' | 'nothing to compare';

const BAND_COLORS: Record<DriftBand, string> = {
  stable: '#54a24b',
  'worth a look': '#eeca3b',
  'above the threshold': '#e45756',
  'nothing to compare': '#d5d8dd',
};

export function driftBand(psi: number | null, threshold: number): DriftBand {
  if (psi === null) return 'nothing to compare';
  if (psi > threshold) return 'above the threshold';
  return psi >= PSI_STABLE ? 'worth a look' : 'stable';
}

/**
 * Each quarter's drift as the newest run that wrote the quarter scored it (a later run recomputes
 * the quarters it reads, as it rewrites their rows), oldest quarter first.
 */
export function newestDrift(reports: readonly RunReport[]): QuarterDrift[] {
  const byQuarter = new Map<number, QuarterDrift>();
  const byStart = [...reports].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  for (const report of byStart) for (const entry of report.drift) byQuarter.set(entry.year * 4 + entry.quarter - 1, entry);
  return [...byQuarter.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

export function driftChart(reports: readonly RunReport[], options: { threshold: number; quarters: number }): Chart {
  const { threshold } = options;
  const title = 'Drift of each feature from the quarter before (PSI)';
  const id = 'drift';
  const all = newestDrift(reports);
  const shown = all.slice(-options.quarters);
  const features = [...new Set(shown.flatMap((entry) => Object.keys(entry.psi)))];
  const worst = (feature: string) => Math.max(-1, ...shown.map((entry) => entry.psi[feature] ?? -1));
  // The most drifted features first: the ones to look at are on top.
  const order = [...features].sort((a, b) => worst(b) - worst(a) || a.localeCompare(b));
  const cells: Datum[] = shown.flatMap((entry) =>
    order.map((feature) => {
      const psi = entry.psi[feature] ?? null;
      const band = driftBand(psi, threshold);
      const p50 = entry.quantiles[feature]?.p50 ?? null;
      const p95 = entry.quantiles[feature]?.p95 ?? null;
      return {
        quarter: quarterLabel(entry.year, entry.quarter),
        against: entry.against ? quarterLabel(entry.against.year, entry.against.quarter) : null,
        feature,
        psi,
        band,
        above: band === 'above the threshold' ? 1 : 0,
        label: psi === null ? '–' : psi.toFixed(2),
        p50,
        p95,
        quantiles: p50 === null && p95 === null ? '–' : `${formatQuantile(p50)} / ${formatQuantile(p95)}`,
      };
    }),
  );
  const drifted = cells.filter((cell) => cell.above === 1).sort((a, b) => (b.psi as number) - (a.psi as number));
  const datasets = { cells };
  if (cells.length === 0) {
    return { id, title, datasets, spec: null, empty: 'no drift figures in the run reports (written by a job version before drift was scored)' };
  }

  const quarters = shown.map((entry) => quarterLabel(entry.year, entry.quarter));
  const bands = Object.keys(BAND_COLORS) as DriftBand[];
  const named = drifted.slice(0, 8).map((cell) => `${cell.feature} in ${cell.quarter} (${cell.label})`);
  const more = drifted.length > 8 ? `, and ${drifted.length - 8} more` : '';
  const aboveNote = drifted.length > 0 ? `Above PSI ${threshold} (--drift-threshold): ${named.join(', ')}${more}.` : `No feature above PSI ${threshold} (--drift-threshold).`;
  const leftOut = all.length > shown.length ? ` The ${all.length - shown.length} earlier quarter${all.length - shown.length === 1 ? ' is' : 's are'} left out.` : '';
  const x = { field: 'quarter', type: 'nominal', sort: quarters, axis: { labelAngle: 0, orient: 'top' } } as const;
  const y = { field: 'feature', type: 'nominal', sort: order, title: 'feature', axis: levelTitle() } as const;
  const scores = {
    width: { step: 64 },
    height: { step: 22 },
    encoding: { x: { ...x, title: 'quarter (scored against the one before)' }, y },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'band',
            type: 'nominal',
            title: 'PSI',
            scale: { domain: bands, range: bands.map((band) => BAND_COLORS[band]) },
            legend: { orient: 'bottom', labelLimit: 240, labelExpr: legendLabels(threshold) },
          },
        },
      },
      // Bold and white on the cells above the threshold: they read apart without the colour too.
      // (A text layer each: Vega-Lite has no font weight channel to set per datum.)
      { transform: [{ filter: 'datum.above === 1' }], mark: { type: 'text', fontSize: 11, fontWeight: 'bold', color: 'white' }, encoding: { text: { field: 'label' } } },
      { transform: [{ filter: 'datum.above !== 1' }], mark: { type: 'text', fontSize: 11, color: '#1d1d1f' }, encoding: { text: { field: 'label' } } },
    ],
  };
  // Reports of job versions before quantiles have none: the second grid is left out rather than drawn empty.
  const withQuantiles = cells.some((cell) => cell.quantiles !== '–');
  const quantileGrid = {
    width: { step: 64 },
    height: { step: 22 },
    encoding: { x: { ...x, title: 'quarter: median / 95th percentile (exact, nearest rank)' }, y },
    layer: [
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 2, color: '#f4f5f7' } },
      { mark: { type: 'text', fontSize: 10, color: '#1d1d1f' }, encoding: { text: { field: 'quantiles' } } },
    ],
  };
  const spec = {
    title: {
      text: title,
      subtitle: `each quarter against the one before it; below ${PSI_STABLE} stable, above ${threshold} (--drift-threshold) a different population`,
    },
    config: CONFIG,
    datasets,
    data: { name: 'cells' },
    vconcat: withQuantiles ? [scores, quantileGrid] : [scores],
  } as TopLevelSpec;
  return { id, title, datasets, spec, note: `${aboveNote}${leftOut}` };
}

/** A quantile as the grid shows it: whole numbers whole, others to three significant digits; – for none. */
export function formatQuantile(value: number | null): string {
  if (value === null) return '–';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/** The legend's words for each band, as a Vega expression over the band's name. */
function legendLabels(threshold: number): string {
  const words: Record<DriftBand, string> = {
    stable: `below ${PSI_STABLE}: stable`,
    'worth a look': `${PSI_STABLE} to ${threshold}: worth a look`,
    'above the threshold': `above ${threshold}: drifted`,
    'nothing to compare': 'no quarter before',
  };
  return Object.entries(words).reduceRight((rest, [band, text]) => `datum.label === ${JSON.stringify(band)} ? ${JSON.stringify(text)} : ${rest}`, 'datum.label');
}
