import { formatBytes } from '../core/units.js';
import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { EXIT_FAILURE, EXIT_OK, ProvisionerError, UsageError } from '../core/errors.js';
import { bucketExists } from '../resources/bucket.js';
import { withStack } from '../stack/open-stack.js';
import { exportProcessed, parseExportParts, type ExportResult } from '../transfer/export.js';
import { assertWritableTarget, parseExportTarget } from '../transfer/export-target.js';
import { verifyExport, type VerifyResult } from '../transfer/export-verify.js';

export interface ExportOptions {
  /** A folder, or s3://BUCKET/PREFIX. */
  readonly to: string;
  /** A comma list of parts of processed/; undefined for the default parts. */
  readonly only: string | undefined;
  readonly force: boolean;
}

/**
 * `export --verify --to DIR`: the folder checked against the run manifest exported with it and the
 * export's own record, without a request to AWS. Exit 1 when a file is changed, missing or extra.
 */
export async function verifyExported(_env: CommandEnv, options: { readonly to: string }): Promise<Outcome<VerifyResult>> {
  const target = parseExportTarget(options.to);
  if (target.kind !== 'dir') {
    throw new UsageError(`invalid --to "${options.to}" with --verify: only a folder export holds the checksums of its files; valid: a folder provisioner export wrote`);
  }
  const result = await verifyExport(target.dir);
  return { exitCode: result.problems.length === 0 ? EXIT_OK : EXIT_FAILURE, result };
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
