import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { QUARTERLY_CRON, parseSchedule } from '../../../src/config/schedule.js';

/** A fixed "now" for schedules whose validity depends on the date: Monday 23 November 2026, 12:00 UTC. */
const NOW = new Date('2026-11-23T12:00:00Z');

function usageErrorOf(input: string, now: Date = NOW): UsageError {
  try {
    parseSchedule(input, now);
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
    expect(parseSchedule(input, NOW)).toBe(normalized);
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

describe('parseSchedule: what Glue would reject or never run', () => {
  it.each([
    ['cron(* * * * ? *)', 'every 1 minute'],
    ['cron(0/1 * * * ? *)', 'every 1 minute'],
    ['cron(0-59/4 * * * ? *)', 'every 4 minutes'],
    ['cron(0,2 6 * * ? *)', 'every 2 minutes'],
    ['cron(0,58 * * * ? *)', 'every 2 minutes'],
    ['cron(0-3 6 ? * MON *)', 'every 1 minute'],
  ])('rejects %s: Glue runs a schedule at most every 5 minutes', (input, rate) => {
    const message = usageErrorOf(input).message;
    expect(message).toContain(`invalid --schedule "${input}"`);
    expect(message).toContain('minutes field');
    expect(message).toContain(rate);
    expect(message).toContain('at most every 5 minutes');
  });

  it('rejects runs less than 5 minutes apart across midnight', () => {
    const message = usageErrorOf('cron(0,58 0,23 * * ? *)').message;
    expect(message).toContain('every 2 minutes');
  });

  it.each(['cron(0/5 * * * ? *)', 'cron(0,5,10 6 * * ? *)', 'cron(58 23 * * ? *)', 'cron(0,58 0,23 1 * ? *)', 'cron(0 * * * ? *)'])(
    'accepts %s: runs 5 or more minutes apart',
    (input) => {
      expect(parseSchedule(input, NOW)).toBe(input);
    },
  );

  it.each([
    ['cron(*/0 6 * * ? *)', 'minutes', '*/0'],
    ['cron(0 0/0 * * ? *)', 'hours', '0/0'],
    ['cron(0 6 1/0 * ? *)', 'day-of-month', '1/0'],
    ['cron(0 6 1 */0 ? *)', 'month', '*/0'],
    ['cron(0 6 ? * 1/0 *)', 'day-of-week', '1/0'],
    ['cron(0 6 1 1 ? 2027/0)', 'year', '2027/0'],
  ])('rejects the step 0 in %s, naming the %s field', (input, field, value) => {
    const message = usageErrorOf(input).message;
    expect(message).toContain(`bad ${field} field "${value}"`);
    expect(message).toContain('step');
  });

  it.each([
    ['cron(0 6 31 2 ? *)', '"31"', '"2"'],
    ['cron(0 6 30 FEB ? *)', '"30"', '"FEB"'],
    ['cron(0 6 31 APR ? *)', '"31"', '"APR"'],
    ['cron(0 6 31 4,6,9,11 ? *)', '"31"', '"4,6,9,11"'],
    ['cron(0 6 30-31 2 ? *)', '"30-31"', '"2"'],
  ])('rejects %s: no such date', (input, day, month) => {
    const message = usageErrorOf(input).message;
    expect(message).toContain(`day-of-month field ${day}`);
    expect(message).toContain(`month field ${month}`);
    expect(message).toContain('never');
  });

  it.each(['cron(0 6 29 2 ? *)', 'cron(0 6 31 1-3 ? *)', 'cron(0 6 L 2 ? *)', 'cron(0 6 ? FEB 6#5 *)', 'cron(0 6 ? * 6L *)'])(
    'accepts %s: the date exists in some year',
    (input) => {
      expect(parseSchedule(input, NOW)).toBe(input);
    },
  );

  it.each([
    ['cron(0 6 1 1 ? 2020)', '"2020"'],
    ['cron(0 6 1 1 ? 2024-2025)', '"2024-2025"'],
    ['cron(0 6 1 1 ? 2026)', '"2026"'],
    ['cron(0 6 1 JAN,APR ? 2020,2026)', '"2020,2026"'],
  ])('rejects %s: no run left from now on', (input, year) => {
    const message = usageErrorOf(input).message;
    expect(message).toContain(`year field ${year}`);
    expect(message).toContain('2026-11-23');
  });

  it.each(['cron(0 6 1 12 ? 2026)', 'cron(0 13 23 11 ? 2026)', 'cron(0 6 1 1 ? 2020,2027)', 'cron(0 6 1 1 ? 2020-2030)'])(
    'accepts %s: it still runs from now on',
    (input) => {
      expect(parseSchedule(input, NOW)).toBe(input);
    },
  );

  it.each(['cron(0 6 1 1 ? 2030-2025)', 'cron(0 6 1 1 ? 2099-2027/2)'])('rejects the reversed year range in %s', (input) => {
    const message = usageErrorOf(input).message;
    expect(message).toContain('bad year field');
    expect(message).toContain('backwards');
  });

  it.each([
    ['cron(0 6 1 1 ? 1969)', '1969'],
    ['cron(0 6 1 1 ? 2200)', '2200'],
  ])('rejects %s: Glue takes years 1970 to 2199', (input, year) => {
    expect(usageErrorOf(input).message).toContain(`bad year field "${year}"`);
  });

  it('keeps the wrap-around ranges cron allows in other fields', () => {
    expect(parseSchedule('cron(0 22-2 ? * FRI-MON *)', NOW)).toBe('cron(0 22-2 ? * FRI-MON *)');
  });

  it('says it in one line', () => {
    for (const input of ['cron(* * * * ? *)', 'cron(0 6 31 2 ? *)', 'cron(0 6 1 1 ? 2020)', 'cron(*/0 6 * * ? *)']) {
      expect(usageErrorOf(input).message).not.toContain('\n');
    }
  });
});
