import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/core/errors.js';
import { Budget } from '../../../src/transfer/budget.js';
import { random } from '../support/random.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));


describe('Budget', () => {
  it.each([1, 2, 3, 4, 5])('never lends more than its capacity, whatever the mix of takers (seed %i)', async (seed) => {
    const next = random(seed);
    const capacity = 1 + Math.floor(next() * 20);
    const budget = new Budget(capacity, 'test units');
    let inUse = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 60 }, async () => {
        const amount = 1 + Math.floor(next() * capacity * 1.5);
        await budget.with(amount, async () => {
          inUse += Math.min(amount, capacity);
          peak = Math.max(peak, inUse);
          await tick(Math.floor(next() * 3));
          inUse -= Math.min(amount, capacity);
        });
      }),
    );
    expect(peak).toBeLessThanOrEqual(capacity);
    expect(inUse).toBe(0);
  });

  it('serves waiters in order, so a large taker is not starved by small ones', async () => {
    const budget = new Budget(10, 'test units');
    const order: string[] = [];
    await budget.take(6);
    const large = budget.take(10).then(() => order.push('large'));
    const small = budget.take(1).then(() => order.push('small'));
    await tick();
    expect(order).toEqual([]);
    budget.give(6);
    await large;
    expect(order).toEqual(['large']);
    budget.give(10);
    await small;
    expect(order).toEqual(['large', 'small']);
  });

  it('serves a lower priority number first, whenever it came, and arrivals in order within a priority', async () => {
    const budget = new Budget(4, 'test units');
    const order: string[] = [];
    await budget.take(4);
    const waiters = [
      budget.take(2, undefined, 3).then(() => order.push('file 3')),
      budget.take(2, undefined, 1).then(() => order.push('file 1, first part')),
      budget.take(2, undefined, 1).then(() => order.push('file 1, second part')),
      budget.take(2, undefined, 0).then(() => order.push('file 0')),
    ];
    await tick();
    expect(order).toEqual([]);
    for (let i = 0; i < 4; i++) {
      budget.give(2);
      await tick();
    }
    await Promise.all(waiters);
    expect(order).toEqual(['file 0', 'file 1, first part', 'file 1, second part', 'file 3']);
  });

  it('does not pass over a waiter of the same priority that needs more than is free', async () => {
    const budget = new Budget(4, 'test units');
    const order: string[] = [];
    await budget.take(3);
    const large = budget.take(4, undefined, 1).then(() => order.push('large'));
    const small = budget.take(1, undefined, 1).then(() => order.push('small'));
    await tick();
    expect(order).toEqual([]);
    budget.give(3);
    await large;
    budget.give(4);
    await small;
    expect(order).toEqual(['large', 'small']);
  });

  it('gives back what a failing task held', async () => {
    const budget = new Budget(2, 'test units');
    await expect(budget.with(2, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(budget.take(2)).resolves.toBe(2);
  });

  it('rejects a waiter when interrupted, and serves the next one', async () => {
    const budget = new Budget(1, 'test units');
    await budget.take(1);
    const controller = new AbortController();
    const interrupted = budget.take(1, controller.signal);
    const after = budget.take(1);
    controller.abort();
    await expect(interrupted).rejects.toBeInstanceOf(InterruptedError);
    budget.give(1);
    await expect(after).resolves.toBe(1);
  });
});
