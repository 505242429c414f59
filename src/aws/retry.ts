/**
 * How every SDK client retries (`retryStrategy` in aws/clients.ts). The SDK's standard strategy
 * gives up within about a second (4 retries of at most 50-400 ms) and shares one quota of retries
 * per client that a burst of failures drains (a retry of a 5xx costs 14 of 500 tokens), after
 * which no request is retried at all. This one gives each request its own budget: up to
 * `maxAttempts` attempts with exponential, jittered waits, so an outage of 20 s or so is outlasted,
 * and no request's failures take the retries of another. How many requests are in flight at once
 * is bounded where they are made (transfer/limits.ts), which is what keeps retries from piling up.
 *
 * Retried: what the SDK classes as transient (500, 502, 503, 504, timeouts, reset or refused
 * connections) or throttling (SlowDown, ThrottlingException, Throttling, 429). Never: client errors
 * (4xx other than throttling) and 501 and the like. Creates are retried too: a create whose answer
 * was lost meets "already exists" on its retry, which the stack layer resolves (stack/plan.ts).
 */

/** What the SDK's retry middleware hands a strategy; these shapes are those of `@smithy/types`. */
export type RetryErrorType = 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';

export interface RetryErrorInfo {
  readonly errorType: RetryErrorType;
  readonly retryAfterHint?: Date;
}

export interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
  $retryLog?: { acquisitionDelay?: number };
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  /** The first retry of a transient failure waits between half this and this, each next one twice as long. */
  readonly baseDelayMs: number;
  /** The same for throttling: the service asked us to slow down, so start slower. */
  readonly throttlingBaseDelayMs: number;
  /** No single wait is longer than this (a Retry-After hint included). */
  readonly maxDelayMs: number;
}

/**
 * 10 attempts: waits of 125-250 ms, 250-500 ms, ... doubling up to 4-8 s; 20 to 40 s in all for a
 * transient failure, 26 to 52 s for throttling.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 250,
  throttlingBaseDelayMs: 1_000,
  maxDelayMs: 8_000,
};

/** The wait before retry number `retry` (0 for the first): exponential, capped, with "equal jitter". */
export function backoffDelay(policy: RetryPolicy, errorType: RetryErrorType, retry: number, random: () => number = Math.random): number {
  const base = errorType === 'THROTTLING' ? policy.throttlingBaseDelayMs : policy.baseDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, base * 2 ** retry);
  // Half fixed, half random: never a near-zero wait that retries into the same outage, and clients
  // that failed together do not retry together.
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

class Token implements RetryToken {
  readonly $retryLog: { acquisitionDelay?: number };

  constructor(
    private readonly count: number,
    waited: number,
  ) {
    this.$retryLog = { acquisitionDelay: waited };
  }

  getRetryCount(): number {
    return this.count;
  }

  /** The wait happened already, in refreshRetryTokenForRetry, where an interrupt can cut it short. */
  getRetryDelay(): number {
    return 0;
  }
}

export interface RetryStrategyOptions {
  readonly policy?: RetryPolicy;
  /** Ctrl-C or SIGTERM: no retry starts after it, and a wait in progress ends at once. */
  readonly signal?: AbortSignal | undefined;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** A `RetryStrategyV2` of the SDK: pass it as `retryStrategy` to a client. */
export class PatientRetryStrategy {
  readonly mode = 'standard';
  private readonly policy: RetryPolicy;

  constructor(private readonly options: RetryStrategyOptions = {}) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
  }

  /** For the SDK's `amz-sdk-request` header ("attempt=1; max=10"). */
  maxAttempts(): number {
    return this.policy.maxAttempts;
  }

  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retry = token.getRetryCount();
    const retryable = errorInfo.errorType === 'TRANSIENT' || errorInfo.errorType === 'THROTTLING';
    // Throwing tells the SDK not to retry: it then throws the request's last error.
    if (!retryable || retry + 1 >= this.policy.maxAttempts || this.options.signal?.aborted) {
      throw new Error('no retry');
    }
    let delay = backoffDelay(this.policy, errorInfo.errorType, retry, this.options.random);
    const hinted = errorInfo.retryAfterHint ? errorInfo.retryAfterHint.getTime() - Date.now() : 0;
    if (hinted > delay) delay = Math.min(hinted, this.policy.maxDelayMs);
    await (this.options.sleep ?? sleep)(delay, this.options.signal);
    if (this.options.signal?.aborted) throw new Error('interrupted');
    return new Token(retry + 1, delay);
  }

  recordSuccess(_token: RetryToken): void {
    // No shared quota to refill: each request has its own budget.
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
