import { formatBytes } from '../core/units.js';
import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { ProvisionerError } from '../core/errors.js';
import { bucketExists } from '../resources/bucket.js';
import { withStack } from '../stack/open-stack.js';
import { exportProcessed, parseExportParts, type ExportResult } from '../transfer/export.js';
import { assertWritableTarget, parseExportTarget } from '../transfer/export-target.js';

export interface ExportOptions {
  /** A folder, or s3://BUCKET/PREFIX. */
  readonly to: string;
  /** A comma list of parts of processed/; undefined for the default parts. */
  readonly only: string | undefined;
  readonly force: boolean;
}

/** `export`: the results out of the stack's bucket before teardown deletes them. */
export async function exportResults({ settings, runtime }: CommandEnv, options: ExportOptions): Promise<Outcome<ExportResult>> {
  // Bad input is refused before any AWS call.
  const target = parseExportTarget(options.to);
  const parts = parseExportParts(options.only);
  await assertWritableTarget(target);
  return withStack(settings, runtime, async (ctx) => {
    if (!(await bucketExists(ctx.aws.s3, ctx.names.bucket))) {
      throw new ProvisionerError(`bucket ${ctx.names.bucket} does not exist: nothing to export (run \`provisioner up\` and a run first)`, 'user');
    }
    const result = await exportProcessed(ctx, target, parts, { force: options.force });
    runtime.logger.info(`exported ${result.transferred} files (${formatBytes(result.bytesTransferred)}), ${result.unchanged} already there`);
    return succeeded(result);
  });
}
