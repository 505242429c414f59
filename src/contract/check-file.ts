import { createReadStream } from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { ByteSet } from './byte-set.js';
import type { ByteCheck } from './byte-fields.js';
import type { TableContract } from './contract.js';
import { CsvRecords, type RecordSink } from './csv-records.js';

/** One value, or one row, that breaks the contract: where it is, what it is, and the rule. */
export interface Problem {
  /** 1-based, counting the header and blank lines. */
  readonly line: number;
  /** Null when the row as a whole is wrong (its column count), or the file (its header). */
  readonly column: string | null;
  readonly value: string;
  readonly rule: string;
  readonly expected: string;
}

/** What reading one file found. */
export interface FileScan {
  /** Data rows, blank lines not counted (neither Spark nor the job sees them). */
  readonly rows: number;
  readonly badRows: number;
  /** The first problems, in file order, at most `examples` of them. */
  readonly problems: readonly Problem[];
  /** Set when the file cannot be read as the table at all: a wrong header, broken gzip or CSV. */
  readonly unreadable?: Problem;
}

export interface ScanOptions {
  /** How many problems to keep. */
  readonly examples: number;
  /** Per column of a foreign key: the values it may take (trimmed). */
  readonly known: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per column: a set to collect its values into (trimmed), for another table's foreign key. */
  readonly collect: ReadonlyMap<string, Set<string>>;
  readonly signal?: AbortSignal;
}

/** Bytes read, and unzipped, at a time: fewer, larger chunks cost less per byte. */
const CHUNK = 1 << 20;

/**
 * Streams one file (gunzipped when its name ends in `.gz`, as Hadoop decides a codec by the name)
 * and checks each row against the table: its column count, then each value in column order, then
 * its foreign keys; the first that fails is the row's problem. The rows are split from the bytes
 * by CsvRecords, and a row is first checked on its bytes (byte-fields.ts, byte-set.ts); only a row
 * that fails there, or holds a quote, is decoded and judged by the table's checks, which name the
 * problem. Memory stays that of the stream's buffers whatever the file's size.
 */
export async function scanFile(path: string, table: TableContract, options: ScanOptions): Promise<FileScan> {
  const scan = new RowScan(table, options);
  const consume = (chunks: AsyncIterable<Buffer>) => split(chunks, scan);
  const read = createReadStream(path, { highWaterMark: CHUNK });
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    await (path.endsWith('.gz') ? pipeline(read, createGunzip({ chunkSize: CHUNK }), consume, signal) : pipeline(read, consume, signal));
  } catch (error) {
    if (error !== STOP) {
      if (options.signal?.aborted) throw error;
      scan.fail(readFailure(error, path, scan.nextLine));
    }
  }
  return scan.result();
}

/** Thrown into the pipeline to stop reading a file whose header is wrong. */
const STOP = new Error('stop');

interface Records {
  push(chunk: Buffer): void;
  end(): void | Promise<void>;
}

async function split(chunks: AsyncIterable<Buffer>, scan: RowScan): Promise<void> {
  let records: Records | undefined;
  let head = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (records === undefined) {
      // The first three bytes say whether csv-parse would have read the file as UTF-16.
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      records = recordsOf(head, scan);
      records.push(head);
    } else {
      records.push(chunk);
    }
    // A wrong header ends the file: no row of it can be checked against the table.
    if (scan.unreadable) throw STOP;
  }
  if (records === undefined) {
    records = recordsOf(head, scan);
    if (head.length > 0) records.push(head);
  }
  await records.end();
}

function recordsOf(head: Buffer, scan: RowScan): Records {
  return head[0] === 0xff && head[1] === 0xfe ? utf16Records(scan) : new CsvRecords(scan);
}

/**
 * csv-parse itself, for a file that opens with a UTF-16 (little-endian) byte order mark, which it
 * reads as UTF-16 where CsvRecords reads only UTF-8: the check says of such a file what it said
 * before CsvRecords.
 */
function utf16Records(scan: RowScan): Records {
  let failure: unknown;
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    on_record: (record: string[]) => {
      scan.row(record);
      return null;
    },
  });
  parser.on('error', (error) => (failure ??= error));
  // Nothing is pushed (on_record keeps every record), but the stream must flow to its end.
  parser.resume();
  return {
    push(chunk) {
      parser.write(chunk);
      if (failure) throw failure;
    },
    async end() {
      parser.end();
      await finished(parser).catch(() => undefined);
      if (failure) throw failure;
    },
  };
}

function readFailure(error: unknown, path: string, line: number): Problem {
  const { code, message, lines } = error as { code?: string; message?: string; lines?: number };
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return { line, column: null, value: '', rule: 'gzip', expected: `gzip data, as the name ${path.split('/').pop()} says (${message ?? code})` };
  if (code?.startsWith('CSV_')) return { line: lines ?? line, column: null, value: '', rule: 'csv', expected: `CSV (${message ?? code})` };
  return { line, column: null, value: '', rule: 'read', expected: `a readable file (${code ?? message ?? String(error)})` };
}

class RowScan implements RecordSink {
  private header: readonly string[] | undefined;
  private rows = 0;
  private badRows = 0;
  private readonly problems: Problem[] = [];
  unreadable: Problem | undefined;
  /** The line the next record starts on. */
  nextLine = 1;
  private readonly known: readonly (ReadonlySet<string> | undefined)[];
  private readonly collect: readonly (Set<string> | undefined)[];
  /** Rows of a table whose values another's foreign key needs are read as text, every one. */
  private readonly collecting: boolean;
  private readonly byteChecks: readonly ByteCheck[];
  private readonly knownBytes: readonly (ByteSet | undefined)[];

  constructor(
    private readonly table: TableContract,
    private readonly options: ScanOptions,
  ) {
    this.known = table.columns.map((column) => options.known.get(column));
    this.collect = table.columns.map((column) => options.collect.get(column));
    this.collecting = this.collect.some((set) => set !== undefined);
    this.byteChecks = table.byteChecks;
    this.knownBytes = this.known.map((set) => (set ? new ByteSet(set) : undefined));
  }

  plain(bytes: Buffer, starts: Int32Array, ends: Int32Array, count: number): void {
    const width = this.byteChecks.length;
    if (this.header === undefined || this.collecting || count !== width || (count === 1 && starts[0] === ends[0])) {
      this.row(decode(bytes, starts, ends, count));
      return;
    }
    if (this.unreadable) return;
    const line = this.nextLine;
    this.nextLine += 1;
    this.rows += 1;
    for (let i = 0; i < width; i += 1) {
      const start = starts[i]!;
      const end = ends[i]!;
      const known = this.knownBytes[i];
      if (!this.byteChecks[i]!(bytes, start, end) || (known !== undefined && !known.has(bytes, start, end))) {
        this.judge(decode(bytes, starts, ends, count), line);
        return;
      }
    }
  }

  decoded(values: string[]): void {
    this.row(values);
  }

  row(record: string[]): void {
    if (this.unreadable) return;
    const line = this.nextLine;
    this.nextLine += 1 + newlinesIn(record);
    if (this.header === undefined) {
      this.header = record;
      if (record.length !== this.table.columns.length || record.some((name, i) => name !== this.table.columns[i])) {
        this.fail({ line, column: null, value: record.join(','), rule: 'header', expected: `the header ${this.table.columns.join(',')} of table ${this.table.name}` });
      }
      return;
    }
    // A blank line: the CSV reader skips it.
    if (record.length === 1 && record[0] === '') return;
    this.rows += 1;
    // Before the row is judged: the job keeps an airport whatever else is wrong with its row.
    for (let i = 0; i < this.collect.length; i += 1) {
      const value = trimmed(record[i] ?? '');
      if (value !== '') this.collect[i]?.add(value);
    }
    this.judge(record, line);
  }

  /** Counts the row as bad if it breaks the contract, and keeps its problem among the first. */
  private judge(record: string[], line: number): void {
    const problem = recordProblem(this.table, this.known, record, line);
    if (problem) {
      this.badRows += 1;
      if (this.problems.length < this.options.examples) this.problems.push(problem);
    }
  }

  fail(problem: Problem): void {
    this.unreadable ??= problem;
  }

  result(): FileScan {
    return { rows: this.rows, badRows: this.badRows, problems: this.problems, ...(this.unreadable ? { unreadable: this.unreadable } : {}) };
  }
}

function decode(bytes: Buffer, starts: Int32Array, ends: Int32Array, count: number): string[] {
  const values = new Array<string>(count);
  for (let i = 0; i < count; i += 1) values[i] = bytes.toString('utf8', starts[i], ends[i]);
  return values;
}

/**
 * The first rule a decoded record breaks, if any: its column count, then each value in column
 * order, then its foreign keys (`known`: per column, the values it may take, trimmed).
 */
export function recordProblem(
  table: TableContract,
  known: readonly (ReadonlySet<string> | undefined)[],
  record: string[],
  line: number,
): Problem | undefined {
  const { columns, checks } = table;
  if (record.length !== columns.length) {
    return { line, column: null, value: record.join(','), rule: 'columns', expected: `${columns.length} values, as the header has; found ${record.length}` };
  }
  for (let i = 0; i < checks.length; i += 1) {
    const broken = checks[i]!(record[i]!);
    if (broken) return { line, column: columns[i]!, value: record[i]!, ...broken };
  }
  for (let i = 0; i < columns.length; i += 1) {
    const values = known[i];
    if (values && !values.has(trimmed(record[i]!))) {
      const key = table.foreignKeys.find((k) => k.column === columns[i])!;
      return { line, column: columns[i]!, value: record[i]!, rule: 'foreignKey', expected: `a value of ${key.table}.${key.referenced} (in this data directory)` };
    }
  }
  return undefined;
}

/** As the job compares codes: Spark's trim, of spaces only. */
export function trimmed(value: string): string {
  // Nearly every value has no blank at either end: spared the regular expression.
  return value.startsWith(' ') || value.endsWith(' ') ? value.replace(/^ +| +$/g, '') : value;
}

function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const value of record) {
    if (value.length > 0 && value.includes('\n')) count += value.split('\n').length - 1;
  }
  return count;
}
