import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanFile, type ScanOptions } from '../../../src/contract/check-file.js';
import { loadContract, type Contract, type TableContract } from '../../../src/contract/contract.js';
import { scanWithCsvParse } from '../support/csv-parse-scan.js';
import { random } from '../support/random.js';

let dir: string;
let contract: Contract;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'check-file-test-'));
  contract = await loadContract(path.resolve('rawdata/contract.json'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const table = (name: string): TableContract => contract.tables.find((t) => t.name === name)!;

const FLIGHTS_HEADER = 'date,delay,distance,origin,destination';
const AIRPORTS_HEADER = 'iata,name,city,state,country,latitude,longitude';

/** Values of each flights column: good ones mostly, and ones that break a rule, look odd or are quoted. */
const VALUES: readonly (readonly string[])[] = [
  ['2001-01-02 08:05:00', '2001-01-02 08:05', ' 2001-01-02 08:05 ', '2001-02-30 10:00:00', '2001-01-02 24:00', '', 'é', '"2001-01-02 08:05:00"', '"2001-01-02\n08:05:00"'],
  ['20', '-120', '1440', '007', '-0', ' 7 ', '7.0', '1.5e1', '12.5', '1441', '-121', 'abc', '', '1e999', '99999999999999', '"5"', '"5,5"'],
  ['1745', '0', '-5', '300.', '.5', '1e3', 'far', '', '1e999', '1234567890123', '12345678901234'],
  ['ORD', 'LAX', ' ORD ', 'ZZZ', '', 'ÖRD', '"ORD"', 'O"RD'],
  ['LAX', 'ORD', 'YYY', '', '"LAX', 'LAX\r'],
];
const AIRPORT_ROWS = ['ORD,O Hare,Chicago,IL,USA,41.97,-87.90', 'LAX,"Los Angeles, Intl",Los Angeles,CA,USA,33.94,-118.40', ' SFO ,San Francisco,,CA,USA,37.6,-122.4', ',No code,,,,,', 'BAD,Far,,,,,200'];
const ENDINGS = ['\n', '\n', '\n', '\r\n', '\r'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

/** A random flights file: mostly good rows, some bad, odd or quoted, blank lines, and now and then a wrong header or width. */
function flightsFile(next: () => number): string {
  const ending = pick(next, ENDINGS);
  const lines = [next() < 0.05 ? 'date,delay,distance,origin' : FLIGHTS_HEADER];
  const rows = Math.floor(next() * 60);
  for (let i = 0; i < rows; i += 1) {
    const roll = next();
    if (roll < 0.05) lines.push('');
    else if (roll < 0.08) lines.push(`${lines.at(-1)},extra`);
    else lines.push(VALUES.map((values) => (next() < 0.7 ? values[0]! : pick(next, values))).join(','));
  }
  const text = lines.join(ending) + (next() < 0.8 ? ending : '');
  return next() < 0.05 ? `${text}"never closed` : text;
}

async function both(file: string, content: Buffer, of: TableContract, options: ScanOptions) {
  const full = path.join(dir, file);
  await writeFile(full, content);
  const fresh = (o: ScanOptions): ScanOptions => ({ ...o, collect: new Map([...o.collect].map(([k]) => [k, new Set<string>()])) });
  const [a, b] = [fresh(options), fresh(options)];
  const fast = await scanFile(full, of, a);
  const reference = await scanWithCsvParse(full, of, b);
  return { fast, reference, collected: [a.collect, b.collect] };
}

describe('scanFile, against the check as it was with csv-parse', () => {
  const known = () => new Map([['origin', new Set(['ORD', 'LAX'])], ['destination', new Set(['ORD', 'LAX'])]]);

  it.each([1, 2, 3, 4])('seed %i: the same rows, bad rows, problems and failures, plain and gzip', async (seed) => {
    const next = random(seed);
    for (let i = 0; i < 60; i += 1) {
      const text = flightsFile(next);
      const bytes = next() < 0.1 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : Buffer.from(text);
      const gzip = next() < 0.5;
      const options = { examples: 5, known: next() < 0.8 ? known() : new Map(), collect: new Map() };
      const { fast, reference } = await both(gzip ? 'f.csv.gz' : 'f.csv', gzip ? gzipSync(bytes) : bytes, table('flights'), options);
      expect(fast, `seed ${seed}, file ${i}: ${JSON.stringify(text)}`).toEqual(reference);
    }
  }, 60_000);

  it('collects the referenced values as the reference does, quoted and trimmed', async () => {
    const text = `${AIRPORTS_HEADER}\n${AIRPORT_ROWS.join('\n')}\n`;
    const options = { examples: 5, known: new Map(), collect: new Map([['iata', new Set<string>()]]) };
    const { fast, reference, collected } = await both('airports.csv', Buffer.from(text), table('airports'), options);
    expect(fast).toEqual(reference);
    expect(fast.problems.map((p) => [p.line, p.column, p.rule])).toEqual([
      [5, 'iata', 'required'],
      [6, 'longitude', 'maximum'],
    ]);
    expect([...collected[0]!.get('iata')!]).toEqual(['ORD', 'LAX', 'SFO', 'BAD']);
    expect(collected[0]).toEqual(collected[1]);
  });

  it('reads a file with a UTF-16 byte order mark as csv-parse does (as UTF-16)', async () => {
    const text = `${FLIGHTS_HEADER}\r\n2001-01-02 08:05:00,20,1745,ORD,LAX\r\n2001-01-02 08:05:00,x,1745,ORD,LAX\r\n`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const { fast, reference } = await both('utf16.csv', bytes, table('flights'), { examples: 5, known: known(), collect: new Map() });
    expect(fast).toEqual(reference);
    expect(fast).toMatchObject({ rows: 2, badRows: 1, problems: [{ line: 3, column: 'delay', rule: 'type' }] });
  });

  it('names a quote never closed, and a gzip cut short, as the reference does', async () => {
    const good = '2001-01-02 08:05:00,20,1745,ORD,LAX';
    const open = await both('open.csv', Buffer.from(`${FLIGHTS_HEADER}\n${good}\n"${good}\n${good}\n`), table('flights'), { examples: 5, known: known(), collect: new Map() });
    expect(open.fast).toEqual(open.reference);
    expect(open.fast.unreadable).toMatchObject({ line: 4, rule: 'csv' });

    const rows = Array.from({ length: 20_000 }, () => good).join('\n');
    const zipped = gzipSync(`${FLIGHTS_HEADER}\n${rows}\n`);
    for (const keep of [0.2, 0.5, 0.9]) {
      const cut = await both('cut.csv.gz', zipped.subarray(0, Math.floor(zipped.length * keep)), table('flights'), { examples: 5, known: known(), collect: new Map() });
      expect(cut.fast.unreadable).toMatchObject({ rule: 'gzip' });
      expect(cut.fast).toEqual(cut.reference);
    }
  });
});
