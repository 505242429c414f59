import type { Settings } from '../core/settings.js';
import { UsageError } from '../core/errors.js';
import { formatUsd } from '../core/units.js';
import { DPU_PER_WORKER, jobPrice, usd } from './cost.js';

/** What `--max-usd` makes of a job run: the timeout that keeps its cost at or below the ceiling. */
export interface CostCeiling {
  readonly maxUsd: number;
  /** One minute of the job's workers at the region's rate. */
  readonly usdPerMinute: number;
  /** The whole minutes the ceiling pays for, or --job-timeout when that is shorter. */
  readonly timeoutMinutes: number;
  /** What one run costs at most with that timeout. */
  readonly mostUsd: number;
}

type CeilingSettings = Pick<Settings, 'maxUsd' | 'workerType' | 'executionClass' | 'jobTimeoutMinutes'>;

/**
 * Glue bills a job run per second of its DPUs, one minute at the least, and stops it at its timeout:
 * a timeout of the minutes the ceiling pays for means no run costs more. Undefined without
 * --max-usd. Refused, naming the value, when even Glue's minimum costs more, or when there is no
 * price to keep a ceiling by.
 */
export function costCeiling(settings: CeilingSettings, workers: number, region: string): CostCeiling | undefined {
  const { maxUsd } = settings;
  if (maxUsd === undefined) return undefined;
  const price = jobPrice(region, settings.executionClass);
  if (!('usdPerDpuHour' in price)) {
    throw new UsageError(`invalid --max-usd ${maxUsd}: ${price.noPrice}, so no ceiling can be kept; valid: a region with a Glue price, or no --max-usd`);
  }
  const usdPerMinute = (workers * DPU_PER_WORKER[settings.workerType] * price.usdPerDpuHour) / 60;
  // A hair of slack, so that $0.44 for exactly 6 minutes of $0.0733 is not rounded down to 5.
  const affordable = Math.floor(maxUsd / usdPerMinute + 1e-9);
  if (affordable < 1) {
    throw new UsageError(
      `invalid --max-usd ${maxUsd}: one minute (the least Glue bills) of ${workers} ${settings.workerType} workers ${settings.executionClass} costs ${formatUsd(usdPerMinute)} in ${region}; valid: at least $${(Math.ceil(usdPerMinute * 100) / 100).toFixed(2)}, or fewer --workers`,
    );
  }
  const timeoutMinutes = Math.min(settings.jobTimeoutMinutes, affordable);
  return { maxUsd, usdPerMinute: usd(usdPerMinute), timeoutMinutes, mostUsd: usd(timeoutMinutes * usdPerMinute) };
}

/**
 * The job's timeout as `up` sets it: the ceiling's when there is one, else --job-timeout. A ceiling
 * that cannot be kept falls back to --job-timeout here: `up` and `plan` refuse it before this is
 * read (costCeiling), and `status` or `teardown` should not fail over a setting they do not use.
 */
export function jobTimeoutMinutes(settings: CeilingSettings, workers: number, region: string): number {
  try {
    return costCeiling(settings, workers, region)?.timeoutMinutes ?? settings.jobTimeoutMinutes;
  } catch (error) {
    if (error instanceof UsageError) return settings.jobTimeoutMinutes;
    throw error;
  }
}
