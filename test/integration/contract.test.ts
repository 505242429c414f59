import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR, RAW_DATA_DIR } from './support/paths.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';
const JANUARY = path.join('flights', 'year=2001', 'month=01', 'flights-2001-01.csv.gz');

describe('the data contract, before anything is uploaded', () => {
  const stack = useEmulator();
  let good: string;
  let broken: string;

  beforeAll(() => {
    // The tiny data of the other suites, with the repository's contract beside it.
    good = stack.temp.tinyRawData('contract-good').dir;
    copyFileSync(path.join(RAW_DATA_DIR, 'contract.json'), path.join(good, 'contract.json'));
    broken = stack.temp.tinyRawData('contract-broken').dir;
    copyFileSync(path.join(RAW_DATA_DIR, 'contract.json'), path.join(broken, 'contract.json'));
    // One delay a day and a half late, in a file of 11 rows: 0.1% of them allows none.
    const file = path.join(broken, JANUARY);
    writeFileSync(file, gzipSync(`${gunzipSync(readFileSync(file)).toString()}2001-01-09 10:00:00,2200,1745,ORD,LAX\n`));
  });

  beforeEach(async () => {
    await stack.moto.reset();
    stack.log.clear();
  });

  const cli = (dataDir: string, ...args: string[]) => stack.cli([...args, '--data-dir', dataDir, '--job-dir', JOB_DIR]);

  it('up with a file that breaks it exits 2, naming the file, line, column, value and rule, and sends no request', async () => {
    const result = await cli(broken, 'up');
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `nothing uploaded, the data contract refuses ${path.join(broken, JANUARY)}: 1 of 12 rows breaks the contract, more than --max-bad-rows 0.1% allows (0); the first, line 13, column delay: value "2200" breaks rule maximum: valid is at most 1440`,
    );
    expect(stack.log.requests).toEqual([]);
    expect(result.stdout).toBe('');
  });

  it('plan says nothing either: the same refusal, exit 2', async () => {
    const result = await cli(broken, 'plan');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('line 13, column delay: value "2200" breaks rule maximum');
    expect(stack.log.requests).toEqual([]);
  });

  it('check --json names the refused file and its problem, exit 2, without AWS', async () => {
    const result = await cli(broken, 'check', '--json');
    expect(result.code, result.stderr).toBe(2);
    const check = JSON.parse(result.stdout);
    expect(check).toMatchObject({ contract: path.join(broken, 'contract.json'), maxBadRows: { percent: 0.1 }, refused: 1, unchecked: [], uncheckedForeignKeys: [] });
    const january = check.files.find((f: { file: string }) => f.file === JANUARY.split(path.sep).join('/'));
    expect(january).toEqual({
      file: 'flights/year=2001/month=01/flights-2001-01.csv.gz',
      table: 'flights',
      rows: 12,
      badRows: 1,
      allowedBadRows: 0,
      refused: true,
      unreadable: null,
      problems: [{ line: 13, column: 'delay', value: '2200', rule: 'maximum', expected: 'at most 1440' }],
    });
    expect(check.files.filter((f: { refused: boolean }) => !f.refused)).toHaveLength(2);
    expect(stack.log.requests).toEqual([]);
  });

  it('check --json passes the good data, exit 0', async () => {
    const result = await cli(good, 'check', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ refused: 0, badRows: 0, rows: 25 });
  });

  it('up within --max-bad-rows uploads the file, says the job will quarantine the row, and never uploads the contract', async () => {
    const result = await cli(broken, 'up', '--max-bad-rows', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 row breaks it, within --max-bad-rows 1: uploaded, and the job quarantines it (rejected/)');
    const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'raw/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      'raw/airports/airports.csv',
      'raw/flights/year=2001/month=01/flights-2001-01.csv.gz',
      'raw/flights/year=2001/month=04/flights-2001-04.csv.gz',
    ]);
  });
});
