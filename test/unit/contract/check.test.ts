import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowed, checkFiles, describeRefusal, type ContractCheck, type DataFile } from '../../../src/contract/check.js';
import { loadContract, parseContract, type Contract } from '../../../src/contract/contract.js';
import type { BadRowLimit } from '../../../src/core/settings.js';
import { UsageError } from '../../../src/core/errors.js';
import { random } from '../support/random.js';

const REPO_CONTRACT = path.resolve('rawdata/contract.json');
const HEADER = 'date,delay,distance,origin,destination';
const AIRPORTS = 'iata,name,city,state,country,latitude,longitude\nORD,O Hare,Chicago,IL,USA,41.97,-87.90\nLAX,Los Angeles,Los Angeles,CA,USA,33.94,-118.40\n';
const GOOD = '2001-01-02 08:05:00,20,1745,ORD,LAX';

let dir: string;
let contract: Contract;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'contract-test-'));
  contract = await loadContract(REPO_CONTRACT);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the files (gzipped when the name ends in .gz) and names them as the check is handed them. */
async function files(content: Record<string, string | Buffer>): Promise<DataFile[]> {
  const written: DataFile[] = [];
  for (const [name, text] of Object.entries(content)) {
    const full = path.join(dir, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, name.endsWith('.gz') && typeof text === 'string' ? gzipSync(text) : text);
    written.push({ path: full, name });
  }
  return written;
}

function flights(rows: readonly string[], header = HEADER): string {
  return `${[header, ...rows].join('\n')}\n`;
}

async function check(content: Record<string, string | Buffer>, maxBadRows: BadRowLimit = { percent: 0.1 }): Promise<ContractCheck> {
  return checkFiles(contract, await files(content), { maxBadRows });
}

const MONTH = 'flights/year=2001/month=01/flights-2001-01.csv';

describe('the repository contract', () => {
  it('describes the flights and airports tables in the columns the job reads', () => {
    expect(contract.tables.map((t) => [t.name, t.folder, t.columns.join(',')])).toEqual([
      ['flights', 'flights', HEADER],
      ['airports', 'airports', 'iata,name,city,state,country,latitude,longitude'],
    ]);
    expect(contract.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('checkFiles', () => {
  it('refuses a file whose header is not the table’s, naming the file, line 1 and both headers', async () => {
    const result = await check({ [MONTH]: flights([GOOD], 'date,delay,distance,origin') });
    const [file] = result.files;
    expect(file).toMatchObject({ refused: true, rows: 0, unreadable: { line: 1, rule: 'header', value: 'date,delay,distance,origin' } });
    expect(describeRefusal(file!, `rawdata/${MONTH}`, '0.1%')).toBe(
      `rawdata/${MONTH}: line 1: the header "date,delay,distance,origin" is not the header date,delay,distance,origin,destination of table flights (rule header)`,
    );
  });

  it('refuses a file with more bad rows than allowed, in one line naming the file, line, column, value and rule', async () => {
    const rows = [GOOD, GOOD, '2001-01-02 08:06:00,abc,1745,ORD,LAX', GOOD, '2001-01-02 08:07:00,1441,1745,ORD,LAX'];
    const result = await check({ [MONTH]: flights(rows) }, { rows: 1 });
    expect(result.refused).toBe(1);
    expect(describeRefusal(result.files[0]!, `rawdata/${MONTH}`, '1')).toBe(
      `rawdata/${MONTH}: 2 of 5 rows break the contract, more than --max-bad-rows 1 allows (1); the first, line 4, column delay: value "abc" breaks rule type: valid is an integer: a plain decimal number that is whole`,
    );
    expect(result.files[0]!.problems.map((p) => [p.line, p.rule])).toEqual([
      [4, 'type'],
      [6, 'maximum'],
    ]);
  });

  it('passes a file with bad rows within the limit, and counts them for the job to quarantine', async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => (i === 700 || i === 1_300 ? '2001-01-02 08:06:00,1441,1745,ORD,LAX' : GOOD));
    const result = await check({ [MONTH]: flights(rows) });
    expect(result.files[0]).toMatchObject({ rows: 2_000, badRows: 2, allowedBadRows: 2, refused: false });
    expect(result).toMatchObject({ refused: 0, badRows: 2, rows: 2_000 });
    // One more is one too many.
    const more = await check({ [MONTH]: flights([...rows, '2001-01-02 08:06:00,-121,1745,ORD,LAX']) });
    expect(more.files[0]).toMatchObject({ rows: 2_001, badRows: 3, allowedBadRows: 2, refused: true });
  });

  it('reads gzip files the same as plain ones, and refuses one that is not gzip inside', async () => {
    const rows = [GOOD, '2001-02-30 10:00:00,5,300,ORD,LAX', GOOD];
    const result = await check({ [MONTH]: flights(rows), [`${MONTH}.gz`.replace('month=01', 'month=02')]: flights(rows) }, { rows: 5 });
    const [plain, gzip] = result.files;
    expect(gzip).toEqual({ ...plain, file: gzip!.file });
    expect(plain).toMatchObject({ rows: 3, badRows: 1, problems: [{ line: 3, column: 'date', rule: 'format' }] });

    const broken = await check({ [`${MONTH}.gz`]: Buffer.from(flights(rows)) });
    expect(broken.files[0]).toMatchObject({ refused: true, unreadable: { rule: 'gzip' } });
  });

  it('counts a row of the wrong width once, whatever its values', async () => {
    const result = await check({ [MONTH]: flights([GOOD, `${GOOD},999`, '2001-01-02 08:05:00,20,1745,ORD', 'x,y,z']) }, { rows: 10 });
    expect(result.files[0]!.badRows).toBe(3);
    expect(result.files[0]!.problems[0]).toEqual({ line: 3, column: null, value: `${GOOD},999`, rule: 'columns', expected: '5 values, as the header has; found 6' });
  });

  it('numbers lines as an editor does: blank lines and a quoted line break count, blank lines are no rows', async () => {
    const text = `${HEADER}\n${GOOD}\n\n"2001-01-02\n08:05:00",20,1745,ORD,LAX\n${GOOD}\n2001-01-02 08:05:00,x,1745,ORD,LAX\n`;
    const result = await check({ [MONTH]: text }, { rows: 10 });
    expect(result.files[0]!.rows).toBe(4);
    expect(result.files[0]!.problems.map((p) => [p.line, p.column])).toEqual([
      [4, 'date'],
      [7, 'delay'],
    ]);
  });

  it('holds origin and destination to the airports of the data directory, trimmed as the job compares them', async () => {
    const rows = [GOOD, '2001-01-02 08:05:00,20,1745, ORD ,LAX', '2001-01-02 08:05:00,20,1745,ZZZ,LAX', '2001-01-02 08:05:00,20,1745,ORD,YYY'];
    const result = await check({ 'airports/airports.csv': AIRPORTS, [MONTH]: flights(rows) }, { rows: 10 });
    const month = result.files.find((f) => f.table === 'flights')!;
    expect(month.problems.map((p) => [p.line, p.column, p.value, p.rule, p.expected])).toEqual([
      [4, 'origin', 'ZZZ', 'foreignKey', 'a value of airports.iata (in this data directory)'],
      [5, 'destination', 'YYY', 'foreignKey', 'a value of airports.iata (in this data directory)'],
    ]);
    expect(result.uncheckedForeignKeys).toEqual([]);
    // Without the airports here, the codes cannot be checked, and the result says so.
    const alone = await check({ [MONTH]: flights(rows) }, { rows: 10 });
    expect(alone.files[0]!.badRows).toBe(0);
    expect(alone.uncheckedForeignKeys).toEqual(['flights.origin -> airports.iata', 'flights.destination -> airports.iata']);
  });

  it('checks only the *.csv* files of a table’s folder, as the job reads them, and lists the rest', async () => {
    const result = await check({ 'README.md': '# data', 'flights/NOTES.txt': 'x', [MONTH]: flights([GOOD]) });
    expect(result.files.map((f) => f.file)).toEqual([MONTH]);
    expect(result.unchecked).toEqual(['README.md', 'flights/NOTES.txt']);
  });

  it('passes an empty file, as the job reads it as no rows', async () => {
    const result = await check({ [MONTH]: '', [`${MONTH}.gz`.replace('01', '02')]: '' });
    expect(result.files.map((f) => [f.rows, f.refused])).toEqual([
      [0, false],
      [0, false],
    ]);
  });
});

describe('the rules of each value, as the job reads them (glue-job/README.md, What bad input becomes)', () => {
  // [column, value, the rule it breaks or null]: the job's own examples.
  const CASES: [string, string, string | null][] = [
    ['date', '2001-01-02 10:00', null],
    ['date', ' 2001-01-02 10:00:00 ', null],
    ['date', '2000-02-29 10:00:00', null],
    ['date', '2001-02-29 10:00:00', 'format'],
    ['date', '2001-02-30 10:00:00', 'format'],
    ['date', '2001-1-2 08:05:00', 'format'],
    ['date', '2001-01-02 24:00:00', 'format'],
    ['date', '2001-01-02T08:05:00', 'format'],
    ['date', 'yesterday', 'format'],
    ['date', '2001-01-02 08:05:0', 'format'],
    ['date', '2001-01-02 08:05:000', 'format'],
    ['date', '2001-01-02 08:60', 'format'],
    ['date', '2001-13-02 08:05', 'format'],
    ['date', '0000-01-02 08:05', 'format'],
    ['date', '1900-02-29 08:05', 'format'],
    ['date', '2001-01-02\t08:05', 'format'],
    ['date', '', 'required'],
    ['delay', ' 7 ', null],
    ['delay', '7.0', null],
    ['delay', '+5', null],
    ['delay', '1.5e1', null],
    ['delay', '-120', null],
    ['delay', '1440', null],
    ['delay', '12.5', 'type'],
    ['delay', '15d', 'type'],
    ['delay', '0x1p4', 'type'],
    ['delay', 'NaN', 'type'],
    ['delay', 'Infinity', 'type'],
    ['delay', '1_000', 'type'],
    ['delay', '\u00a07', 'type'],
    ['delay', '', 'required'],
    ['delay', '-121', 'minimum'],
    ['delay', '1441', 'maximum'],
    ['delay', '1e20', 'maximum'],
    ['delay', '1e999', 'maximum'],
    ['distance', '300.', null],
    ['distance', '.5', null],
    ['distance', '1e3', null],
    ['distance', 'far', 'type'],
    ['distance', 'NaN', 'type'],
    ['distance', '1e999', 'type'],
    ['distance', '0', 'exclusiveMinimum'],
    ['distance', '-5', 'exclusiveMinimum'],
    ['origin', '', 'required'],
  ];

  it.each(CASES)('%s %j breaks %s', async (column, value, rule) => {
    const fields = HEADER.split(',');
    const row = GOOD.split(',');
    row[fields.indexOf(column)] = value.includes(',') ? `"${value}"` : value;
    const result = await check({ [MONTH]: flights([row.join(',')]) }, { rows: 1 });
    expect(result.files[0]!.problems.map((p) => p.rule)).toEqual(rule === null ? [] : [rule]);
  });
});

describe('a property: the bad rows counted are the rows made bad', () => {
  /** One way to break a row, or none; each applies to a good row and breaks exactly one rule. */
  const DEFECTS: ((row: string[], next: () => number) => void)[] = [
    (row, next) => void (row[0] = `2001-0${1 + Math.floor(next() * 9)}-3${Math.floor(next() * 2)} 25:00:00`),
    (row, next) => void (row[1] = `${(next() * 100).toFixed(1)}5`),
    (row, next) => void (row[1] = String(1441 + Math.floor(next() * 10_000))),
    (row, next) => void (row[1] = String(-121 - Math.floor(next() * 10_000))),
    (row) => void (row[2] = 'n/a'),
    (row, next) => void (row[2] = String(-Math.floor(next() * 100))),
    (row) => void (row[3] = 'XXX'),
    (row) => void (row[4] = ''),
    (row) => void row.push('extra'),
    (row) => void row.pop(),
  ];

  function goodRow(next: () => number): string[] {
    const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
    const hour = String(Math.floor(next() * 24)).padStart(2, '0');
    const minute = String(Math.floor(next() * 60)).padStart(2, '0');
    const seconds = next() < 0.5 ? `:${String(Math.floor(next() * 60)).padStart(2, '0')}` : '';
    const delay = String(Math.floor(next() * 1561) - 120);
    const distance = next() < 0.9 ? String(1 + Math.floor(next() * 3000)) : `${(0.01 + next() * 3000).toFixed(2)}`;
    const [origin, destination] = next() < 0.5 ? ['ORD', 'LAX'] : ['LAX', 'ORD'];
    return [`2001-01-${day} ${hour}:${minute}${seconds}`, delay, distance, origin!, destination!];
  }

  it.each([1, 2, 3, 4, 5])('seed %i: 3,000 random rows', async (seed) => {
    const next = random(seed);
    let made = 0;
    const rows: string[] = [];
    for (let i = 0; i < 3_000; i += 1) {
      const row = goodRow(next);
      if (next() < 0.05) {
        DEFECTS[Math.floor(next() * DEFECTS.length)]!(row, next);
        made += 1;
      }
      rows.push(row.join(','));
    }
    const result = await check({ 'airports/airports.csv': AIRPORTS, [`${MONTH}.gz`]: flights(rows) }, { rows: 0 });
    const month = result.files.find((f) => f.table === 'flights')!;
    expect(month.rows).toBe(3_000);
    expect(month.badRows).toBe(made);
    expect(month.refused).toBe(made > 0);
  });
});

describe('--max-bad-rows', () => {
  it('allows a count as given, and a share of the rows rounded down', () => {
    expect(allowed({ rows: 25 }, 10)).toBe(25);
    expect(allowed({ percent: 0.1 }, 508_239)).toBe(508);
    expect(allowed({ percent: 0.1 }, 1_000)).toBe(1);
    expect(allowed({ percent: 0.1 }, 999)).toBe(0);
    expect(allowed({ percent: 100 }, 6)).toBe(6);
  });
});

describe('parseContract', () => {
  async function descriptor(): Promise<{ resources: { schema: { fields: Record<string, unknown>[] } }[] }> {
    return JSON.parse(await readFile(REPO_CONTRACT, 'utf8'));
  }

  it('refuses a type or a constraint it would not check, in one line naming where and what is valid', async () => {
    const typo = await descriptor();
    typo.resources[0]!.schema.fields[1]!.type = 'int';
    expect(() => parseContract(typo, 'c.json')).toThrow(new UsageError('invalid contract "c.json": resources[0].schema.fields[1].type "int" is not a type the check knows; valid: string, integer, number, datetime'));
    const unknown = await descriptor();
    unknown.resources[0]!.schema.fields[1]!.constraints = { unique: true };
    expect(() => parseContract(unknown, 'c.json')).toThrow(/resources\[0\]\.schema\.fields\[1\]\.constraints\.unique is not a constraint the check knows; valid: required, minimum/);
  });

  it('refuses a foreign key to a table it does not have', async () => {
    const d = (await descriptor()) as unknown as { resources: Record<string, unknown>[] };
    d.resources = [d.resources[0]!];
    expect(() => parseContract(d, 'c.json')).toThrow('invalid contract "c.json": resources[0].schema.foreignKeys refer to table "airports", which the contract does not have; valid: flights');
  });
});
