import { formatChanges } from '../cli/format.js';
import type { CommandEnv } from '../cli/io.js';
import { connect } from '../aws/clients.js';
import { withStack } from '../stack/open-stack.js';
import { converge } from '../stack/converge.js';
import { acquireLock, releaseQuietly, type HeldLock } from '../stack/lock.js';
import { estimateRunCost } from '../stack/cost.js';
import { chooseWorkers, rawDataBytes } from '../resources/job.js';
import { PREFIX } from '../core/names.js';
import { scanDataDir, scanJobDir } from '../transfer/local-files.js';

/**
 * `up` converges the stack resource by resource, in dependency order; `--dry-run` (and `plan`)
 * only describes. Local files are checked before any AWS call, so bad input creates nothing.
 */
export async function up({ settings, runtime, io }: CommandEnv, options: { dryRun: boolean }): Promise<number> {
  const data = await scanDataDir(settings.dataDir, PREFIX.raw);
  const scripts = await scanJobDir(settings.jobDir, PREFIX.scripts);
  // The job's worker count, from the raw data unless --workers gives it; stackResources() makes
  // the same choice from the same files.
  const workers = chooseWorkers(settings.workers, rawDataBytes(data));
  return withStack(settings, runtime, async (ctx) => {
    // Shown where the decision is made: what one run of the pipeline, as planned, would cost. It
    // reads the job's past runs, which converging does not change, so it is read meanwhile.
    const estimate = estimateRunCost(ctx, workers.count);
    estimate.catch(() => undefined);
    let held: HeldLock | undefined;
    let changes;
    try {
      changes = await converge(ctx, { data, scripts }, { ...options, lock: async () => void (held = await acquireLock(ctx, 'up')) });
    } finally {
      await releaseQuietly(ctx, held);
    }
    const cost = await estimate;
    io.result({ stack: settings.name, bucket: ctx.names.bucket, dryRun: options.dryRun, changes, cost, workers }, formatChanges);
    return 0;
  }, connect, { resolveKmsKey: true });
}
