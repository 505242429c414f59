import { applyStep, planStep } from '../stack/plan.js';
import { scanDataDir, scanJobDir } from '../transfer/local-files.js';
import { PREFIX } from '../stack/names.js';
import { formatChanges } from '../cli/format.js';
import type { PlannedChange } from '../resources/resource.js';
import { openStack, upResources } from '../stack/resources.js';
import { destroyClients } from '../aws/clients.js';
import type { CommandEnv } from '../cli/io.js';

/**
 * `up` converges the stack resource by resource, in dependency order; `--dry-run` (and `plan`)
 * only describes. Local files are checked before any AWS call, so bad input creates nothing.
 */
export async function up({ settings, runtime, io }: CommandEnv, options: { dryRun: boolean }): Promise<number> {
  const { logger } = runtime;
  const data = await scanDataDir(settings.dataDir, PREFIX.raw);
  const scripts = await scanJobDir(settings.jobDir, PREFIX.scripts);

  const ctx = await openStack(settings, runtime);
  try {
    logger.info(`${options.dryRun ? 'planning' : 'converging'} stack ${settings.name} in ${ctx.aws.accountId} ${ctx.aws.region}`);
    const changes: PlannedChange[] = [];
    for (const resource of upResources(ctx, { data, scripts })) {
      const step = await planStep(resource);
      changes.push(step.change);
      if (options.dryRun) continue;
      const { action, kind, name, details } = step.change;
      if (action === 'no-op') {
        logger.info(`${kind} ${name}: up to date`);
        continue;
      }
      logger.info(`${action} ${kind} ${name}${action === 'update' ? ` (${summarizeDrift(details)})` : ''}`);
      await applyStep(step);
    }
    io.out(
      settings.json
        ? JSON.stringify({ stack: settings.name, bucket: ctx.names.bucket, dryRun: options.dryRun, changes }, null, 2)
        : formatChanges(changes, options.dryRun),
    );
    return 0;
  } finally {
    destroyClients(ctx.aws);
  }
}

/** Uploads can list hundreds of files; a log line names a few changes at most. */
function summarizeDrift(details: readonly string[]): string {
  return details.length > 4 ? `${details.length} changes` : details.join(', ');
}
