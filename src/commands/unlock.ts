import { succeeded, type CommandEnv, type Outcome } from './command.js';
import { withStack } from '../stack/open-stack.js';
import { breakLock, type LockInfo } from '../stack/lock.js';

export interface UnlockResult {
  readonly stack: string;
  readonly removed: LockInfo | null;
}

/**
 * `unlock ID`: removes the lock a command left when it died (kill -9, a lost machine). The ID, as
 * the locked-out command printed it, makes sure a lock taken since by a live command stays.
 */
export async function unlock({ settings, runtime }: CommandEnv, options: { id: string }): Promise<Outcome<UnlockResult>> {
  return withStack(settings, runtime, async (ctx) => {
    const removed = (await breakLock(ctx, options.id)) ?? null;
    if (removed) runtime.logger.warn(`removed the lock of \`${removed.command}\` of ${removed.who} (pid ${removed.pid}) on stack ${settings.name}`);
    return succeeded({ stack: settings.name, removed });
  });
}
