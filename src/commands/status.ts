import { destroyClients } from '../aws/clients.js';
import { formatStatus } from '../output.js';
import { openStack } from '../stack.js';
import { collectStatus } from '../status.js';
import type { CommandEnv } from './io.js';

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
