import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatUsd } from '../../../src/core/units.js';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [185, '3m05s'],
    [3720, '1h02m'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatUsd', () => {
  it('shows amounts under ten cents to two significant digits', () => {
    expect(formatUsd(0.014667)).toBe('$0.015');
    expect(formatUsd(0.000123)).toBe('$0.00012');
    expect(formatUsd(4.4)).toBe('$4.40');
    expect(formatUsd(0)).toBe('$0.00');
  });

  it('shows dollars to the cent with thousands apart, as the page and the terminal both do', () => {
    expect(formatUsd(0.44)).toBe('$0.44');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});

describe('formatBytes, short', () => {
  it.each([
    [0, '0 B'],
    [734003200, '700 MiB'],
    [1288490189, '1.2 GiB'],
    [5 * 1024 * 1024, '5 MiB'],
    [10 * 1024 ** 3, '10 GiB'],
  ])('%d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes, 'short')).toBe(text);
  });
});
