/**
 * One field of a Table Schema, compiled into a check of its raw text: its type (and format), then
 * its constraints, the first that fails named as the rule. The types read text as the Glue job
 * does (glue-job/transforms.py), since a row this check lets through must be one the job uses:
 *
 *   integer, number   the contract's `x-numberPattern` (the job's plain decimal number); an
 *                     integer is whole, or too large for a double (the job calls 1e999 an
 *                     absurd delay, not a fraction), a number is finite
 *   datetime          `format`, then each of `x-fallbackFormats`, strptime patterns of %Y %m %d
 *                     %H %M %S, a real calendar time (no 2001-02-30, no 24:00), blanks around
 *   string            any text
 *
 * An empty value is missing (Table Schema's default `missingValues`), which only `required` refuses.
 */

/** What a value breaks: the rule's name and, in words, what would be valid. */
export interface Broken {
  readonly rule: string;
  readonly expected: string;
}

export type FieldCheck = (text: string) => Broken | undefined;

export const FIELD_TYPES = ['string', 'integer', 'number', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The constraints this check knows; a contract with any other is refused rather than half-kept. */
export interface Constraints {
  readonly required?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
}
export const CONSTRAINTS: readonly (keyof Constraints)[] = ['required', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'enum', 'pattern', 'minLength', 'maxLength'];
export const NUMERIC_CONSTRAINTS: readonly (keyof Constraints)[] = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];
export const TEXT_CONSTRAINTS: readonly (keyof Constraints)[] = ['enum', 'pattern', 'minLength', 'maxLength'];

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** strptime patterns of a datetime, tried in order. */
  readonly formats: readonly string[];
  readonly constraints: Constraints;
}

/**
 * The job's pattern is Java's, where \s and \d are ASCII only; JavaScript's \s also takes Unicode
 * blanks (a no-break space), so it is spelt out. \d is ASCII in JavaScript without the u flag.
 */
export function javaPattern(pattern: string): RegExp {
  return new RegExp(pattern.replaceAll('\\s', '[ \\t\\n\\x0B\\f\\r]'));
}

export function compileField(field: FieldSpec, numberPattern: RegExp): FieldCheck {
  const read = reader(field, numberPattern);
  const limits = numericLimits(field.constraints);
  const text = textLimits(field.constraints);
  const required = field.constraints.required === true;
  return (raw) => {
    if (raw === '') return required ? { rule: 'required', expected: 'a value' } : undefined;
    const value = read(raw);
    if (typeof value === 'object') return value;
    for (const limit of limits) if (!limit.holds(value)) return limit.broken;
    for (const limit of text) if (!limit.holds(raw)) return limit.broken;
    return undefined;
  };
}

/** The value a type reads (a number, or the text), or what the text breaks. */
type Reader = (raw: string) => number | string | Broken;

function reader(field: FieldSpec, numberPattern: RegExp): Reader {
  switch (field.type) {
    case 'string':
      return (raw) => raw;
    case 'integer': {
      const broken = { rule: 'type', expected: 'an integer: a plain decimal number that is whole' };
      return (raw) => {
        if (!numberPattern.test(raw)) return broken;
        const value = Number(raw);
        return Number.isFinite(value) && !Number.isInteger(value) ? broken : value;
      };
    }
    case 'number': {
      const broken = { rule: 'type', expected: "a number: a plain decimal number within a double's range" };
      return (raw) => {
        const value = numberPattern.test(raw) ? Number(raw) : NaN;
        return Number.isFinite(value) ? value : broken;
      };
    }
    case 'datetime': {
      const parsers = field.formats.map((format) => timeFormat(format).text);
      const broken = { rule: 'format', expected: `a real date and time as ${field.formats.map((f) => JSON.stringify(f)).join(' or ')}` };
      return (raw) => {
        // The job trims blanks (Spark's trim: spaces) before it parses.
        const trimmed = raw.startsWith(' ') || raw.endsWith(' ') ? raw.replace(/^ +| +$/g, '') : raw;
        return parsers.some((parse) => parse(trimmed)) ? raw : broken;
      };
    }
  }
}

interface Limit<T> {
  holds(value: T): boolean;
  readonly broken: Broken;
}

function numericLimits(c: Constraints): Limit<number | string>[] {
  const limits: Limit<number | string>[] = [];
  const add = (rule: keyof Constraints, bound: number | undefined, words: string, holds: (v: number, b: number) => boolean) => {
    if (bound !== undefined) limits.push({ holds: (v) => typeof v !== 'number' || holds(v, bound), broken: { rule, expected: `${words} ${bound}` } });
  };
  add('minimum', c.minimum, 'at least', (v, b) => v >= b);
  add('maximum', c.maximum, 'at most', (v, b) => v <= b);
  add('exclusiveMinimum', c.exclusiveMinimum, 'more than', (v, b) => v > b);
  add('exclusiveMaximum', c.exclusiveMaximum, 'less than', (v, b) => v < b);
  return limits;
}

function textLimits(c: Constraints): Limit<string>[] {
  const limits: Limit<string>[] = [];
  if (c.enum) {
    const allowed = new Set(c.enum);
    limits.push({ holds: (v) => allowed.has(v), broken: { rule: 'enum', expected: `one of ${c.enum.map((v) => JSON.stringify(v)).join(', ')}` } });
  }
  if (c.pattern !== undefined) {
    // Table Schema's patterns are XML Schema's: they match the whole value.
    const whole = new RegExp(`^(?:${c.pattern})$`);
    limits.push({ holds: (v) => whole.test(v), broken: { rule: 'pattern', expected: `text matching ${c.pattern}` } });
  }
  const { minLength, maxLength } = c;
  if (minLength !== undefined) limits.push({ holds: (v) => v.length >= minLength, broken: { rule: 'minLength', expected: `at least ${minLength} characters` } });
  if (maxLength !== undefined) limits.push({ holds: (v) => v.length <= maxLength, broken: { rule: 'maxLength', expected: `at most ${maxLength} characters` } });
  return limits;
}

/** The strptime directives a datetime format may use, as the fixed-width digits Spark's patterns read. */
const DIRECTIVES: Readonly<Record<string, { digits: number; part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' }>> = {
  '%Y': { digits: 4, part: 'year' },
  '%m': { digits: 2, part: 'month' },
  '%d': { digits: 2, part: 'day' },
  '%H': { digits: 2, part: 'hour' },
  '%M': { digits: 2, part: 'minute' },
  '%S': { digits: 2, part: 'second' },
};

/** The directives of a format, or the first one this check cannot read. */
export function unknownDirective(format: string): string | undefined {
  return format.match(/%./g)?.find((d) => !(d in DIRECTIVES));
}

/** A datetime format's parse: whether a text, or the UTF-8 bytes of one, is a real time in it. */
export interface TimeFormat {
  text(text: string): boolean;
  /** The answer `text` gives for the text these UTF-8 bytes are. */
  bytes(bytes: Uint8Array, start: number, end: number): boolean;
}

/**
 * A parse of `format` that says whether the text is a real time in it, without a regular
 * expression or a string made: it runs for every row, and a match array of seven strings a row was
 * once the costliest step of the check. Every directive reads a fixed number of digits, so a
 * format fixes the text's length and where each character and each part lies: the parse compares
 * the length, then the characters at their places, then reads the parts. It reads UTF-8 bytes (a
 * format's own characters as their UTF-8 bytes too), and a text as its bytes.
 */
export function timeFormat(format: string): TimeFormat {
  const PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
  const literalAt: number[] = [];
  const literalByte: number[] = [];
  const partAt: number[] = [];
  const partDigits: number[] = [];
  const part: number[] = [];
  let width = 0;
  for (const token of format.split(/(%.)/)) {
    const directive = DIRECTIVES[token];
    if (directive) {
      partAt.push(width);
      partDigits.push(directive.digits);
      part.push(PARTS.indexOf(directive.part));
      width += directive.digits;
    } else {
      for (const byte of Buffer.from(token, 'utf8')) {
        literalAt.push(width);
        literalByte.push(byte);
        width += 1;
      }
    }
  }
  const value = new Int32Array(6);
  const bytes = (text: Uint8Array, start: number, end: number): boolean => {
    if (end - start !== width) return false;
    for (let i = 0; i < literalAt.length; i += 1) if (text[start + literalAt[i]!] !== literalByte[i]) return false;
    // The parts a format leaves out: 1970-01-01 00:00:00.
    value[0] = 1970;
    value[1] = 1;
    value[2] = 1;
    value[3] = 0;
    value[4] = 0;
    value[5] = 0;
    for (let p = 0; p < partAt.length; p += 1) {
      let n = 0;
      for (let at = start + partAt[p]!, stop = at + partDigits[p]!; at < stop; at += 1) {
        const digit = text[at]! - 48;
        if (digit < 0 || digit > 9) return false;
        n = n * 10 + digit;
      }
      value[part[p]!] = n;
    }
    return realTime(value);
  };
  return {
    // One walk for both, so they cannot disagree; a text comes here only when its bytes did not pass.
    text: (text) => {
      const encoded = Buffer.from(text, 'utf8');
      return bytes(encoded, 0, encoded.length);
    },
    bytes,
  };
}

/** Year, month, day, hour, minute and second: a time that exists. */
function realTime(value: Int32Array): boolean {
  const year = value[0]!;
  const month = value[1]!;
  const day = value[2]!;
  // Year 0 has no year of era, which Spark's yyyy reads.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return value[3]! <= 23 && value[4]! <= 59 && value[5]! <= 59;
}

/** Proleptic Gregorian, as java.time is (Date.UTC would take years below 100 as 19xx). */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
