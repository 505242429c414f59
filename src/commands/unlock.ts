import type { CommandEnv } from '../cli/io.js';
import { EXIT_OK } from '../core/errors.js';
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
export async function unlock({ settings, runtime, io }: CommandEnv, options: { id: string }): Promise<number> {
  return withStack(settings, runtime, async (ctx) => {
    const removed = (await breakLock(ctx, options.id)) ?? null;
    if (removed) runtime.logger.warn(`removed the lock of \`${removed.command}\` of ${removed.who} (pid ${removed.pid}) on stack ${settings.name}`);
    io.result<UnlockResult>({ stack: settings.name, removed }, (r) =>
      r.removed ? `Unlocked stack ${r.stack} (lock ${r.removed.id})` : `Stack ${r.stack} was not locked`,
    );
    return EXIT_OK;
  });
}
