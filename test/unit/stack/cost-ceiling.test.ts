import { describe, expect, it } from 'vitest';
import type { JobRun } from '@aws-sdk/client-glue';
import { formatCeiling, formatRunCeiling } from '../../../src/cli/format.js';
import { UsageError } from '../../../src/core/errors.js';
import { ceilingStop, costCeiling, jobTimeoutMinutes, runCeiling } from '../../../src/stack/cost-ceiling.js';
import { estimateJobRun, jobPrice } from '../../../src/stack/cost.js';
import { random } from '../support/random.js';

const next = random(2027);
const randomInt = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));

const settings = { maxUsd: 2, glueVersion: '5.0', workerType: 'G.1X', executionClass: 'STANDARD', jobTimeoutMinutes: 120 } as const;
const PRICE = (jobPrice('eu-west-1', 'STANDARD', '5.0') as { usdPerDpuHour: number }).usdPerDpuHour;

describe('costCeiling', () => {
  it('is the whole minutes the workers can run for the ceiling, at the region\'s rate', () => {
    const ceiling = costCeiling(settings, 4, 'eu-west-1')!;
    expect(ceiling.timeoutMinutes).toBe(Math.floor(2 / ((4 * PRICE) / 60)));
    expect(ceiling.mostUsd).toBeLessThanOrEqual(2);
  });

  it('never lets a run that lasts its whole timeout cost more than the ceiling, for any workers and ceiling', () => {
    for (let i = 0; i < 500; i += 1) {
      const workers = randomInt(2, 299);
      const workerType = (['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const)[randomInt(0, 3)]!;
      const maxUsd = randomInt(1, 20_000) / 100;
      let ceiling;
      try {
        ceiling = costCeiling({ ...settings, workerType, maxUsd, jobTimeoutMinutes: 2880 }, workers, 'eu-west-1');
      } catch (error) {
        // Refused only when a minute of these workers costs more than the ceiling.
        expect(error).toBeInstanceOf(UsageError);
        expect(estimateJobRun({ glueVersion: '5.0', workerType, workers, executionClass: 'STANDARD' }, 1, 'setting', 'eu-west-1').usd!).toBeGreaterThan(maxUsd);
        continue;
      }
      // Checked by the estimate's own arithmetic, as `plan` would price such a run.
      const longest = estimateJobRun({ glueVersion: '5.0', workerType, workers, executionClass: 'STANDARD' }, ceiling!.timeoutMinutes, 'setting', 'eu-west-1');
      expect(longest.usd!).toBeLessThanOrEqual(maxUsd + 1e-6);
      // And no longer timeout would do, unless --job-timeout is what stops it.
      if (ceiling!.timeoutMinutes === 2880) continue;
      const oneMore = estimateJobRun({ glueVersion: '5.0', workerType, workers, executionClass: 'STANDARD' }, ceiling!.timeoutMinutes + 1, 'setting', 'eu-west-1');
      expect(oneMore.usd!).toBeGreaterThan(maxUsd - 1e-6);
    }
  });

  it('keeps --job-timeout when that is shorter', () => {
    expect(costCeiling({ ...settings, maxUsd: 1000, jobTimeoutMinutes: 45 }, 2, 'eu-west-1')!.timeoutMinutes).toBe(45);
  });

  it('refuses a ceiling below one minute of the workers, naming it and the least that would do', () => {
    expect(() => costCeiling({ ...settings, maxUsd: 0.01 }, 10, 'eu-west-1')).toThrow(
      /^invalid --max-usd 0\.01: one minute \(the least Glue bills\) of 10 G\.1X workers STANDARD costs \$0\.\d+ in eu-west-1; valid: at least \$0\.\d\d, or fewer --workers$/,
    );
  });

  it('refuses a ceiling where there is no price to keep it by', () => {
    expect(() => costCeiling(settings, 2, 'mars-north-1')).toThrow(/^invalid --max-usd 2: .*mars-north-1.*; valid: a region with a Glue price, or no --max-usd$/);
    expect(() => costCeiling({ ...settings, glueVersion: '6.0' }, 2, 'eu-west-1')).toThrow(
      /^invalid --max-usd 2: no Glue 6\.0 price for eu-west-1, so no ceiling can be kept; valid: --glue-version 5\.0 or 5\.1, or no --max-usd$/,
    );
  });

  it('is nothing without --max-usd, and the timeout is then --job-timeout', () => {
    expect(costCeiling({ ...settings, maxUsd: undefined }, 4, 'eu-west-1')).toBeUndefined();
    expect(jobTimeoutMinutes({ ...settings, maxUsd: undefined }, 4, 'eu-west-1')).toBe(120);
    // A ceiling that cannot be kept is refused by up and plan; status and teardown read --job-timeout.
    expect(jobTimeoutMinutes({ ...settings, maxUsd: 0.01 }, 10, 'eu-west-1')).toBe(120);
  });
});

describe('formatCeiling', () => {
  it('shows the timeout the ceiling sets, and says when the estimated run would not fit', () => {
    const ceiling = costCeiling(settings, 4, 'eu-west-1')!;
    const text = formatCeiling(ceiling);
    expect(text).toContain(`ceiling  $2.00 a job run (--max-usd): job timeout ${ceiling.timeoutMinutes} min`);
    const long = { job: { minutes: ceiling.timeoutMinutes + 10 } } as Parameters<typeof formatCeiling>[1];
    expect(formatCeiling(ceiling, long)).toContain(`the estimated ${ceiling.timeoutMinutes + 10} min run would be stopped at it`);
  });
});

describe('costCeiling: setsTimeout', () => {
  it('says whether the ceiling or --job-timeout is the shorter', () => {
    expect(costCeiling(settings, 4, 'eu-west-1')!.setsTimeout).toBe(true);
    expect(costCeiling({ ...settings, maxUsd: 1000, jobTimeoutMinutes: 45 }, 2, 'eu-west-1')!.setsTimeout).toBe(false);
  });
});

describe('runCeiling: the ceiling a past run ran under', () => {
  const TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
  const run = (over: Partial<JobRun>): JobRun => ({ Id: 'jr_1', JobRunState: 'SUCCEEDED', WorkerType: 'G.1X', NumberOfWorkers: 4, ExecutionClass: 'STANDARD', ...over });

  it('is the run\'s own timeout priced at its workers, and names the --max-usd that set it, for any workers and ceiling', () => {
    for (let i = 0; i < 300; i += 1) {
      const workers = randomInt(2, 60);
      const workerType = TYPES[randomInt(0, 3)]!;
      const maxUsd = randomInt(50, 20_000) / 100;
      const ceiling = costCeiling({ ...settings, workerType, maxUsd, jobTimeoutMinutes: 2880 }, workers, 'eu-west-1');
      if (!ceiling?.setsTimeout) continue;
      const past = runCeiling(run({ WorkerType: workerType, NumberOfWorkers: workers, Timeout: ceiling.timeoutMinutes }), { ...settings, maxUsd, jobTimeoutMinutes: 2880 }, 'eu-west-1')!;
      expect(past.maxUsd).toBe(maxUsd);
      expect(past.timeoutMinutes).toBe(ceiling.timeoutMinutes);
      // Priced as plan prices a run of that many minutes, so never above what --max-usd allows.
      const priced = estimateJobRun({ glueVersion: '5.0', workerType, workers, executionClass: 'STANDARD' }, ceiling.timeoutMinutes, 'setting', 'eu-west-1').usd!;
      expect(past.usd!).toBeCloseTo(priced, 5);
      expect(past.usd!).toBeLessThanOrEqual(maxUsd + 1e-6);
    }
  });

  it('names no --max-usd for a timeout that is not the ceiling\'s: --job-timeout, other workers, no ceiling', () => {
    const ceiling = costCeiling(settings, 4, 'eu-west-1')!;
    expect(runCeiling(run({ Timeout: ceiling.timeoutMinutes + 1 }), settings, 'eu-west-1')!.maxUsd).toBeNull();
    expect(runCeiling(run({ Timeout: ceiling.timeoutMinutes, NumberOfWorkers: 5 }), settings, 'eu-west-1')!.maxUsd).toBeNull();
    expect(runCeiling(run({ Timeout: ceiling.timeoutMinutes }), { ...settings, maxUsd: undefined }, 'eu-west-1')!.maxUsd).toBeNull();
    // --job-timeout 45 is shorter than $1000 of 2 workers: a run with 45 minutes was stopped by it, not by the ceiling.
    expect(runCeiling(run({ Timeout: 45, NumberOfWorkers: 2 }), { ...settings, maxUsd: 1000, jobTimeoutMinutes: 45 }, 'eu-west-1')!.maxUsd).toBeNull();
  });

  it('gives the timeout of a Glue 6.0 run no price and names no --max-usd for it, whatever the settings say', () => {
    const sixty = runCeiling(run({ Timeout: 60, GlueVersion: '6.0' }), settings, 'us-east-1')!;
    expect(sixty).toMatchObject({ timeoutMinutes: 60, usd: null, maxUsd: null });
    expect(runCeiling(run({ Timeout: 60, GlueVersion: '5.1' }), settings, 'us-east-1')!.usd).toBeCloseTo(4 * 0.44, 6);
  });

  it('prices the timeout of a run with MaxCapacity, or of Flex, at its own rate; none without a timeout', () => {
    const flex = runCeiling(run({ Timeout: 60, ExecutionClass: 'FLEX' }), settings, 'us-east-1')!;
    expect(flex.usd).toBeCloseTo(4 * (jobPrice('us-east-1', 'FLEX', '5.0') as { usdPerDpuHour: number }).usdPerDpuHour, 6);
    const capacity = runCeiling({ Id: 'jr', Timeout: 30, MaxCapacity: 10 }, settings, 'eu-west-1')!;
    expect(capacity.usd).toBeCloseTo(0.5 * 10 * PRICE, 6);
    expect(capacity.maxUsd).toBeNull();
    expect(runCeiling(run({ Timeout: undefined }), settings, 'eu-west-1')).toBeNull();
    expect(runCeiling(run({ Timeout: 60 }), settings, 'mars-north-1')!.usd).toBeNull();
  });

  it('was hit only by a run Glue stopped at its timeout', () => {
    for (const state of ['SUCCEEDED', 'FAILED', 'STOPPED', 'ERROR', 'RUNNING'] as const) {
      expect(runCeiling(run({ Timeout: 10, JobRunState: state }), settings, 'eu-west-1')!.hit).toBe(false);
    }
    expect(runCeiling(run({ Timeout: 10, JobRunState: 'TIMEOUT' }), settings, 'eu-west-1')!.hit).toBe(true);
  });
});

describe('ceilingStop', () => {
  const ceiling = costCeiling(settings, 4, 'eu-west-1')!;
  const run = (over: Partial<JobRun>): JobRun => ({ Id: 'jr_9', WorkerType: 'G.1X', NumberOfWorkers: 4, Timeout: ceiling.timeoutMinutes, ...over });

  it('names the ceiling and the minutes of a run stopped at the timeout --max-usd set', () => {
    expect(ceilingStop(run({ JobRunState: 'TIMEOUT' }), settings, 'eu-west-1')).toBe(
      `job run jr_9 stopped by the cost ceiling of $2.00 (--max-usd) after ${ceiling.timeoutMinutes} min`,
    );
  });

  it('says nothing of a run that failed otherwise, or timed out at --job-timeout', () => {
    expect(ceilingStop(run({ JobRunState: 'FAILED' }), settings, 'eu-west-1')).toBeUndefined();
    expect(ceilingStop(run({ JobRunState: 'TIMEOUT', Timeout: 45 }), { ...settings, maxUsd: 1000, jobTimeoutMinutes: 45 }, 'eu-west-1')).toBeUndefined();
    expect(ceilingStop(run({ JobRunState: 'TIMEOUT' }), { ...settings, maxUsd: undefined }, 'eu-west-1')).toBeUndefined();
    expect(ceilingStop(undefined, settings, 'eu-west-1')).toBeUndefined();
  });
});

describe('formatRunCeiling', () => {
  it('names --max-usd when it set the timeout, else the timeout, and what stopped a run that hit it', () => {
    expect(formatRunCeiling({ timeoutMinutes: 34, usd: 0.4987, maxUsd: 0.5, hit: false })).toBe('of ceiling $0.50 (--max-usd, 34 min)');
    expect(formatRunCeiling({ timeoutMinutes: 34, usd: 0.4987, maxUsd: 0.5, hit: true })).toBe('of ceiling $0.50 (--max-usd, 34 min), stopped by the cost ceiling');
    expect(formatRunCeiling({ timeoutMinutes: 120, usd: 1.76, maxUsd: null, hit: false })).toBe('of ceiling $1.76 (its 120 min timeout)');
    expect(formatRunCeiling({ timeoutMinutes: 120, usd: 1.76, maxUsd: null, hit: true })).toBe('of ceiling $1.76 (its 120 min timeout), stopped at its timeout');
    expect(formatRunCeiling({ timeoutMinutes: 120, usd: null, maxUsd: null, hit: false })).toBe('ceiling: its 120 min timeout (no price)');
  });
});
