/**
 * The check of one file as it was before src/contract/csv-records.ts: every record through
 * csv-parse's stream, every value checked as text (by the check's own recordProblem, which the
 * fast check falls back to). The tests hold the fast check to it, file by
 * file, over random input: the same rows, bad rows, problems and failures.
 */
import { createReadStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { TableContract } from '../../../src/contract/contract.js';
import { recordProblem, trimmed, type FileScan, type Problem, type ScanOptions } from '../../../src/contract/check-file.js';

/**
 * Streams one file through csv-parse (gunzipped when its name ends in `.gz`, as Hadoop decides a
 * codec by the name) and checks each row against the table: its column count, then each value in
 * column order, then its foreign keys; the first that fails is the row's problem. Memory stays
 * that of the stream's buffers whatever the file's size.
 */
export async function scanWithCsvParse(path: string, table: TableContract, options: ScanOptions): Promise<FileScan> {
  const scan = new RowScan(table, options);
  const source: Readable[] = [createReadStream(path, { highWaterMark: 1 << 20 })];
  if (path.endsWith('.gz')) source.push(createGunzip({ chunkSize: 1 << 18 }));
  // relax_column_count: a row of the wrong width is a bad row to count, not the end of the file.
  // relax_quotes: a quote inside an unquoted value is text, as Spark's reader takes it.
  // Every line ending Hadoop's reader ends a line at.
  const parser = parse({ relax_column_count: true, relax_quotes: true, bom: true, record_delimiter: ['\r\n', '\n', '\r'] });
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(record: string[], _encoding, done) {
      scan.row(record);
      // A wrong header ends the file: no row of it can be checked against the table.
      done(scan.unreadable ? STOP : null);
    },
  });
  try {
    await pipeline([...source, parser, sink], { signal: options.signal });
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

function readFailure(error: unknown, path: string, line: number): Problem {
  const { code, message, lines } = error as { code?: string; message?: string; lines?: number };
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return { line, column: null, value: '', rule: 'gzip', expected: `gzip data, as the name ${path.split('/').pop()} says (${message ?? code})` };
  if (code?.startsWith('CSV_')) return { line: lines ?? line, column: null, value: '', rule: 'csv', expected: `CSV (${message ?? code})` };
  return { line, column: null, value: '', rule: 'read', expected: `a readable file (${code ?? message ?? String(error)})` };
}

class RowScan {
  private header: readonly string[] | undefined;
  private rows = 0;
  private badRows = 0;
  private readonly problems: Problem[] = [];
  unreadable: Problem | undefined;
  /** The line the next record starts on. */
  nextLine = 1;
  private readonly known: readonly (ReadonlySet<string> | undefined)[];
  private readonly collect: readonly (Set<string> | undefined)[];

  constructor(
    private readonly table: TableContract,
    private readonly options: ScanOptions,
  ) {
    this.known = table.columns.map((column) => options.known.get(column));
    this.collect = table.columns.map((column) => options.collect.get(column));
  }

  row(record: string[]): void {
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

function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const value of record) {
    if (value.length > 0 && value.includes('\n')) count += value.split('\n').length - 1;
  }
  return count;
}
