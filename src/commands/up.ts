import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { connect } from '../aws/clients.js';
import { withStack } from '../stack/open-stack.js';
import { converge } from '../stack/converge.js';
import { deliversData, writeArrivalMarker } from '../stack/arrival-marker.js';
import { acquireLock, releaseQuietly, type HeldLock } from '../stack/lock.js';
import { estimatePipelineRunCost, type CostEstimate } from '../stack/cost.js';
import { costCeiling, type CostCeiling } from '../stack/cost-ceiling.js';
import { chooseWorkers, rawDataBytes, type WorkerChoice } from '../resources/job.js';
import type { PlannedChange } from '../resources/resource.js';
import { PREFIX } from '../core/names.js';
import { arrivalMarkerKey } from '../resources/arrival.js';
import type { ContractCheck } from '../contract/check.js';
import { scanJobDir } from '../transfer/local-files.js';
import { assertAccepted, checkRawData, scanRawData, warnUnchecked } from './data-check.js';

/** What `up` and `plan` show: each resource's change, the job's worker count, one run's cost. */
export interface UpResult {
  readonly stack: string;
  readonly bucket: string;
  readonly dryRun: boolean;
  readonly changes: readonly PlannedChange[];
  readonly cost: CostEstimate | undefined;
  readonly workers: WorkerChoice;
  /** With --max-usd only: the job's timeout it allows. */
  readonly ceiling?: CostCeiling;
  /** With --start-on arrival, when this `up` delivered data: the marker it wrote (a plan: would write). */
  readonly marker?: string;
  /** The raw files held to the data contract; null when there is no contract. */
  readonly contract: ContractCheck | null;
}

/**
 * `up` converges the stack resource by resource, in dependency order; `--dry-run` (and `plan`)
 * only describes. Local files are checked before any AWS call, so bad input creates nothing: the
 * raw files against the data contract too, as a file it refuses must not be uploaded.
 */
export async function up({ settings, runtime }: CommandEnv, options: { dryRun: boolean }): Promise<Outcome<UpResult>> {
  const data = await scanRawData(settings);
  const scripts = await scanJobDir(settings.jobDir, PREFIX.scripts);
  const contract = await checkRawData(settings, runtime, data);
  assertAccepted(contract, settings, runtime);
  // The job's worker count, from the raw data unless --workers gives it; stackResources() makes
  // the same choice from the same files.
  const workers = chooseWorkers(settings.workers, rawDataBytes(data));
  return withStack(settings, runtime, async (ctx) => {
    // A ceiling even Glue's minimum breaks is refused before anything is read or changed.
    const ceiling = costCeiling(settings, workers.count, ctx.aws.region);
    if (!contract) warnUnchecked(settings, runtime);
    // Shown where the decision is made: what one run of the pipeline, as planned, would cost. It
    // reads the job's past runs, which converging does not change, so it is read meanwhile.
    const estimate = estimatePipelineRunCost(ctx, workers.count);
    estimate.catch(() => undefined);
    let held: HeldLock | undefined;
    let changes;
    let marker: string | undefined;
    try {
      changes = await converge(ctx, { data, scripts, contractSha256: contract?.contractSha256 ?? null }, { ...options, lock: async () => void (held = await acquireLock(ctx, 'up')) });
      // Last, and under the lock the uploads were made under: the marker says they are all in.
      if (deliversData(ctx, changes, data.length)) marker = options.dryRun ? arrivalMarkerKey(settings) : await writeArrivalMarker(ctx);
    } finally {
      await releaseQuietly(ctx, held);
    }
    const cost = await estimate;
    return succeeded({ stack: settings.name, bucket: ctx.names.bucket, dryRun: options.dryRun, changes, cost, workers, ...(ceiling ? { ceiling } : {}), ...(marker ? { marker } : {}), contract: contract ?? null });
  }, connect, { resolveKmsKey: true });
}
