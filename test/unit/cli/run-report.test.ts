import { describe, expect, it } from 'vitest';
import { formatRunReport, formatSpark } from '../../../src/cli/run-report.js';
import type { SparkFigures } from '../../../src/report/data.js';

const ADVICE =
  'the run spilled 178 MiB to disk: give Spark more memory (locally: run --local --spark-memory, or spark.driver.memory; on Glue: a larger --worker-type such as G.2X, or more --workers)';

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
  advice: ADVICE,
};

const FIGURES: SparkFigures = {
  stages: 41,
  memorySpilledBytes: 734003200,
  diskSpilledBytes: 186646528,
  slowestStage: { id: 63, name: 'parquet at NativeMethodAccessorImpl.java:0', tasks: 5, taskSeconds: 53.1, taskSecondsMedian: 9.8, taskSecondsMax: 14.2, skew: 1.45 },
  advice: ADVICE,
};

const REPORT = { rows: { read: 10, written: 9, rejected: 1 }, duration_seconds: 61.4, outputs: { features: 's3://b/processed/features/' } };

describe('formatSpark', () => {
  it("puts Spark's figures on one line and the advice on its own", () => {
    expect(formatSpark(FIGURES)).toEqual([
      'spark: 41 stages, spilled 700 MiB in memory, 178 MiB to disk; slowest stage 63 (parquet) 53.1 s of task time over 5 tasks, skew 1.45 (max/median task)',
      `advice: ${ADVICE}`,
    ]);
  });

  it('says when nothing spilled, and leaves out what the job did not measure', () => {
    const quiet: SparkFigures = { ...FIGURES, memorySpilledBytes: 0, diskSpilledBytes: 0, advice: null };
    expect(formatSpark({ ...quiet, slowestStage: null })).toEqual(['spark: 41 stages, nothing spilled']);
    expect(formatSpark({ ...quiet, stages: 1, slowestStage: { ...FIGURES.slowestStage!, name: 'count at job.py:80', tasks: 1, skew: null } })).toEqual([
      'spark: 1 stage, nothing spilled; slowest stage 63 (count at job.py:80) 53.1 s of task time over 1 task',
    ]);
  });

  it('shortens a long stage name', () => {
    const [line] = formatSpark({ ...FIGURES, slowestStage: { ...FIGURES.slowestStage!, name: 'x'.repeat(100) } });
    expect(line).toContain(`(${'x'.repeat(59)}…)`);
  });
});

describe('formatRunReport', () => {
  it("shows Spark's figures and the advice in the summary run --local prints", () => {
    const lines = formatRunReport({ ...REPORT, spark: SPARK }).split('\n');
    expect(lines[0]).toBe('Job run: 10 rows read, 9 features written, 1 rejected in 61 s');
    expect(lines).toContain(formatSpark(FIGURES)[0]);
    expect(lines).toContain(`advice: ${ADVICE}`);
    expect(lines.at(-1)).toBe('Features: s3://b/processed/features/');
  });

  it("names the run's manifest where the report does", () => {
    const manifest = 's3a://b/processed/manifests/runs/local-20261207T114124Z-c92c7701.json';
    const lines = formatRunReport({ ...REPORT, outputs: { ...REPORT.outputs, run_manifest: manifest } }).split('\n');
    expect(lines.slice(-2)).toEqual(['Features: s3://b/processed/features/', `Manifest: ${manifest}`]);
  });

  it('tolerates reports without figures (null, absent) and leaves malformed ones out', () => {
    for (const spark of [null, undefined, { stages: 'many' }]) {
      const text = formatRunReport({ ...REPORT, spark });
      expect(text).not.toContain('spark:');
      expect(text).toContain('Job run: 10 rows read');
    }
  });
});
