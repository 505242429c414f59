import { TEXT_CONSTRAINTS, timeFormat, type FieldCheck, type FieldSpec } from './fields.js';

/**
 * A field's check on the UTF-8 bytes of its value, read where they lie in the file's buffer: true
 * exactly when the field's FieldCheck passes the decoded text. Nearly every value passes, and the
 * common ones are judged here without a string made (a string per value was most of the time the
 * check spent once the parse was fast); any other is decoded and handed to the FieldCheck.
 */
export type ByteCheck = (bytes: Buffer, start: number, end: number) => boolean;

const MINUS = 0x2d;
const SPACE = 0x20;

export function compileByteField(field: FieldSpec, check: FieldCheck): ByteCheck {
  // Decoded as csv-parse decodes a value (Buffer's UTF-8, which replaces a broken sequence).
  const passes: ByteCheck = (bytes, start, end) => check(bytes.toString('utf8', start, end)) === undefined;
  const empty = check('') === undefined;
  const constrained = Object.keys(field.constraints).some((key) => key !== 'required');
  switch (field.type) {
    case 'string':
      return TEXT_CONSTRAINTS.some((key) => field.constraints[key] !== undefined) ? passes : (_bytes, start, end) => end > start || empty;
    case 'integer':
    case 'number':
      return rememberedNumbers(passes, empty);
    case 'datetime': {
      if (constrained) return passes;
      const formats = field.formats.map((format) => timeFormat(format).bytes);
      return (bytes, start, end) => {
        if (end === start) return empty;
        // Blanks around the time: the FieldCheck trims them as the job does.
        if (bytes[start] === SPACE || bytes[end - 1] === SPACE) return passes(bytes, start, end);
        for (const format of formats) if (format(bytes, start, end)) return true;
        return false;
      };
    }
  }
}

/**
 * A number's verdict, remembered by its text when that is an optional minus and 1 to 5 digits
 * (a flight's delay and distance): a column of a few thousand distinct values is judged a few
 * thousand times, not once a row. The text is the key, not its value (`07` and `7` may differ to
 * the contract's pattern): sign, digit count and digits make an index into a table of verdicts.
 */
function rememberedNumbers(passes: ByteCheck, empty: boolean): ByteCheck {
  const UNKNOWN = 0;
  const PASSES = 1;
  const FAILS = 2;
  const verdicts = new Uint8Array(2 * 6 * 100_000);
  return (bytes, start, end) => {
    if (end === start) return empty;
    const negative = bytes[start] === MINUS ? 1 : 0;
    const digits = end - start - negative;
    if (digits < 1 || digits > 5) return passes(bytes, start, end);
    let value = 0;
    for (let at = start + negative; at < end; at += 1) {
      const digit = bytes[at]! - 48;
      if (digit < 0 || digit > 9) return passes(bytes, start, end);
      value = value * 10 + digit;
    }
    const key = (negative * 6 + digits) * 100_000 + value;
    let verdict = verdicts[key]!;
    if (verdict === UNKNOWN) {
      verdict = passes(bytes, start, end) ? PASSES : FAILS;
      verdicts[key] = verdict;
    }
    return verdict === PASSES;
  };
}
