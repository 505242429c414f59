import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportSource } from '../../../src/report/source.js';

/** A hand-written processed/ tree with known numbers (see the numbers in the tests). */
export const FIXTURE = fileURLToPath(new URL('../../fixtures/report/processed', import.meta.url));

/** A copy of the fixture to break; removed by the returned function. */
export async function fixtureCopy(): Promise<{ root: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'report-fixture-'));
  const root = path.join(dir, 'processed');
  await cp(FIXTURE, root, { recursive: true });
  return { root, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Files in memory, keyed like a processed/ tree. */
export function memorySource(files: Record<string, string>, root = 'mem://processed/'): ReportSource {
  return {
    describe: () => root,
    list: async (prefix) => Object.keys(files).filter((key) => key.startsWith(prefix)).sort(),
    read: async (key) => {
      const text = files[key];
      if (text === undefined) throw new Error(`no ${key}`);
      return text;
    },
  };
}

/** Wraps a source and records every prefix listed and key read. */
export function recording(source: ReportSource): { source: ReportSource; listed: string[]; read: string[] } {
  const listed: string[] = [];
  const read: string[] = [];
  return {
    listed,
    read,
    source: {
      describe: () => source.describe(),
      list: (prefix) => {
        listed.push(prefix);
        return source.list(prefix);
      },
      read: (key) => {
        read.push(key);
        return source.read(key);
      },
    },
  };
}

export const HEADERS = {
  route_quarter: 'year,quarter,origin,destination,route,flights,mean_delay,p90_delay,share_delayed',
  origin_hour: 'year,quarter,origin,hour,flights,mean_delay,p90_delay,share_delayed',
  day_of_week: 'year,quarter,day_of_week,flights,mean_delay,p90_delay,share_delayed',
} as const;

/** The smallest valid run report around the given quarters. */
export function runReport(
  quarters: { year: number | null; quarter: number | null; read: number; written: number; reasons?: Record<string, number> }[],
  startedAt = '2024-04-10T02:00:00Z',
): string {
  const entries = quarters.map((q) => ({
    year: q.year,
    quarter: q.quarter,
    read: q.read,
    written: q.written,
    rejected: q.read - q.written,
    rejected_by_reason: q.reasons ?? {},
  }));
  return JSON.stringify({
    job_name: 'flights-features',
    started_at: startedAt,
    duration_seconds: 60,
    rows: {
      read: entries.reduce((n, q) => n + q.read, 0),
      written: entries.reduce((n, q) => n + q.written, 0),
      rejected: entries.reduce((n, q) => n + q.rejected, 0),
    },
    rejected_by_reason: {},
    quarters: entries,
  });
}
