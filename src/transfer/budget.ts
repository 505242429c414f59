import { InterruptedError } from '../core/errors.js';

/**
 * A shared allowance of some unit (requests in flight, bytes in memory) that tasks take from and
 * give back. Waiters are served in order of priority (lowest first), then of arrival, and none is
 * passed over while it waits for more than is free, so a large request is not starved by small ones.
 */
export class Budget {
  private available: number;
  private readonly waiting: { amount: number; priority: number; grant: () => void }[] = [];

  constructor(
    readonly capacity: number,
    private readonly what: string,
  ) {
    if (!(capacity > 0)) throw new RangeError(`${what}: capacity must be positive, got ${capacity}`);
    this.available = capacity;
  }

  /**
   * Waits for `amount` (at most the capacity) to be free, then takes it. Rejects on abort. A taker
   * with a lower `priority` goes before those waiting with a higher one.
   */
  async take(amount: number, signal?: AbortSignal, priority = 0): Promise<number> {
    const wanted = Math.min(Math.max(amount, 0), this.capacity);
    if (signal?.aborted) throw new InterruptedError(`interrupted while waiting for ${this.what}`);
    if (this.waiting.length === 0 && this.available >= wanted) {
      this.available -= wanted;
      return wanted;
    }
    return new Promise<number>((resolve, reject) => {
      const entry = {
        amount: wanted,
        priority,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(wanted);
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new InterruptedError(`interrupted while waiting for ${this.what}`));
        this.serve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const behind = this.waiting.findIndex((other) => other.priority > priority);
      this.waiting.splice(behind < 0 ? this.waiting.length : behind, 0, entry);
      this.serve();
    });
  }

  /** Gives back what `take` returned. */
  give(amount: number): void {
    this.available = Math.min(this.capacity, this.available + amount);
    this.serve();
  }

  /** Runs `task` holding `amount`, and gives it back however the task ends. */
  async with<T>(amount: number, task: () => Promise<T>, signal?: AbortSignal, priority = 0): Promise<T> {
    const taken = await this.take(amount, signal, priority);
    try {
      return await task();
    } finally {
      this.give(taken);
    }
  }

  private serve(): void {
    while (this.waiting.length > 0 && this.available >= this.waiting[0]!.amount) {
      const next = this.waiting.shift()!;
      this.available -= next.amount;
      next.grant();
    }
  }
}
