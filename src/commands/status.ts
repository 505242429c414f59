import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { withStack } from '../stack/open-stack.js';
import { collectStatus, type StatusReport } from '../stack/status.js';

/** `runs`: how many of the last workflow runs, crawls and job runs to show. */
export async function status({ settings, runtime }: CommandEnv, options: { runs?: number } = {}): Promise<Outcome<StatusReport>> {
  return withStack(settings, runtime, async (ctx) => succeeded(await collectStatus(ctx, options)));
}
