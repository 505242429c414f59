import { formatStatus } from '../cli/format.js';
import type { CommandEnv } from '../cli/io.js';
import { withStack } from '../stack/context.js';
import { collectStatus } from '../stack/status.js';

export async function status({ settings, runtime, io }: CommandEnv): Promise<number> {
  return withStack(settings, runtime, async (ctx) => {
    io.result(await collectStatus(ctx), formatStatus);
    return 0;
  });
}
