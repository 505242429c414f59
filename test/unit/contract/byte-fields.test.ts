import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteSet } from '../../../src/contract/byte-set.js';
import { parseContract, type TableContract } from '../../../src/contract/contract.js';
import { timeFormat } from '../../../src/contract/fields.js';
import { random } from '../support/random.js';

/** The repository's tables, and one whose columns carry every constraint a contract may give. */
async function tables(): Promise<TableContract[]> {
  const repo = JSON.parse(await readFile(path.resolve('rawdata/contract.json'), 'utf8'));
  const every = {
    name: 'every',
    path: 'every',
    schema: {
      fields: [
        { name: 'code', type: 'string', constraints: { required: true, enum: ['ORD', 'LAX', ' X'] } },
        { name: 'word', type: 'string', constraints: { pattern: '[a-z]+', minLength: 2, maxLength: 4 } },
        { name: 'free', type: 'string' },
        { name: 'count', type: 'integer', constraints: { minimum: -5, exclusiveMaximum: 100 } },
        { name: 'share', type: 'number', constraints: { exclusiveMinimum: 0, maximum: 1 } },
        { name: 'plain', type: 'number' },
        { name: 'day', type: 'datetime', format: '%d/%m/%Y' },
      ],
    },
  };
  // A pattern that tells `07` from `7`, which a verdict remembered by value alone would not.
  const picky = { ...repo, 'x-numberPattern': '^-?[1-9][0-9]*$|^0$', resources: [every] };
  return [...parseContract(repo), ...parseContract({ ...repo, resources: [every] }), ...parseContract(picky)];
}

const PIECES = ['0', '1', '7', '9', '-', '+', '.', 'e', ' ', '/', ':', 'a', 'z', 'O', 'R', 'D', 'é', '\0'];
const SHAPES = ['2001-01-02 08:05:00', '2001-01-02 08:05', '2001-01-02 08:05 ', ' 2001-01-02 08:05:00', '02/01/2001', '02/01/2001  ', '29/02/2001', '07', '-0', '100', '0.5', 'ORD', ' X', 'ab'];

function randomValue(next: () => number): string {
  if (next() < 0.3) return SHAPES[Math.floor(next() * SHAPES.length)]!;
  const length = Math.floor(next() * 8);
  let text = '';
  for (let i = 0; i < length; i += 1) text += PIECES[Math.floor(next() * PIECES.length)]!;
  return text;
}

describe('the checks of bytes', () => {
  it('a property: each passes exactly the values the check of text passes', async () => {
    const next = random(27);
    for (const table of await tables()) {
      for (const [i, column] of table.columns.entries()) {
        for (let k = 0; k < 1_500; k += 1) {
          const value = randomValue(next);
          // Somewhere inside a larger buffer, as in a file.
          const bytes = Buffer.concat([Buffer.from('x,'), Buffer.from(value, 'utf8'), Buffer.from(',y')]);
          const passes = table.checks[i]!(value) === undefined;
          expect(table.byteChecks[i]!(bytes, 2, bytes.length - 2), `${table.name}.${column} ${JSON.stringify(value)}`).toBe(passes);
          // Asked twice: a remembered verdict is the same one.
          expect(table.byteChecks[i]!(bytes, 2, bytes.length - 2)).toBe(passes);
        }
      }
    }
  }, 60_000);
});

describe('timeFormat', () => {
  it('reads a format’s characters beyond ASCII as the text has them, in bytes and in text', () => {
    const format = timeFormat('%Y年%m月%d日 %H:%M');
    for (const [text, real] of [['2001年02月03日 10:30', true], ['2001年02月30日 10:30', false], ['2001-02-03 10:30', false], ['2001年02月03日 10:30 ', false]] as const) {
      const bytes = Buffer.from(`,${text},`);
      expect([format.text(text), format.bytes(bytes, 1, bytes.length - 1)], text).toEqual([real, real]);
    }
  });
});

describe('ByteSet', () => {
  it('finds exactly the values it holds, among many and near misses', () => {
    const next = random(5);
    const codes = Array.from({ length: 4_000 }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => 'ABCDEFÖ'[Math.floor(next() * 7)]).join(''));
    const set = new ByteSet(codes);
    const held = new Set(codes);
    for (const probe of [...codes, 'ORDX', '', 'Ö', 'AAAAA', 'ZZZ', ...codes.map((c) => `${c}A`)]) {
      const bytes = Buffer.from(`,${probe},`);
      expect(set.has(bytes, 1, bytes.length - 1), probe).toBe(held.has(probe));
    }
  });

  it('never finds a value with spaces at either end, which the check trims before it looks', () => {
    const set = new ByteSet([' ORD', 'LAX ', 'SFO']);
    expect(set.has(Buffer.from(' ORD'), 0, 4)).toBe(false);
    expect(set.has(Buffer.from('LAX '), 0, 4)).toBe(false);
    expect(set.has(Buffer.from('SFO'), 0, 3)).toBe(true);
  });
});
