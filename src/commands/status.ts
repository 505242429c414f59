import { destroyClients } from '../aws/clients.js';
import { formatStatus } from '../cli/format.js';
import { openStack } from '../stack/resources.js';
import { collectStatus } from '../stack/status.js';
import type { CommandEnv } from '../cli/io.js';

export async function status({ settings, runtime, io }: CommandEnv): Promise<number> {
  const ctx = await openStack(settings, runtime);
  try {
    const report = await collectStatus(ctx);
    io.out(settings.json ? JSON.stringify(report, null, 2) : formatStatus(report));
    return 0;
  } finally {
    destroyClients(ctx.aws);
  }
}
