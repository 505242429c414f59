import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/cli/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('calls beforeLine before each line it writes, and not for levels it does not show', () => {
    const written: string[] = [];
    const order: string[] = [];
    // winston's console transport writes to the console's stderr stream.
    const stderr = (console as unknown as { _stderr: NodeJS.WritableStream })._stderr;
    vi.spyOn(stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      order.push('line');
      return true;
    });
    const logger = createLogger('info', 'pretty', () => order.push('clear'));
    logger.debug('hidden detail');
    logger.info('create role r');
    logger.warn('careful');
    expect(written.join('')).toContain('create role r');
    expect(written.join('')).not.toContain('hidden detail');
    expect(order).toEqual(['clear', 'line', 'clear', 'line']);
  });
});
