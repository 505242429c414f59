/**
 * The last chart: the last job runs, newest first: how long each took, what it cost where known,
 * and the ceiling on that cost (a tick), named when Glue stopped the run there.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { JobRunSummary, RunCostCeiling } from '../data.js';
import { COLORS, CONFIG, levelTitle, roomForLabels, type Chart, type Datum } from './chart.js';
import { formatUsd } from '../../core/units.js';
import { formatOne, round } from '../format.js';

export function runsChart(runs: JobRunSummary[], options: { last: number }): Chart {
  const title = 'Last runs: duration, estimated cost and its ceiling';
  const id = 'runs';
  const newestFirst = runs
    .map((run) => ({ run, started: new Date(run.startedOn) }))
    .sort((a, b) => b.started.getTime() - a.started.getTime())
    .slice(0, options.last);
  const rows: Datum[] = newestFirst.map(({ run, started }) => {
    const minutes = run.durationSeconds / 60;
    const ceilingUsd = run.ceiling?.usd ?? null;
    return {
      run: `${startLabel(started)} · ${shortId(run.id)}`,
      id: run.id,
      startedOn: Number.isNaN(started.getTime()) ? String(run.startedOn) : started.toISOString(),
      durationSeconds: run.durationSeconds,
      minutes: round(minutes, 2),
      costUsd: run.costUsd ?? null,
      // Where the cost is not known the bar has length 0 and its label says so.
      costBar: run.costUsd ?? 0,
      ceilingUsd,
      // The label goes past the bar or the ceiling's tick, whichever is further right.
      labelAt: Math.max(run.costUsd ?? 0, ceilingUsd ?? 0),
      durationLabel: `${formatOne(minutes)} min`,
      costLabel: `${run.costUsd === undefined ? 'not known' : formatUsd(run.costUsd)}${run.ceiling ? ` ${ceilingLabel(run.ceiling)}` : ''}`,
    };
  });
  const datasets = { runs: rows };
  if (rows.length === 0) return { id, title, datasets, spec: null, empty: 'no runs recorded' };

  const withCost = newestFirst.filter(({ run }) => run.costUsd !== undefined).length;
  const withCeiling = newestFirst.filter(({ run }) => run.ceiling !== undefined).length;
  const y = { field: 'run', type: 'nominal', sort: rows.map((row) => row.run), title: 'run: start (UTC) · id', axis: levelTitle() } as const;
  const panel = (field: string, label: string, axisTitle: string, color: string, values: number[], withY: boolean, ceilings = false) => ({
    width: ceilings ? 380 : 300,
    height: { step: 24 },
    encoding: {
      y: withY ? y : { ...y, axis: null },
      x: { field, type: 'quantitative', title: axisTitle, scale: { domain: [0, roomForLabels(values, ceilings ? 1.6 : 0.45)] } },
    },
    layer: [
      { mark: { type: 'bar', color } },
      // The ceiling as a dark tick across the run's row; a run without one has none.
      ...(ceilings ? [{ mark: { type: 'tick', color: '#1d1d1f', thickness: 2 }, encoding: { x: { field: 'ceilingUsd', type: 'quantitative', title: axisTitle } } }] : []),
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { text: { field: label }, ...(ceilings ? { x: { field: 'labelAt', type: 'quantitative', title: axisTitle } } : {}) },
      },
    ],
  });
  const spec = {
    title: {
      text: title,
      subtitle: `last ${rows.length} run${rows.length === 1 ? '' : 's'}, newest first; cost known for ${withCost}, its ceiling (the tick) for ${withCeiling}`,
    },
    config: CONFIG,
    datasets,
    data: { name: 'runs' },
    hconcat: [
      panel('minutes', 'durationLabel', 'duration (minutes)', COLORS.duration, rows.map((row) => row.minutes as number), true),
      panel(
        'costBar',
        'costLabel',
        'estimated cost and its ceiling (US dollars)',
        COLORS.cost,
        newestFirst.map(({ run }) => Math.max(run.costUsd ?? 0, run.ceiling?.usd ?? 0)),
        false,
        true,
      ),
    ],
    spacing: 16,
  } as TopLevelSpec;
  return { id, title, datasets, spec };
}

/** "of $0.50 (--max-usd)", "of $1.76 (120 min timeout)", and what stopped the run when it hit it. */
function ceilingLabel(ceiling: RunCostCeiling): string {
  const source = ceiling.from === 'max-usd' ? '--max-usd' : `${ceiling.timeoutMinutes} min timeout`;
  const hit = ceiling.hit ? (ceiling.from === 'max-usd' ? ', stopped by the cost ceiling' : ', stopped at its timeout') : '';
  return `of ${formatUsd(ceiling.usd)} (${source})${hit}`;
}

function startLabel(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'unknown start';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')}`;
}

/** Glue run ids are long (jr_ and 64 hex digits); the start tells runs apart, the id's head finds them. */
function shortId(id: string): string {
  return id.length > 24 ? `${id.slice(0, 11)}…` : id;
}
