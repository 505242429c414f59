import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { verifyExported } from '../../../src/commands/export.js';
import type { CommandEnv } from '../../../src/commands/command.js';
import { verifyExport } from '../../../src/transfer/export-verify.js';
import { random } from '../support/random.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The results of a run, as the job left them under processed/. */
const RESULTS: Record<string, string> = {
  'features/year=2001/quarter=1/part-00000-a.snappy.parquet': 'features q1',
  'features/year=2001/quarter=2/part-00000-b.snappy.parquet': 'features q2 '.repeat(40),
  'rejected/year=2001/quarter=1/part-00000-c.snappy.parquet': 'rejected q1',
  'aggregates/route_quarter/csv/part-00000-d.csv': 'year,quarter,route\n2001,1,AAA-BBB\n',
  'manifests/route_quarter.json': '{"fileLocations":[]}',
  'delivered/year=2001/quarter=1/part-00000-e.snappy.parquet': 'every row',
};

function runManifest(runId: string, finishedAt: string, files: Record<string, string>): string {
  return JSON.stringify({
    manifest_version: 2,
    run_id: runId,
    finished_at: finishedAt,
    outputs: { files: Object.entries(files).map(([key, body]) => ({ key, size: Buffer.byteLength(body), sha256: sha256(body), run_id: runId })), tables: [] },
  });
}

let dir: string;

/**
 * A folder as `export` leaves it: the results of the default parts, the reports, two runs'
 * manifests (the older one lists files the newer run replaced), and the export's own record.
 */
async function exported(parts = ['features', 'rejected', 'aggregates', 'manifests', 'reports']): Promise<Record<string, string>> {
  const results = Object.fromEntries(Object.entries(RESULTS).filter(([rel]) => parts.includes(rel.split('/')[0]!)));
  const files: Record<string, string> = {
    ...results,
    'reports/run_report.json': '{"rows":{"read":3}}',
    'manifests/runs/jr_new.json': runManifest('jr_new', '2026-12-07T06:10:00Z', RESULTS),
    'manifests/runs/jr_old.json': runManifest('jr_old', '2026-09-07T06:10:00Z', { 'features/year=2001/quarter=1/part-00000-old.snappy.parquet': 'old' }),
  };
  if (!parts.includes('manifests')) {
    for (const rel of Object.keys(files)) if (rel.startsWith('manifests/')) delete files[rel];
  }
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  const objects = Object.fromEntries(Object.entries(files).map(([rel, body]) => [rel, { size: Buffer.byteLength(body), etag: '"e"', sha256: sha256(body) }]));
  await writeFile(path.join(dir, '.provisioner-export.json'), JSON.stringify({ version: 1, stack: 's', source: 's3://b/processed/', exportedAt: '', parts, objects }));
  return files;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'export-verify-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyExport', () => {
  it('finds nothing wrong with an export as written, checked against the newest run', async () => {
    const files = await exported();
    const result = await verifyExport(dir);
    expect(result).toMatchObject({ runId: 'jr_new', runManifest: 'manifests/runs/jr_new.json', problems: [] });
    expect(result.checked).toBe(Object.keys(files).length);
  });

  it('names exactly the files changed, removed and added, whichever they are (random cases)', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      const files = await exported();
      const next = random(seed);
      const expected: { file: string; problem: string }[] = [];
      // The run manifests themselves: below, on their own.
      for (const rel of Object.keys(files).filter((f) => !f.startsWith('manifests/runs/'))) {
        const roll = next();
        if (roll < 0.15) {
          await writeFile(path.join(dir, rel), `${files[rel]}!`);
          expected.push({ file: rel, problem: 'changed' });
        } else if (roll < 0.25) {
          // Same size, other bytes: found by the checksum alone.
          await writeFile(path.join(dir, rel), files[rel]!.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')));
          expected.push({ file: rel, problem: 'changed' });
        } else if (roll < 0.35) {
          await unlink(path.join(dir, rel));
          expected.push({ file: rel, problem: 'missing' });
        }
      }
      if (next() < 0.5) {
        await writeFile(path.join(dir, 'features/year=2001/quarter=1/notes.txt'), 'mine');
        expected.push({ file: 'features/year=2001/quarter=1/notes.txt', problem: 'extra' });
      }
      const { problems, runId } = await verifyExport(dir);
      expect(runId, `seed ${seed}`).toBe('jr_new');
      expect(problems.map(({ file, problem }) => ({ file, problem })), `seed ${seed}`).toEqual(expected.sort((a, b) => (a.file < b.file ? -1 : 1)));
    }
  });

  it('names a run manifest changed since the export, and still checks the results against it', async () => {
    const files = await exported();
    const newest = 'manifests/runs/jr_new.json';
    await writeFile(path.join(dir, newest), JSON.stringify(JSON.parse(files[newest]!), null, 2));
    expect((await verifyExport(dir)).problems).toEqual([{ file: newest, problem: 'changed', detail: expect.stringContaining('where .provisioner-export.json says') }]);
  });

  it('says what differs of a changed file: its size, or its checksum against which record', async () => {
    await exported();
    await writeFile(path.join(dir, 'features/year=2001/quarter=1/part-00000-a.snappy.parquet'), 'features q!');
    await writeFile(path.join(dir, 'reports/run_report.json'), '{}');
    const { problems } = await verifyExport(dir);
    expect(problems).toEqual([
      { file: 'features/year=2001/quarter=1/part-00000-a.snappy.parquet', problem: 'changed', detail: expect.stringMatching(/^sha256 [0-9a-f]{12}… where run jr_new's manifest says [0-9a-f]{12}…$/) },
      { file: 'reports/run_report.json', problem: 'changed', detail: `2 bytes where .provisioner-export.json says 19` },
    ]);
  });

  it('holds the results to the run manifest, not to the export record: a file the run does not list is extra', async () => {
    await exported();
    // Exported from processed/ while it held a file no run wrote (a run that failed half way, say).
    const stray = 'features/year=2001/quarter=2/part-00001-x.snappy.parquet';
    await writeFile(path.join(dir, stray), 'stray');
    const record = JSON.parse(await readFile(path.join(dir, '.provisioner-export.json'), 'utf8'));
    record.objects[stray] = { size: 5, etag: '"e"', sha256: sha256('stray') };
    await writeFile(path.join(dir, '.provisioner-export.json'), JSON.stringify(record));
    expect((await verifyExport(dir)).problems).toEqual([{ file: stray, problem: 'extra', detail: "exported, but run jr_new's manifest does not list it" }]);
  });

  it('expects only the parts exported, and without a run manifest checks against the export record alone', async () => {
    await exported(['features', 'aggregates']);
    const result = await verifyExport(dir);
    expect(result).toMatchObject({ runId: null, runManifest: null, problems: [] });
    await unlink(path.join(dir, 'aggregates/route_quarter/csv/part-00000-d.csv'));
    expect((await verifyExport(dir)).problems).toEqual([
      { file: 'aggregates/route_quarter/csv/part-00000-d.csv', problem: 'missing', detail: 'named by .provisioner-export.json' },
    ]);
  });

  it('refuses a folder that is no export, naming it', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    const refused = await verifyExport(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toBe(`invalid --to "${dir}": it holds no .provisioner-export.json, so it is no export to verify; valid: a folder provisioner export wrote`);
  });

  it('exits 1 with the result when a file is not as recorded, 0 when all are, and takes a folder only', async () => {
    const env = {} as CommandEnv;
    await exported();
    expect(await verifyExported(env, { to: dir })).toMatchObject({ exitCode: 0, result: { problems: [] } });
    await unlink(path.join(dir, 'reports/run_report.json'));
    expect(await verifyExported(env, { to: dir })).toMatchObject({ exitCode: 1, result: { problems: [{ file: 'reports/run_report.json', problem: 'missing' }] } });
    await expect(verifyExported(env, { to: 's3://ml-data/q1' })).rejects.toThrow(
      new UsageError('invalid --to "s3://ml-data/q1" with --verify: only a folder export holds the checksums of its files; valid: a folder provisioner export wrote'),
    );
  });
});
