import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { QUARTERLY_CRON, parseSchedule } from '../../../src/config/schedule.js';

function usageErrorOf(input: string): UsageError {
  try {
    parseSchedule(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`parseSchedule accepted ${input}`);
}

describe('parseSchedule', () => {
  it('runs quarterly at 06:00 UTC on the first day of January, April, July and October', () => {
    expect(QUARTERLY_CRON).toBe('cron(0 6 1 1,4,7,10 ? *)');
    expect(parseSchedule('quarterly')).toBe(QUARTERLY_CRON);
  });

  it.each([
    ['quarterly', 'cron(0 6 1 1,4,7,10 ? *)'],
    ['monthly', 'cron(0 6 1 * ? *)'],
    ['weekly', 'cron(0 6 ? * MON *)'],
    ['daily', 'cron(0 6 * * ? *)'],
    ['  Quarterly ', 'cron(0 6 1 1,4,7,10 ? *)'],
    ['DAILY', 'cron(0 6 * * ? *)'],
  ])('turns the alias %j into %s', (alias, cron) => {
    expect(parseSchedule(alias)).toBe(cron);
  });

  it.each([
    ['cron(0 6 1 1,4,7,10 ? *)', 'cron(0 6 1 1,4,7,10 ? *)'],
    ['cron(  15  3  ?  *  MON-FRI  *  )', 'cron(15 3 ? * MON-FRI *)'],
    ['cron(0/15 * ? * * *)', 'cron(0/15 * ? * * *)'],
    ['cron(0 6 L * ? *)', 'cron(0 6 L * ? *)'],
    ['cron(0 6 15W * ? 2026)', 'cron(0 6 15W * ? 2026)'],
    ['cron(0 6 ? * 2#1 *)', 'cron(0 6 ? * 2#1 *)'],
    ['cron(30 23 31 DEC ? 2030-2035)', 'cron(30 23 31 DEC ? 2030-2035)'],
    ['cron(0 0 1-7 JAN-MAR ? *)', 'cron(0 0 1-7 JAN-MAR ? *)'],
  ])('accepts %s', (input, normalized) => {
    expect(parseSchedule(input)).toBe(normalized);
  });

  it.each(['cron(0 6 1 * ?)', 'cron(0 6 1 * ? * *)', 'cron()', 'cron(0)'])('rejects %s: a Glue cron has 6 fields', (input) => {
    const error = usageErrorOf(input);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(input);
    expect(error.message).toMatch(/6 fields, got \d/);
  });

  it.each(['cron(0 6 1 * MON *)', 'cron(0 6 ? * ? *)'])('rejects %s: exactly one day field must be "?"', (input) => {
    const error = usageErrorOf(input);
    expect(error.message).toContain(input);
    expect(error.message).toMatch(/exactly one of day-of-month and day-of-week/);
  });

  it.each([
    ['cron(60 6 1 * ? *)', 'minutes', '60'],
    ['cron(0 24 1 * ? *)', 'hours', '24'],
    ['cron(0 6 32 * ? *)', 'day-of-month', '32'],
    ['cron(0 6 0 * ? *)', 'day-of-month', '0'],
    ['cron(0 6 1-40 * ? *)', 'day-of-month', '1-40'],
    ['cron(0 6 1 13 ? *)', 'month', '13'],
    ['cron(0 6 1 JANUARY ? *)', 'month', 'JANUARY'],
    ['cron(0 6 ? * 8 *)', 'day-of-week', '8'],
    ['cron(0 6 ? * FUNDAY *)', 'day-of-week', 'FUNDAY'],
    ['cron(0 6 1 * ? 26)', 'year', '26'],
    ['cron(x 6 1 * ? *)', 'minutes', 'x'],
  ])('rejects %s naming the bad %s field', (input, field, value) => {
    const error = usageErrorOf(input);
    expect(error.message).toContain(`invalid --schedule "${input}"`);
    expect(error.message).toContain(`bad ${field} field "${value}"`);
  });

  it.each(['rate(1 day)', 'every quarter', '0 6 1 1,4,7,10 ? *', 'cron 0 6 1 * ? *', ''])('rejects %j, listing what is valid', (input) => {
    const error = usageErrorOf(input);
    expect(error.message).toContain(`"${input}"`);
    expect(error.message).toMatch(/quarterly, monthly, weekly, daily/);
  });
});
