import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { withStack } from '../stack/open-stack.js';
import { collectStatus, type StatusReport } from '../stack/status.js';
import { readRunManifest } from '../transfer/run-manifest.js';

/** `runs`: how many of the last workflow runs, crawls and job runs to show. */
export async function status({ settings, runtime }: CommandEnv, options: { runs?: number } = {}): Promise<Outcome<StatusReport>> {
  return withStack(settings, runtime, async (ctx) => succeeded(await collectStatus(ctx, options)));
}

/** What `status --run ID` shows: that run's manifest, as the job wrote it, and where it was read. */
export interface RunManifestStatus {
  readonly stack: string;
  readonly runId: string;
  readonly location: string;
  /** The document as the job wrote it (glue-job/run_manifest.py), checked by readRunManifest. */
  readonly manifest: Readonly<Record<string, unknown>>;
}

/** `status --run ID`: any past run's manifest, read from the stack's bucket. */
export async function runManifestStatus({ settings, runtime }: CommandEnv, runId: string): Promise<Outcome<RunManifestStatus>> {
  return withStack(settings, runtime, async (ctx) => {
    const { location, manifest } = await readRunManifest(ctx, runId);
    return succeeded({ stack: ctx.names.stack, runId, location, manifest: manifest.document });
  });
}
