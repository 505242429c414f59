import { formatStatus } from '../cli/format.js';
import type { CommandEnv } from '../cli/io.js';
import { withStack } from '../stack/open-stack.js';
import { collectStatus } from '../stack/status.js';

/** `runs`: how many of the last workflow runs, crawls and job runs to show. */
export async function status({ settings, runtime, io }: CommandEnv, options: { runs?: number } = {}): Promise<number> {
  return withStack(settings, runtime, async (ctx) => {
    io.result(await collectStatus(ctx, options), formatStatus);
    return 0;
  });
}
