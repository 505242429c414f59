import { UsageError } from '../core/errors.js';

/** Glue runs schedules in UTC: 06:00 on the first day of each quarter. */
export const QUARTERLY_CRON = 'cron(0 6 1 1,4,7,10 ? *)';

const ALIASES: Readonly<Record<string, string>> = {
  quarterly: QUARTERLY_CRON,
  monthly: 'cron(0 6 1 * ? *)',
  weekly: 'cron(0 6 ? * MON *)',
  daily: 'cron(0 6 * * ? *)',
};

/*
 * What Glue accepts, from "Time-based schedules for jobs and crawlers" in the AWS Glue developer
 * guide (https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html):
 * six fields, minutes 0-59, hours 0-23, day-of-month 1-31 (with ? L W), month 1-12 or JAN-DEC,
 * day-of-week 1-7 or SUN-SAT (with ? L #), year 1970-2199; one of the day fields must be "?";
 * "the minimum precision for a schedule is 5 minutes" and "cron expressions that lead to rates
 * faster than 5 minutes are not supported". Glue's syntax is Quartz's: a range may wrap around
 * (22-2 in hours, FRI-MON in days of the week), except in the year field.
 */
const MIN_MINUTES_APART = 5;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for min, min + 1, ... (JAN-DEC, SUN-SAT). */
  readonly names?: readonly string[];
  /** A range running backwards is an error here rather than a wrap-around. */
  readonly noWrap?: boolean;
}

const MINUTES: FieldSpec = { name: 'minutes', min: 0, max: 59 };
const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const YEAR: FieldSpec = { name: 'year', min: 1970, max: 2199, noWrap: true };

/** A field's problem; parseSchedule adds the field and the expression. */
class FieldError extends Error {}

/** A day of the calendar, in UTC. */
interface Day {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 1 (Sunday) to 7 (Saturday), as cron counts. */
  readonly weekday: number;
  readonly daysInMonth: number;
}

type DayRule = (day: Day) => boolean;

/**
 * Turns `quarterly` (and the other aliases) or a Glue cron expression into the expression Glue
 * accepts, or throws a UsageError naming what is wrong: a field Glue would reject, runs less than
 * 5 minutes apart, a date that does not exist, or no run left after `now`.
 */
export function parseSchedule(input: string, now: Date = new Date()): string {
  const trimmed = input.trim();
  const alias = ALIASES[trimmed.toLowerCase()];
  if (alias) return alias;

  const valid = `valid: ${Object.keys(ALIASES).join(', ')}, or cron(Minutes Hours Day-of-month Month Day-of-week Year) in UTC, e.g. ${QUARTERLY_CRON}`;
  const fail: (problem: string) => never = (problem) => {
    throw new UsageError(`invalid --schedule "${input}": ${problem}; ${valid}`);
  };
  const match = /^cron\((.*)\)$/.exec(trimmed);
  if (!match) fail('not one of the names or a cron(...) expression');

  const fields = (match?.[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) fail(`a Glue cron has 6 fields, got ${fields.length}`);
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields as [string, string, string, string, string, string];

  const field = <T>(spec: FieldSpec, text: string, parse: (text: string) => T): T => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof FieldError) return fail(`bad ${spec.name} field "${text}" (${error.message})`);
      throw error;
    }
  };
  const minutes = field(MINUTES, minuteField, (text) => values(text, MINUTES));
  const hours = field(HOURS, hourField, (text) => values(text, HOURS));
  const dayOfMonth = field(DAY_OF_MONTH, domField, dayOfMonthRule);
  const months = field(MONTH, monthField, (text) => values(text, MONTH));
  const dayOfWeek = field(DAY_OF_WEEK, dowField, dayOfWeekRule);
  const years = field(YEAR, yearField, (text) => values(text, YEAR));
  if ((domField === '?') === (dowField === '?')) fail('exactly one of day-of-month and day-of-week must be "?"');

  const runsOn: DayRule = (day) => months.has(day.month) && (dayOfMonth ?? dayOfWeek ?? (() => true))(day);
  const dayFields = domField === '?' ? `day-of-week field "${dowField}"` : `day-of-month field "${domField}"`;
  // 28 years hold every combination of weekday, month length and leap year that 1901-2099 has.
  if (!someDay(Date.UTC(2000, 0, 1), Date.UTC(2028, 0, 1), runsOn)) {
    fail(`the ${dayFields} never falls in the month field "${monthField}", so it would never run`);
  }

  const times = [...hours].flatMap((hour) => [...minutes].map((minute) => hour * 60 + minute)).sort((a, b) => a - b);
  const gaps = times.slice(1).map((time, index) => time - times[index]!);
  const shortest = Math.min(...gaps);
  if (shortest < MIN_MINUTES_APART) {
    fail(`the minutes field "${minuteField}" with hours "${hourField}" runs every ${plural(shortest, 'minute')}; Glue runs a schedule at most every ${MIN_MINUTES_APART} minutes`);
  }

  // From now on, within the years given: today counts if a run is still to come today.
  const nowMinute = now.getUTCHours() * 60 + now.getUTCMinutes();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const end = Date.UTC(Math.max(...years) + 1, 0, 1);
  const runsDay = (day: Day): boolean => years.has(day.year) && runsOn(day);
  const runsFromNow = (day: Day, ms: number): boolean => runsOn(day) && (ms !== today || times.some((time) => time > nowMinute));
  let first: number | undefined;
  for (const year of [...years].sort((a, b) => a - b)) {
    first ??= firstDay(Math.max(today, Date.UTC(year, 0, 1)), Date.UTC(year + 1, 0, 1), runsFromNow);
  }
  if (first === undefined) {
    fail(`the year field "${yearField}" leaves no run after now (${now.toISOString().slice(0, 10)} UTC)`);
  }

  // The last run of a day and the first of the next, on two days in a row.
  const acrossMidnight = 24 * 60 - times[times.length - 1]! + times[0]!;
  if (acrossMidnight < MIN_MINUTES_APART && someDay(first ?? end, end, (day, ms) => runsDay(day) && runsDay(dayAt(ms + DAY_MS)))) {
    fail(`the minutes field "${minuteField}" with hours "${hourField}" runs every ${plural(acrossMidnight, 'minute')} around midnight; Glue runs a schedule at most every ${MIN_MINUTES_APART} minutes`);
  }
  return `cron(${fields.join(' ')})`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function dayAt(ms: number): Day {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  return {
    year,
    month,
    day: date.getUTCDate(),
    weekday: date.getUTCDay() + 1,
    daysInMonth: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

/** The first day (its time in ms) in [from, to) that passes `test`. */
function firstDay(from: number, to: number, test: (day: Day, ms: number) => boolean): number | undefined {
  for (let ms = from; ms < to; ms += DAY_MS) {
    if (test(dayAt(ms), ms)) return ms;
  }
  return undefined;
}

function someDay(from: number, to: number, test: (day: Day, ms: number) => boolean): boolean {
  return firstDay(from, to, test) !== undefined;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** A list of values, ranges and steps (`*`, `5`, `1-5`, `0/15`, `*\/10`, `MON-FRI`, `1,15`). */
function values(text: string, spec: FieldSpec): Set<number> {
  const result = new Set<number>();
  for (const item of text.split(',')) {
    const parts = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item);
    if (!parts) throw new FieldError(`"${item}" is not a value, range or step`);
    const [, startText, endText, stepText] = parts;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step === 0) throw new FieldError('a step of 0 never advances');
    const wildcard = startText === '*';
    if (wildcard && endText !== undefined) throw new FieldError(`"${item}" is not a value, range or step`);
    const start = wildcard ? spec.min : value(startText!, spec);
    let end = endText !== undefined ? value(endText, spec) : wildcard || stepText !== undefined ? spec.max : start;
    if (end < start) {
      if (spec.noWrap) throw new FieldError(`the range ${startText}-${endText} runs backwards`);
      end += spec.max - spec.min + 1;
    }
    for (let v = start; v <= end; v += step) {
      result.add(v > spec.max ? v - (spec.max - spec.min + 1) : v);
    }
  }
  return result;
}

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  if (!/^\d+$/.test(text)) throw new FieldError(`"${text}" is not ${spec.names ? 'a number or name' : 'a number'}`);
  const number = Number(text);
  if (number < spec.min || number > spec.max) throw new FieldError(`${number} is outside ${spec.min}-${spec.max}`);
  return number;
}

/** Undefined for "?": the other day field decides. */
function dayOfMonthRule(text: string): DayRule | undefined {
  if (text === '?') return undefined;
  if (text === 'L') return (day) => day.day === day.daysInMonth;
  if (text === 'LW') return (day) => day.day === nearestWeekday(day, day.daysInMonth);
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) {
    const target = value(weekday[1]!, DAY_OF_MONTH);
    return (day) => target <= day.daysInMonth && day.day === nearestWeekday(day, target);
  }
  const days = values(text, DAY_OF_MONTH);
  return (day) => days.has(day.day);
}

/** Undefined for "?": the other day field decides. */
function dayOfWeekRule(text: string): DayRule | undefined {
  if (text === '?') return undefined;
  // "L" alone is the last day of the week, Saturday.
  if (text === 'L') return (day) => day.weekday === 7;
  const last = /^([A-Za-z0-9]+)L$/.exec(text);
  if (last) {
    const weekday = value(last[1]!, DAY_OF_WEEK);
    return (day) => day.weekday === weekday && day.day + 7 > day.daysInMonth;
  }
  const nth = /^([A-Za-z0-9]+)#(\d+)$/.exec(text);
  if (nth) {
    const weekday = value(nth[1]!, DAY_OF_WEEK);
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new FieldError(`#${n}: a month has a 1st to 5th of each weekday`);
    return (day) => day.weekday === weekday && Math.ceil(day.day / 7) === n;
  }
  const weekdays = values(text, DAY_OF_WEEK);
  return (day) => weekdays.has(day.weekday);
}

/** The weekday nearest to day `target` of `day`'s month, without leaving the month (the W rule). */
function nearestWeekday(day: Day, target: number): number {
  const weekday = ((day.weekday - 1 + target - day.day) % 7 + 7) % 7 + 1;
  if (weekday === 7) return target === 1 ? target + 2 : target - 1;
  if (weekday === 1) return target === day.daysInMonth ? target - 2 : target + 1;
  return target;
}
