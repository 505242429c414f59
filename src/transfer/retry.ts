import pRetry, { AbortError } from 'p-retry';
import { isTransient } from '../aws/errors.js';

/**
 * Retries one request (a part, a small file, a listing) when it failed for a reason that passes:
 * a dropped connection, a 5xx, throttling. The SDK has already retried it a few times by then; this
 * outlasts a short outage without starting a whole transfer again. Anything else fails at once.
 */
export async function retryTransient<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await request();
      } catch (error) {
        if (signal?.aborted || !isTransient(error)) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: 4,
      minTimeout: 500,
      maxTimeout: 8_000,
      factor: 2,
      randomize: true,
      ...(signal ? { signal } : {}),
    },
  );
}
