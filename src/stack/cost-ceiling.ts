import type { JobRun } from '@aws-sdk/client-glue';
import type { ExecutionClass, WorkerType } from '../core/glue.js';
import type { Settings } from '../core/settings.js';
import { UsageError } from '../core/errors.js';
import { formatUsd } from '../core/units.js';
import { DPU_PER_WORKER, jobPrice, runDpus, runGlueVersion, usd } from './cost.js';
import { GLUE_VERSIONS_PRICED } from './glue-prices.js';

/** What `--max-usd` makes of a job run: the timeout that keeps its cost at or below the ceiling. */
export interface CostCeiling {
  readonly maxUsd: number;
  /** One minute of the job's workers at the region's rate. */
  readonly usdPerMinute: number;
  /** The whole minutes the ceiling pays for, or --job-timeout when that is shorter. */
  readonly timeoutMinutes: number;
  /** What one run costs at most with that timeout. */
  readonly mostUsd: number;
  /**
   * Whether the ceiling is what sets the timeout: false when --job-timeout is the shorter, so a
   * run stopped at its timeout was stopped by --job-timeout, not by the ceiling.
   */
  readonly setsTimeout: boolean;
}

type CeilingSettings = Pick<Settings, 'maxUsd' | 'glueVersion' | 'workerType' | 'executionClass' | 'jobTimeoutMinutes'>;

/**
 * Glue bills a job run per second of its DPUs, one minute at the least, and stops it at its timeout:
 * a timeout of the minutes the ceiling pays for means no run costs more. Undefined without
 * --max-usd. Refused, naming the value, when even Glue's minimum costs more, or when there is no
 * price to keep a ceiling by.
 */
export function costCeiling(settings: CeilingSettings, workers: number, region: string): CostCeiling | undefined {
  const { maxUsd } = settings;
  if (maxUsd === undefined) return undefined;
  const price = jobPrice(region, settings.executionClass, settings.glueVersion);
  if (!('usdPerDpuHour' in price)) {
    const valid = GLUE_VERSIONS_PRICED.includes(settings.glueVersion) ? 'a region with a Glue price' : `--glue-version ${GLUE_VERSIONS_PRICED.join(' or ')}`;
    throw new UsageError(`invalid --max-usd ${maxUsd}: ${price.noPrice}, so no ceiling can be kept; valid: ${valid}, or no --max-usd`);
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
  return { maxUsd, usdPerMinute: usd(usdPerMinute), timeoutMinutes, mostUsd: usd(timeoutMinutes * usdPerMinute), setsTimeout: affordable <= settings.jobTimeoutMinutes };
}

/**
 * The ceiling as the stack's resources are built with it: undefined without --max-usd, and also for
 * one that cannot be kept: `up` and `plan` refuse that before this is read (costCeiling), and
 * `status` or `teardown` should not fail over a setting they do not use.
 */
export function keptCeiling(settings: CeilingSettings, workers: number, region: string): CostCeiling | undefined {
  try {
    return costCeiling(settings, workers, region);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

/** The job's timeout as `up` sets it: the ceiling's when there is one, else --job-timeout. */
export function jobTimeoutMinutes(settings: CeilingSettings, workers: number, region: string): number {
  return keptCeiling(settings, workers, region)?.timeoutMinutes ?? settings.jobTimeoutMinutes;
}

/**
 * The ceiling a past job run ran under, from what Glue recorded when it started (GetJobRun's
 * Timeout, WorkerType, NumberOfWorkers or MaxCapacity, ExecutionClass): its timeout bounds its cost,
 * whatever the settings are now.
 */
export interface RunCeiling {
  /** The minutes Glue lets the run go on for (JobRun.Timeout). */
  readonly timeoutMinutes: number;
  /** The most that timeout lets the run cost: those minutes of its DPUs at list price; null without a price or DPUs. */
  readonly usd: number | null;
  /**
   * The --max-usd that set the timeout: these settings' ceiling, for the run's workers, is exactly
   * its timeout and shorter than --job-timeout. Null when the timeout is --job-timeout's (or was set
   * by other settings than these).
   */
  readonly maxUsd: number | null;
  /** Glue stopped the run at its timeout (state TIMEOUT). */
  readonly hit: boolean;
}

/** Null for a run Glue recorded no timeout for. */
export function runCeiling(run: JobRun, settings: CeilingSettings, region: string): RunCeiling | null {
  const timeoutMinutes = run.Timeout;
  if (timeoutMinutes === undefined || timeoutMinutes <= 0) return null;
  const executionClass: ExecutionClass = run.ExecutionClass === 'FLEX' ? 'FLEX' : 'STANDARD';
  const dpus = runDpus(run);
  const price = jobPrice(region, executionClass, runGlueVersion(run));
  const most = dpus !== undefined && 'usdPerDpuHour' in price ? usd((timeoutMinutes / 60) * dpus * price.usdPerDpuHour) : null;
  return { timeoutMinutes, usd: most, maxUsd: ceilingThatSet(run, settings, region, executionClass), hit: run.JobRunState === 'TIMEOUT' };
}

/** The --max-usd whose ceiling is this run's timeout, for the workers the run had; else null. */
function ceilingThatSet(run: JobRun, settings: CeilingSettings, region: string, executionClass: ExecutionClass): number | null {
  const workerType = run.WorkerType as WorkerType | undefined;
  if (settings.maxUsd === undefined || !workerType || !(workerType in DPU_PER_WORKER) || !run.NumberOfWorkers) return null;
  try {
    const ceiling = costCeiling({ ...settings, glueVersion: runGlueVersion(run), workerType, executionClass }, run.NumberOfWorkers, region);
    return ceiling && ceiling.setsTimeout && ceiling.timeoutMinutes === run.Timeout ? ceiling.maxUsd : null;
  } catch (error) {
    if (error instanceof UsageError) return null;
    throw error;
  }
}

/**
 * What `run --wait` and `cycle` say of a run that Glue stopped at the timeout the cost ceiling set;
 * undefined for any other run (one that timed out at --job-timeout is an ordinary failure).
 */
export function ceilingStop(run: JobRun | undefined, settings: CeilingSettings, region: string): string | undefined {
  if (!run?.Id) return undefined;
  const ceiling = runCeiling(run, settings, region);
  if (!ceiling?.hit || ceiling.maxUsd === null) return undefined;
  return `job run ${run.Id} stopped by the cost ceiling of ${formatUsd(ceiling.maxUsd)} (--max-usd) after ${ceiling.timeoutMinutes} min`;
}
