import { describe, expect, it } from 'vitest';
import { driftBand, driftChart, newestDrift, PSI_STABLE } from '../../../src/report/charts/drift.js';
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
      for (const run of [...runs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
        const byQuarter = new Map<string, QuarterDrift>();
        for (const entry of run.drift) byQuarter.set(`${entry.year} Q${entry.quarter}`, entry);
        for (const [label, entry] of byQuarter) {
          for (const key of [...expected.keys()]) if (key.startsWith(`${label}|`)) expected.delete(key);
          for (const [feature, psi] of Object.entries(entry.psi)) expected.set(`${label}|${feature}`, psi);
        }
      }
      const cells = c.datasets.cells ?? [];
      for (const cell of cells) {
        const key = `${cell.quarter}|${cell.feature}`;
        // A feature the quarter's newest scores leave out has no score there.
        expect(cell.psi, key).toBe(expected.get(key) ?? null);
        expect(cell.above, key).toBe(cell.psi !== null && (cell.psi as number) > threshold ? 1 : 0);
      }
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

  it('reads the drift a run report holds, as the job writes it', () => {
    const text = JSON.stringify({
      started_at: '2024-04-10T02:00:00Z',
      duration_seconds: 60,
      rows: { read: 1, written: 1, rejected: 0 },
      rejected_by_reason: {},
      quarters: [],
      drift: [{ year: 2024, quarter: 1, rows: 1, against: { year: 2023, quarter: 4 }, psi: { delay_minutes: 0.41, hour: null } }],
    });
    const parsed = parseRunReport('reports/run_report.json', text);
    expect(newestDrift([parsed])).toEqual([{ year: 2024, quarter: 1, against: { year: 2023, quarter: 4 }, psi: { delay_minutes: 0.41, hour: null } }]);
    expect(() => parseRunReport('k', text.replace(/"drift":\[.*\]\}$/, '"drift":"none"}'))).toThrow('drift is not a list');
  });
});
