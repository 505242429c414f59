import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse';
import { CsvRecords, CsvSyntaxError } from '../../../src/contract/csv-records.js';
import { random } from '../support/random.js';

/** What a parse gave: the records, and the error it ended with (csv-parse's fields of it). */
interface Parsed {
  readonly records: string[][];
  readonly error?: { readonly code: string; readonly message: string; readonly lines: number };
}

/** csv-parse with the options the check gave it before CsvRecords, fed the same chunks. */
function csvParse(chunks: readonly Buffer[]): Promise<Parsed> {
  return new Promise((resolve) => {
    const records: string[][] = [];
    const parser = parse({ relax_column_count: true, relax_quotes: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] });
    parser.on('data', (record: string[]) => records.push(record));
    parser.on('error', (error: Error & { code: string; lines: number }) => resolve({ records, error: { code: error.code, message: error.message, lines: error.lines } }));
    parser.on('end', () => resolve({ records }));
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
}

function csvRecords(chunks: readonly Buffer[]): Parsed {
  const records: string[][] = [];
  const splitter = new CsvRecords({
    plain: (bytes, starts, ends, count) => records.push(Array.from({ length: count }, (_, i) => bytes.toString('utf8', starts[i], ends[i]))),
    decoded: (values) => records.push([...values]),
  });
  try {
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { records, error: { code: error.code, message: error.message, lines: error.lines } };
  }
  return { records };
}

/** The bytes cut at random places, some chunks empty, some a byte long. */
function cut(bytes: Buffer, next: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = next() < 0.3 ? Math.floor(next() * 3) : Math.floor(next() * 12);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

// Every byte that means something to csv-parse, and some that should mean nothing: a two-byte
// letter, a NUL (falsy after a closing quote), a byte that is no UTF-8.
const PIECES = ['a', 'b', ' ', ',', ',', '"', '"', '""', '\n', '\r', '\r\n', 'é', '\0', '\xff'];

function randomInput(next: () => number): Buffer {
  const parts: Buffer[] = [];
  if (next() < 0.1) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const length = Math.floor(next() * 30);
  for (let i = 0; i < length; i += 1) {
    const piece = PIECES[Math.floor(next() * PIECES.length)]!;
    parts.push(piece === '\xff' ? Buffer.from([0xff]) : Buffer.from(piece, 'utf8'));
  }
  return Buffer.concat(parts);
}

describe('CsvRecords', () => {
  it('splits plain lines as csv-parse does: every line ending, blank lines, no record for a last empty line', async () => {
    const input = Buffer.from('a,b\r\nc\n\nd,,e\rf,g\n');
    const parsed = csvRecords([input]);
    expect(parsed.records).toEqual([['a', 'b'], ['c'], [''], ['d', '', 'e'], ['f', 'g']]);
    expect(parsed).toEqual(await csvParse([input]));
  });

  it('reads quotes as csv-parse relaxed does: doubled, around commas and line ends, and as text inside a value', async () => {
    const input = Buffer.from('"a,b","c""d"\n"e\nf",g"h\n"i"j,"k"\r\n""\n');
    const parsed = csvRecords([input]);
    expect(parsed.records).toEqual([['a,b', 'c"d'], ['e\nf', 'g"h'], ['"i"j', 'k'], ['']]);
    expect(parsed).toEqual(await csvParse([input]));
  });

  it('skips a UTF-8 byte order mark, and ends on a quote never closed with csv-parse’s error and line', async () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x,y\n1,2\n"3\n4\r\n5')]);
    const parsed = csvRecords([input]);
    expect(parsed.records).toEqual([['x', 'y'], ['1', '2']]);
    expect(parsed.error).toEqual({ code: 'CSV_QUOTE_NOT_CLOSED', message: 'Quote Not Closed: the parsing is finished with an opening quote at line 6', lines: 6 });
    expect(parsed).toEqual(await csvParse([input]));
  });

  it('a property: the records and error of csv-parse, however the input is cut', async () => {
    for (let seed = 1; seed <= 1_500; seed += 1) {
      const next = random(seed);
      const input = randomInput(next);
      const expected = await csvParse([input]);
      expect(csvRecords([input]), `seed ${seed}: ${JSON.stringify(input.toString('latin1'))}`).toEqual(expected);
      expect(csvRecords(cut(input, next)), `seed ${seed}, cut: ${JSON.stringify(input.toString('latin1'))}`).toEqual(expected);
    }
  }, 60_000);

  it('gives a quoted value many chunks long whole', () => {
    let seen = 0;
    const splitter = new CsvRecords({ plain: () => undefined, decoded: (values) => (seen = values[0]!.length) });
    const chunk = Buffer.alloc(1 << 16, 'x');
    splitter.push(Buffer.from('"'));
    for (let i = 0; i < 256; i += 1) splitter.push(chunk);
    splitter.push(Buffer.from('"\n'));
    splitter.end();
    expect(seen).toBe(256 << 16);
  });
});
