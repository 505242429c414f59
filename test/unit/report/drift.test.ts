import { describe, expect, it } from 'vitest';
import { driftBand, driftChart, formatQuantile, newestDrift, PSI_STABLE } from '../../../src/report/charts/drift.js';
import type { QuarterDrift, RunReport } from '../../../src/report/data.js';
import { parseRunReport } from '../../../src/report/run-reports.js';
import { random } from '../support/random.js';

const next = random(27);
const pick = (n: number): number => Math.floor(next() * n);
const FEATURES = ['delay_minutes', 'distance_miles', 'hour', 'day_of_week'];

/** A run report of `quarters` (year*4 + quarter-1), each scored against the one before with random PSIs. */
function report(startedAt: string, quarters: number[]): RunReport {
  const drift: QuarterDrift[] = quarters.map((index) => ({
    year: Math.floor(index / 4),
    quarter: (index % 4) + 1,
    against: pick(5) === 0 ? null : { year: Math.floor((index - 1) / 4), quarter: ((index - 1) % 4) + 1 },
    psi: Object.fromEntries(FEATURES.filter(() => pick(6) > 0).map((feature) => [feature, pick(8) === 0 ? null : Math.round(next() * 300) / 100])),
    // Some reports predate quantiles; some quarters have no value of a feature (null), or leave one out.
    quantiles:
      pick(4) === 0
        ? {}
        : Object.fromEntries(
            FEATURES.filter(() => pick(6) > 0).map((feature) => [feature, { p05: -pick(20), p50: pick(8) === 0 ? null : pick(400) - 50, p95: (pick(40000) - 500) / 100 }]),
          ),
  }));
  return {
    key: `reports/run_report-${startedAt}.json`,
    startedAt,
    durationSeconds: 60,
    rows: { read: 0, written: 0, rejected: 0 },
    rejectedByReason: {},
    quarters: [],
    outputs: { aggregates: {} },
    spark: null,
    drift,
  };
}

describe('the drift chart, against an independent reading of the reports', () => {
  it('shows each quarter\'s PSI as the newest run scored it, and marks exactly those above the threshold', () => {
    for (let round = 0; round < 200; round += 1) {
      const runs = Array.from({ length: 1 + pick(4) }, (_, i) => {
        const first = 8000 + pick(12);
        return report(new Date(Date.UTC(2024, 0, 1 + 10 * i + pick(5))).toISOString(), Array.from({ length: 1 + pick(4) }, (__, q) => first + q));
      });
      // Given in any order: what counts is when each run started.
      const shuffled = [...runs].sort(() => next() - 0.5);
      const threshold = [0.05, 0.1, 0.2, 0.25, 1][pick(5)]!;
      const c = driftChart(shuffled, { threshold, quarters: 100 });

      // Independently: walk the runs by start, the later run's scores replace the earlier's, quarter by quarter.
      const expected = new Map<string, number | null>();
      const medians = new Map<string, [number | null, number | null]>();
      for (const run of [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
        const byQuarter = new Map<string, QuarterDrift>();
        for (const entry of run.drift) byQuarter.set(`${entry.year} Q${entry.quarter}`, entry);
        for (const [label, entry] of byQuarter) {
          for (const key of [...expected.keys()]) if (key.startsWith(`${label}|`)) expected.delete(key);
          for (const key of [...medians.keys()]) if (key.startsWith(`${label}|`)) medians.delete(key);
          for (const [feature, psi] of Object.entries(entry.psi)) expected.set(`${label}|${feature}`, psi);
          for (const [feature, q] of Object.entries(entry.quantiles)) medians.set(`${label}|${feature}`, [q.p50 ?? null, q.p95 ?? null]);
        }
      }
      const cells = c.datasets.cells ?? [];
      for (const cell of cells) {
        const key = `${cell.quarter}|${cell.feature}`;
        // A feature the quarter's newest scores leave out has no score there.
        expect(cell.psi, key).toBe(expected.get(key) ?? null);
        expect(cell.above, key).toBe(cell.psi !== null && (cell.psi as number) > threshold ? 1 : 0);
        // Its median and 95th percentile are the same run's, never an older run's for the quarter.
        const [p50, p95] = medians.get(key) ?? [null, null];
        expect([cell.p50, cell.p95], key).toEqual([p50, p95]);
        expect(cell.quantiles, key).toBe(p50 === null && p95 === null ? '–' : `${formatQuantile(p50)} / ${formatQuantile(p95)}`);
      }
      // The grid of quantiles is drawn exactly when some cell has one.
      const grids = (c.spec as { vconcat?: unknown[] } | null)?.vconcat?.length;
      expect(grids).toBe(cells.some((cell) => cell.p50 !== null || cell.p95 !== null) ? 2 : 1);
      expect(new Set(cells.map((cell) => `${cell.quarter}|${cell.feature}`))).toEqual(new Set([...cells.map((cell) => `${cell.quarter}|${cell.feature}`), ...expected.keys()]));
      const above = [...expected.values()].filter((psi) => psi !== null && psi > threshold).length;
      expect(c.note?.startsWith(above > 0 ? `Above PSI ${threshold} (--drift-threshold): ` : `No feature above PSI ${threshold}`)).toBe(true);
    }
  });

  it('shows the latest quarters only, saying how many were left out', () => {
    const c = driftChart([report('2024-01-01T00:00:00Z', [8000, 8001, 8002, 8003, 8004])], { threshold: 0.2, quarters: 2 });
    expect([...new Set(c.datasets.cells?.map((cell) => cell.quarter))]).toEqual(['2000 Q4', '2001 Q1']);
    expect(c.note).toContain('The 3 earlier quarters are left out.');
  });

  it('reads bands as the usual rule of thumb, the threshold deciding the top one', () => {
    expect([0, 0.0999, PSI_STABLE, 0.2, 0.2001, 4].map((psi) => driftBand(psi, 0.2))).toEqual([
      'stable',
      'stable',
      'worth a look',
      'worth a look',
      'above the threshold',
      'above the threshold',
    ]);
    expect(driftBand(null, 0.2)).toBe('nothing to compare');
    expect(driftBand(0.07, 0.05)).toBe('above the threshold');
  });

  it('shows a quantile whole when it is whole, else to three significant digits', () => {
    expect([7, -15, 0, 1235.5, 12.3456, -118.25, 0.21534, null].map(formatQuantile)).toEqual(['7', '-15', '0', '1240', '12.3', '-118', '0.215', '–']);
  });

  it('reads the drift a run report holds, as the job writes it', () => {
    const text = JSON.stringify({
      started_at: '2024-04-10T02:00:00Z',
      duration_seconds: 60,
      rows: { read: 1, written: 1, rejected: 0 },
      rejected_by_reason: {},
      quarters: [],
      drift: [
        {
          year: 2024,
          quarter: 1,
          rows: 1,
          against: { year: 2023, quarter: 4 },
          psi: { delay_minutes: 0.41, hour: null },
          quantiles: { delay_minutes: { p01: -20, p50: 4, p99: 310.5 }, hour: { p01: null, p50: null, p99: null } },
        },
      ],
    });
    const parsed = parseRunReport('reports/run_report.json', text);
    expect(newestDrift([parsed])).toEqual([
      {
        year: 2024,
        quarter: 1,
        against: { year: 2023, quarter: 4 },
        psi: { delay_minutes: 0.41, hour: null },
        quantiles: { delay_minutes: { p01: -20, p50: 4, p99: 310.5 }, hour: { p01: null, p50: null, p99: null } },
      },
    ]);
    expect(() => parseRunReport('k', text.replace(/"drift":\[.*\]\}$/, '"drift":"none"}'))).toThrow('drift is not a list');
    expect(() => parseRunReport('k', text.replace('"p50":4', '"p50":"4"'))).toThrow('drift[0].quantiles.delay_minutes.p50 is "4", not a number or null');
    expect(() => parseRunReport('k', text.replace('"hour":{"p01"', '"hour":[{"p01"').replace('"p99":null}}', '"p99":null}]}'))).toThrow(
      'drift[0].quantiles.hour is not an object',
    );
    // A report of a job version before quantiles has none.
    const older = parseRunReport('k', text.replace(/,"quantiles":\{.*\}\}\}/, '}'));
    expect(older.drift[0]?.quantiles).toEqual({});
    expect(older.drift[0]?.psi).toEqual({ delay_minutes: 0.41, hour: null });
  });
});
