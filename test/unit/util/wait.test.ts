import { EntityNotFoundException, InvalidInputException } from '@aws-sdk/client-glue';
import { describe, expect, it, vi } from 'vitest';
import { InterruptedError } from '../../../src/core/errors.js';
import type { Logger } from '../../../src/core/logger.js';
import { TimeoutError } from '../../../src/core/errors.js';
import { isRolePropagationError, pollUntil, retryWhileRolePropagates, sleep } from '../../../src/util/wait.js';
import { glueInvalidInput, rolePropagating } from '../support/errors.js';

function recordingLogger() {
  const info = vi.fn();
  const logger = { error: vi.fn(), warn: vi.fn(), info, debug: vi.fn() } as unknown as Logger;
  return { logger, info };
}

const fast = { minDelayMs: 1, maxWaitMs: 2_000 };

describe('retryWhileRolePropagates', () => {
  it('retries "unable to assume provided role" until the call succeeds', async () => {
    const { logger, info } = recordingLogger();
    const action = vi.fn().mockRejectedValueOnce(rolePropagating()).mockRejectedValueOnce(rolePropagating()).mockResolvedValue('created');
    await expect(retryWhileRolePropagates(action, logger, fast)).resolves.toBe('created');
    expect(action).toHaveBeenCalledTimes(3);
    expect(info).toHaveBeenCalledTimes(2);
    expect(String(info.mock.calls[0]?.[0])).toMatch(/IAM role/);
  });

  it('returns at once when the first call succeeds', async () => {
    const { logger, info } = recordingLogger();
    const action = vi.fn().mockResolvedValue(42);
    await expect(retryWhileRolePropagates(action, logger, fast)).resolves.toBe(42);
    expect(action).toHaveBeenCalledTimes(1);
    expect(info).not.toHaveBeenCalled();
  });

  it.each([
    ['another InvalidInputException', glueInvalidInput('Invalid schedule expression')],
    ['EntityNotFoundException', new EntityNotFoundException({ message: 'Database flight_delays not found', $metadata: {} })],
    ['a plain Error saying the same words', new Error('Service is unable to assume provided role')],
  ])('does not retry %s and passes the same error on', async (_what, error) => {
    const { logger } = recordingLogger();
    const action = vi.fn().mockRejectedValue(error);
    const failure = await retryWhileRolePropagates(action, logger, fast).catch((e: unknown) => e);
    expect(failure).toBe(error);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxWaitMs with the propagation error', async () => {
    const { logger } = recordingLogger();
    const action = vi.fn().mockImplementation(() => Promise.reject(rolePropagating()));
    const started = performance.now();
    const failure = await retryWhileRolePropagates(action, logger, { minDelayMs: 5, maxWaitMs: 60 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(failure).toBeInstanceOf(InvalidInputException);
    expect(isRolePropagationError(failure)).toBe(true);
    expect(action.mock.calls.length).toBeGreaterThan(1);
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('stops waiting when the signal aborts', async () => {
    const { logger } = recordingLogger();
    const controller = new AbortController();
    const action = vi.fn().mockImplementation(() => {
      controller.abort();
      return Promise.reject(rolePropagating());
    });
    await expect(retryWhileRolePropagates(action, logger, { minDelayMs: 10_000, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(action).toHaveBeenCalledTimes(1);
  });
});

describe('isRolePropagationError', () => {
  it.each([
    ['Service is unable to assume provided role. Please verify role\'s TrustPolicy', true],
    ['Glue is unable to assume the provided role', true],
    ['Role arn:aws:iam::1:role/x should be given assume role permissions for Glue Service', false],
    ['Crawler with name x has already started', false],
  ])('%s → %s', (message, expected) => {
    expect(isRolePropagationError(glueInvalidInput(message))).toBe(expected);
  });

  it('is false for anything that is not an InvalidInputException', () => {
    expect(isRolePropagationError('unable to assume provided role')).toBe(false);
    expect(isRolePropagationError(undefined)).toBe(false);
    expect(isRolePropagationError(new EntityNotFoundException({ message: 'unable to assume provided role', $metadata: {} }))).toBe(false);
  });
});

describe('pollUntil', () => {
  it('polls until the check returns a value', async () => {
    const check = vi.fn().mockResolvedValueOnce(undefined).mockResolvedValueOnce(undefined).mockResolvedValue('READY');
    await expect(pollUntil(check, { intervalMs: 1, timeoutMs: 1_000, what: 'x' })).resolves.toBe('READY');
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('times out naming what it waited for', async () => {
    const check = vi.fn().mockResolvedValue(undefined);
    const failure = await pollUntil(check, { intervalMs: 5, timeoutMs: 30, what: 'crawler c to stop' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TimeoutError);
    expect((failure as Error).message).toMatch(/waiting for crawler c to stop/);
    expect(check.mock.calls.length).toBeGreaterThan(1);
  });

  it('stops with InterruptedError once the signal aborts', async () => {
    const controller = new AbortController();
    const check = vi.fn().mockImplementation(async () => {
      controller.abort();
      return undefined;
    });
    await expect(pollUntil(check, { intervalMs: 60_000, timeoutMs: 120_000, signal: controller.signal, what: 'x' })).rejects.toBeInstanceOf(
      InterruptedError,
    );
    expect(check).toHaveBeenCalledTimes(1);
  });
});

describe('sleep', () => {
  it('returns at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    await sleep(60_000, controller.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('ends early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const sleeping = sleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
