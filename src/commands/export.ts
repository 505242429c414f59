import { formatBytes } from '../core/units.js';
import type { CommandEnv } from '../cli/io.js';
import { ProvisionerError } from '../core/errors.js';
import { bucketExists } from '../resources/bucket.js';
import { withStack } from '../stack/open-stack.js';
import { exportProcessed, parseExportParts, parseExportTarget, type ExportResult } from '../transfer/export.js';

export interface ExportOptions {
  /** A folder, or s3://BUCKET/PREFIX. */
  readonly to: string;
  /** A comma list of parts of processed/; undefined for the default parts. */
  readonly only: string | undefined;
  readonly force: boolean;
}

/** `export`: the results out of the stack's bucket before teardown deletes them. */
export async function exportResults({ settings, runtime, io }: CommandEnv, options: ExportOptions): Promise<number> {
  // Bad input is refused before any AWS call.
  const target = parseExportTarget(options.to);
  const parts = parseExportParts(options.only);
  return withStack(settings, runtime, async (ctx) => {
    if (!(await bucketExists(ctx.aws.s3, ctx.names.bucket))) {
      throw new ProvisionerError(`bucket ${ctx.names.bucket} does not exist: nothing to export (run \`provisioner up\` and a run first)`, 'user');
    }
    const result = await exportProcessed(ctx, target, parts, { force: options.force });
    runtime.logger.info(`exported ${result.transferred} files (${formatBytes(result.bytesTransferred)}), ${result.unchanged} already there`);
    io.result(result, formatExport);
    return 0;
  });
}

export function formatExport(result: ExportResult): string {
  const counts = result.parts.map((part) => `${part} ${result.files[part] ?? 0}`).join(', ');
  return [
    `Exported ${result.from} to ${result.to}`,
    `  files:       ${counts}`,
    `  transferred: ${result.transferred} (${formatBytes(result.bytesTransferred)}), unchanged ${result.unchanged}, removed ${result.removed}`,
  ].join('\n');
}
