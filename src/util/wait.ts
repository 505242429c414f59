import pRetry, { AbortError } from 'p-retry';
import { hasName } from '../aws/errors.js';
import { InterruptedError, TimeoutError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * A new IAM role takes seconds to a couple of minutes to become usable by Glue, which answers
 * InvalidInputException "unable to assume provided role" meanwhile. Retry that, and only that.
 */
export async function retryWhileRolePropagates<T>(
  action: () => Promise<T>,
  logger: Logger,
  options: { maxWaitMs?: number; minDelayMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  return pRetry(
    async () => {
      try {
        return await action();
      } catch (error) {
        if (isRolePropagationError(error)) throw error;
        throw new AbortError(error as Error);
      }
    },
    {
      retries: 30,
      minTimeout: options.minDelayMs ?? 2_000,
      maxTimeout: 10_000,
      factor: 1.5,
      maxRetryTime: maxWaitMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onFailedAttempt: ({ attemptNumber }) => {
        logger.info(`waiting for the new IAM role to reach Glue (attempt ${attemptNumber})`);
      },
    },
  );
}

export function isRolePropagationError(error: unknown): boolean {
  return hasName(error, 'InvalidInputException') && /unable to assume|assume (the )?provided role/i.test((error as Error).message);
}

/** Polls until `check` returns a value, sleeping between attempts; Glue has no SDK waiters. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  options: { intervalMs: number; timeoutMs: number; signal?: AbortSignal; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${options.what}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new TimeoutError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}`);
    await sleep(options.intervalMs, options.signal);
  }
}



export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // An abort event that already fired will not fire again for a listener added now.
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
