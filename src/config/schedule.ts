import { UsageError } from '../errors.js';

/** Glue runs schedules in UTC: 06:00 on the first day of each quarter. */
export const QUARTERLY_CRON = 'cron(0 6 1 1,4,7,10 ? *)';

const ALIASES: Readonly<Record<string, string>> = {
  quarterly: QUARTERLY_CRON,
  monthly: 'cron(0 6 1 * ? *)',
  weekly: 'cron(0 6 ? * MON *)',
  daily: 'cron(0 6 * * ? *)',
};

// One field of a Glue (EventBridge-style) cron expression: values, ranges, lists, steps and the
// wildcards each position allows. Checked per field so the error can name the bad one.
const FIELDS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'minutes', pattern: /^(\*|[0-5]?\d)([-/,][0-5]?\d)*$/ },
  { name: 'hours', pattern: /^(\*|[01]?\d|2[0-3])([-/,]([01]?\d|2[0-3]))*$/ },
  { name: 'day-of-month', pattern: /^(\*|\?|L|W|(0?[1-9]|[12]\d|3[01])W?)([-/,](0?[1-9]|[12]\d|3[01]))*$/ },
  {
    name: 'month',
    pattern: /^(\*|0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)([-/,](0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))*$/i,
  },
  {
    name: 'day-of-week',
    pattern: /^(\*|\?|L|[1-7](L|#[1-5])?|SUN|MON|TUE|WED|THU|FRI|SAT)([-/,]([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT))*$/i,
  },
  { name: 'year', pattern: /^(\*|\d{4})([-/,]\d{1,4})*$/ },
];

/**
 * Turns `quarterly` (and the other aliases) or a Glue cron expression into the expression Glue
 * accepts, or throws a UsageError naming what is wrong.
 */
export function parseSchedule(input: string): string {
  const trimmed = input.trim();
  const alias = ALIASES[trimmed.toLowerCase()];
  if (alias) return alias;

  const valid = `valid: ${Object.keys(ALIASES).join(', ')}, or cron(Minutes Hours Day-of-month Month Day-of-week Year) in UTC, e.g. ${QUARTERLY_CRON}`;
  const match = /^cron\((.*)\)$/.exec(trimmed);
  if (!match) throw new UsageError(`invalid --schedule "${input}": ${valid}`);

  const fields = (match[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new UsageError(`invalid --schedule "${input}": a Glue cron has 6 fields, got ${fields.length}; ${valid}`);
  }
  fields.forEach((field, index) => {
    const spec = FIELDS[index]!;
    if (!spec.pattern.test(field)) {
      throw new UsageError(`invalid --schedule "${input}": bad ${spec.name} field "${field}"; ${valid}`);
    }
  });
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new UsageError(
      `invalid --schedule "${input}": exactly one of day-of-month and day-of-week must be "?"; ${valid}`,
    );
  }
  return `cron(${fields.join(' ')})`;
}
