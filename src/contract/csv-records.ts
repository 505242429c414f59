/**
 * Splits CSV bytes into records exactly as csv-parse did for the check (a comma between values,
 * `\r\n`, `\n` or `\r` ending a record, double quotes that a doubled quote escapes, a UTF-8 byte
 * order mark skipped, and relaxed quotes: one inside an unquoted value, or after a closing quote
 * before anything but a comma or a line end, is text), at the speed of a loop over bytes.
 *
 * A record with no quote in it, nearly every one, is handed over as where its values lie in the
 * buffer, nothing decoded: csv-parse made a string of each value, which was most of the time the
 * check took. A record with a quote is read byte by byte as csv-parse's state machine reads it
 * (test/unit/contract/csv-records.test.ts holds the two to the same records, line counts and
 * errors over random input) and handed over decoded.
 */
export interface RecordSink {
  /** A record with no quote: value i is bytes[starts[i], ends[i]), for i below count. */
  plain(bytes: Buffer, starts: Int32Array, ends: Int32Array, count: number): void;
  /** A record with a quote in it, its values decoded. */
  decoded(values: string[]): void;
}

/** The one error csv-parse raised with the check's options: a quote still open at the end of the file. */
export class CsvSyntaxError extends Error {
  readonly code = 'CSV_QUOTE_NOT_CLOSED';
  /** csv-parse's line count at the end: its message names it, and the check's problem too. */
  readonly lines: number;

  constructor(lines: number) {
    super(`Quote Not Closed: the parsing is finished with an opening quote at line ${lines}`);
    this.lines = lines;
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvRecords {
  /** Bytes after the last whole record: the start of one that a chunk's end cut. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /**
   * Bytes to gather before a cut record is read again: twice what it was, so that a record many
   * chunks long (a quote left open, say) is read a few times over, not once a chunk.
   */
  private wanted = 0;
  private begun = false;
  /** csv-parse's count of lines (its info.lines) where the next record starts. */
  private lines = 1;
  private starts: Int32Array = new Int32Array(16);
  private ends: Int32Array = new Int32Array(16);
  /** The value being read of a record with a quote. */
  private value = Buffer.alloc(256);
  private size = 0;

  constructor(private readonly sink: RecordSink) {}

  push(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= this.wanted) this.split(false);
  }

  /** The end of the input: the last record, or the error of a quote never closed. */
  end(): void {
    this.split(true);
  }

  private split(end: boolean): void {
    let bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    if (!this.begun) {
      // csv-parse looks for the mark once three bytes are in, or at the end.
      if (bytes.length < 3 && !end) return this.hold(bytes, 3);
      this.begun = true;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const done = this.records(bytes, end);
    if (done === bytes.length) this.hold(Buffer.alloc(0), 0);
    else this.hold(bytes.subarray(done), 2 * (bytes.length - done));
  }

  private hold(bytes: Buffer, wanted: number): void {
    this.held = bytes.length === 0 ? [] : [bytes];
    this.heldBytes = bytes.length;
    this.wanted = wanted;
  }

  /** Hands over each whole record from the start of `bytes`; where the first one not whole starts. */
  private records(bytes: Buffer, end: boolean): number {
    const length = bytes.length;
    let starts = this.starts;
    let ends = this.ends;
    let at = 0;
    while (at < length) {
      let count = 0;
      let from = at;
      let p = at;
      let c = 0;
      // The loop that sees every byte, kept to locals and one comparison for most bytes: every
      // byte that means something here is below the digits and letters.
      while (p < length) {
        c = bytes[p]!;
        if (c <= COMMA) {
          if (c === COMMA) {
            if (count === starts.length) [starts, ends] = this.grow();
            starts[count] = from;
            ends[count] = p;
            count += 1;
            from = p + 1;
          } else if (c === LF || c === CR || c === QUOTE) {
            break;
          }
        }
        p += 1;
      }
      if (p < length && c === QUOTE) {
        const after = this.quoted(bytes, at, end);
        if (after < 0) return at;
        at = after;
        continue;
      }
      let after = p + 1;
      if (p === length) {
        if (!end) return at;
      } else if (c === CR) {
        // A `\r` last in the buffer may be the start of a `\r\n`.
        if (after === length && !end) return at;
        if (bytes[after] === LF) after += 1;
      }
      if (count === starts.length) [starts, ends] = this.grow();
      starts[count] = from;
      ends[count] = p;
      this.sink.plain(bytes, starts, ends, count + 1);
      this.lines += 1;
      at = Math.min(after, length);
    }
    return at;
  }

  private grow(): [Int32Array, Int32Array] {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
    return [starts, ends];
  }

  /**
   * Reads the record that starts at `at` and holds a quote, a byte at a time as csv-parse's state
   * machine does; where the next record starts, or -1 when this one does not end within the
   * bytes at hand (and more may come).
   */
  private quoted(bytes: Buffer, at: number, end: boolean): number {
    const length = bytes.length;
    const values: string[] = [];
    let quoting = false;
    let escaping = false;
    let lines = this.lines;
    // csv-parse counts a line at the byte after each `\r` or `\n` it reads, inside quotes too.
    let newLine = false;
    this.size = 0;
    for (let p = at; p < length; p += 1) {
      if (newLine) {
        lines += 1;
        newLine = false;
      }
      const c = bytes[p]!;
      if (c === CR || c === LF) newLine = true;
      if (escaping) {
        escaping = false;
      } else {
        if (c === QUOTE && quoting) {
          if (p + 1 === length && !end) return -1;
          const next = p + 1 < length ? bytes[p + 1]! : undefined;
          if (next === QUOTE) {
            // A doubled quote: the second is text.
            escaping = true;
            continue;
          }
          quoting = false;
          // Closing, before a comma, a line end, the end, or a NUL byte (csv-parse's falsy "no next character").
          if (next === undefined || next === 0 || next === COMMA || next === LF || next === CR) continue;
          // Relaxed: a quote closed before anything else was no quote; the value keeps both, as text.
          this.prepend(QUOTE);
        } else if (c === QUOTE && this.size === 0) {
          quoting = true;
          continue;
        }
        if (!quoting) {
          if (c === LF || c === CR) {
            let after = p + 1;
            if (c === CR) {
              if (after === length && !end) return -1;
              if (bytes[after] === LF) after += 1;
            }
            values.push(this.take());
            this.sink.decoded(values);
            this.lines = lines + 1;
            return after;
          }
          if (c === COMMA) {
            values.push(this.take());
            continue;
          }
        }
      }
      this.append(c);
    }
    if (!end) return -1;
    if (quoting) throw new CsvSyntaxError(lines);
    values.push(this.take());
    this.sink.decoded(values);
    return length;
  }

  private append(byte: number): void {
    if (this.size === this.value.length) {
      const grown = Buffer.alloc(this.size * 2);
      this.value.copy(grown);
      this.value = grown;
    }
    this.value[this.size] = byte;
    this.size += 1;
  }

  private prepend(byte: number): void {
    this.append(byte);
    this.value.copyWithin(1, 0, this.size - 1);
    this.value[0] = byte;
  }

  private take(): string {
    const text = this.value.toString('utf8', 0, this.size);
    this.size = 0;
    return text;
  }
}
