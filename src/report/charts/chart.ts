/** What every chart module gives: a Vega-Lite spec over named data tables, or why there is none. */
import type { TopLevelSpec } from 'vega-lite';

export type Datum = Record<string, string | number | null>;

export interface Chart {
  /** Stable id, used as the HTML anchor: rows-per-quarter, routes, hours, days, runs. */
  id: string;
  title: string;
  /** The tables the spec draws (also its top-level `datasets`), so callers and tests can check numbers. */
  datasets: Record<string, Datum[]>;
  /** Null when there is nothing to draw; `empty` then says why. */
  spec: TopLevelSpec | null;
  empty?: string;
  /** A sentence shown under the chart (what was left out and why). */
  note?: string;
}

/** Shared look: readable sizes, titles left-aligned, a font every browser has. */
export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 12,
  title: { fontSize: 16, anchor: 'start', subtitleFontSize: 12, subtitleColor: '#444', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 8 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  concat: { spacing: 40 },
  view: { stroke: null },
} as const;

export const COLORS = {
  used: '#4c78a8',
  quarantined: '#e45756',
  delay: '#f58518',
  flights: '#4c78a8',
  duration: '#54a24b',
  cost: '#b279a2',
} as const;

/**
 * A left axis whose title sits level, above its labels, instead of turned along the axis: long
 * titles then fit short charts, and labels can be long (routes, runs, airports with counts).
 */
export function levelTitle(labelLimit = 320) {
  return { titleAngle: 0, titleAlign: 'right', titleBaseline: 'bottom', titleX: -8, titleY: -6, labelLimit } as const;
}

/** The value below which `share` of the values lie (nearest rank). */
export function quantile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] ?? 0;
}

/** Space on the right of a bar for its label: the largest value plus a share of it. */
export function roomForLabels(values: number[], share = 0.35): number {
  const largest = Math.max(0, ...values);
  return largest === 0 ? 1 : largest * (1 + share);
}
