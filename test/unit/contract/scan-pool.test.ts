import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, type Contract } from '../../../src/contract/contract.js';
import type { ScanJob, scanAll as ScanAll } from '../../../src/contract/scan-pool.js';

let dir: string;
let contract: Contract;
/** scan-pool.ts built as the bundle builds it: a thread can run only JavaScript on Node 20. */
let built: { scanAll: typeof ScanAll; script: URL };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scan-pool-test-'));
  contract = await loadContract(path.resolve('rawdata/contract.json'));
  const outfile = path.join(dir, 'scan-pool.mjs');
  await build({ entryPoints: ['src/contract/scan-pool.ts'], outfile, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning' });
  built = { ...((await import(pathToFileURL(outfile).href)) as { scanAll: typeof ScanAll }), script: pathToFileURL(outfile) };
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEADER = 'date,delay,distance,origin,destination';

/** Month files whose k-th has k bad rows (a delay too large) among its good ones. */
async function months(count: number): Promise<ScanJob[]> {
  const known = new Map([['origin', new Set(['ORD', 'LAX'])], ['destination', new Set(['ORD', 'LAX'])]]);
  const jobs: ScanJob[] = [];
  for (let k = 0; k < count; k += 1) {
    const rows = Array.from({ length: 2_000 + k }, (_, i) => `2001-01-02 08:05:00,${i < k ? 2_000 : 20},1745,ORD,${i % 7 === 0 ? 'SFO' : 'LAX'}`);
    const file = path.join(dir, `m${k}.csv.gz`);
    await writeFile(file, gzipSync(`${HEADER}\n${rows.join('\n')}\n`));
    jobs.push({ path: file, table: 'flights', examples: 3, known });
  }
  return jobs;
}

describe('scanAll', () => {
  it('gives in threads, in the jobs’ order, what one thread gives', async () => {
    const jobs = await months(5);
    const threaded = await built.scanAll(contract, jobs, { threads: 3, script: built.script });
    const here = await built.scanAll(contract, jobs, { threads: 1 });
    expect(threaded).toEqual(here);
    // Each file's own counts: 2,000 + k rows, the k delays and every seventh destination (SFO, no airport here).
    expect(threaded.map((scan) => [scan.rows, scan.badRows])).toEqual(jobs.map((_, k) => [2_000 + k, k + Math.ceil((2_000 + k) / 7) - Math.ceil(k / 7)]));
  }, 60_000);

  it('stops the threads when the check is interrupted, with the AbortError a stream gives, its cause the signal’s reason', async () => {
    const jobs = await months(4);
    const controller = new AbortController();
    const reason = new Error('interrupted');
    const scanning = built.scanAll(contract, jobs, { threads: 2, script: built.script, signal: controller.signal });
    controller.abort(reason);
    await expect(scanning).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'The operation was aborted', cause: reason });
  }, 60_000);
});
