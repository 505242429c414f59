import { describe, expect, it } from 'vitest';
import { badRowLimit, formatBadRowLimit } from '../../../src/config/contract-values.js';
import { UsageError } from '../../../src/core/errors.js';

describe('--max-bad-rows', () => {
  it.each([
    ['0.1%', { percent: 0.1 }],
    [' 5 % ', { percent: 5 }],
    ['100%', { percent: 100 }],
    ['.5%', { percent: 0.5 }],
    ['0', { rows: 0 }],
    ['25', { rows: 25 }],
    [25, { rows: 25 }],
  ])('takes %j as %j', (value, limit) => {
    expect(badRowLimit(value)).toEqual(limit);
  });

  it.each(['', 'abc', '-1', '2.5', '101%', '1e3', '%', '5%%'])('refuses %j in one line naming it and what is valid', (value) => {
    expect(() => badRowLimit(value)).toThrow(
      new UsageError(`invalid --max-bad-rows ${JSON.stringify(value)}: valid: a whole number of rows per file (0, 25) or a share of each file's rows from 0% to 100% (0.1%)`),
    );
  });

  it('is shown as it is written', () => {
    expect(formatBadRowLimit({ percent: 0.1 })).toBe('0.1%');
    expect(formatBadRowLimit({ rows: 0 })).toBe('0');
  });
});
