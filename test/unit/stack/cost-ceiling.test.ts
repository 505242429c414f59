import { describe, expect, it } from 'vitest';
import { formatCeiling } from '../../../src/cli/format.js';
import { UsageError } from '../../../src/core/errors.js';
import { costCeiling, jobTimeoutMinutes } from '../../../src/stack/cost-ceiling.js';
import { estimateJobRun, jobPrice } from '../../../src/stack/cost.js';
import { random } from '../support/random.js';

const next = random(2027);
const randomInt = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));

const settings = { maxUsd: 2, workerType: 'G.1X', executionClass: 'STANDARD', jobTimeoutMinutes: 120 } as const;
const PRICE = (jobPrice('eu-west-1', 'STANDARD') as { usdPerDpuHour: number }).usdPerDpuHour;

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
        expect(estimateJobRun({ workerType, workers, executionClass: 'STANDARD' }, 1, 'setting', 'eu-west-1').usd!).toBeGreaterThan(maxUsd);
        continue;
      }
      // Checked by the estimate's own arithmetic, as `plan` would price such a run.
      const longest = estimateJobRun({ workerType, workers, executionClass: 'STANDARD' }, ceiling!.timeoutMinutes, 'setting', 'eu-west-1');
      expect(longest.usd!).toBeLessThanOrEqual(maxUsd + 1e-6);
      // And no longer timeout would do, unless --job-timeout is what stops it.
      if (ceiling!.timeoutMinutes === 2880) continue;
      const oneMore = estimateJobRun({ workerType, workers, executionClass: 'STANDARD' }, ceiling!.timeoutMinutes + 1, 'setting', 'eu-west-1');
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
