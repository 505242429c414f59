import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR, VENV_PYTHON as PYTHON } from './support/paths.js';

const STACK = 'flight-delays';
const BUCKET = `${STACK}-123456789012-us-east-1`;
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** processed/ as a job run leaves it: a few files of each part, with known bytes. */
const PROCESSED: Record<string, string> = {
  'features/year=2001/quarter=1/part-00000.snappy.parquet': 'features q1 '.repeat(500),
  'features/year=2001/quarter=2/part-00000.snappy.parquet': 'features q2 '.repeat(700),
  'rejected/year=2001/quarter=1/part-00000.snappy.parquet': 'rejected q1',
  'aggregates/route_quarter/csv/part-00000.csv': 'year,quarter,origin\n2001,1,ORD\n',
  'manifests/route_quarter.json': '{"fileLocations":[]}',
  'reports/run_report.json': '{"rows":{"read":3}}',
  'delivered/part-00000.txt': 'every row again',
};

/** Every file under a folder, as path relative to it -> content. */
function tree(dir: string, base = dir): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(found, tree(full, base));
    else found[path.relative(base, full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
  }
  return found;
}

describe('provisioner export and cycle', () => {
  const stack = useEmulator();
  /** Where the exports of the tests go. */
  let work: string;
  let dataDir: string;
  let dirs: string[];

  const put = (rel: string, body: string) => stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `processed/${rel}`, Body: body }));
  const exportTo = async (to: string, ...extra: string[]) => {
    const result = await stack.cli(['export', '--to', to, '--json', ...extra]);
    return { ...result, json: result.code === 0 ? JSON.parse(result.stdout) : undefined };
  };

  beforeAll(async () => {
    work = stack.temp.dir('export');
    dataDir = stack.temp.tinyRawData('export-data').dir;
    dirs = ['--data-dir', dataDir, '--job-dir', JOB_DIR];
    expect((await stack.cli(['up', ...dirs])).code).toBe(0);
    for (const [rel, body] of Object.entries(PROCESSED)) await put(rel, body);
  });

  it('exports every part but the job memory into a folder, byte for byte, and names what it exported', async () => {
    const out = path.join(work, 'export');
    const first = await exportTo(out);
    expect(first.code, first.stderr).toBe(0);
    const expected = Object.fromEntries(Object.entries(PROCESSED).filter(([rel]) => !rel.startsWith('delivered/')));
    const files = tree(out);
    const manifest = JSON.parse(files['.provisioner-export.json']!);
    delete files['.provisioner-export.json'];
    expect(files).toEqual(expected);
    expect(manifest).toMatchObject({ version: 1, stack: STACK, source: `s3://${BUCKET}/processed/` });
    expect(Object.keys(manifest.objects).sort()).toEqual(Object.keys(expected).sort());
    expect(manifest.objects['reports/run_report.json'].sha256).toBe(sha256(PROCESSED['reports/run_report.json']!));
    expect(first.json).toMatchObject({ transferred: 6, unchanged: 0, files: { features: 2, rejected: 1, aggregates: 1, manifests: 1, reports: 1 } });
  });

  it('a second export fetches nothing; a changed, a corrupted and a vanished file are put right', async () => {
    const out = path.join(work, 'export');
    stack.log.clear();
    const again = await exportTo(out);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ transferred: 0, unchanged: 6, removed: 0 });
    expect(stack.log.requests.filter((r) => r.service === 's3' && r.method === 'GET' && r.path.includes('/processed/'))).toEqual([]);

    // The job rewrote a partition (new part file), the report changed, and someone edited a local file.
    await stack.aws.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'processed/features/year=2001/quarter=2/part-00000.snappy.parquet' }));
    await put('features/year=2001/quarter=2/part-00001.snappy.parquet', 'features q2 rewritten');
    await put('reports/run_report.json', '{"rows":{"read":4}}');
    writeFileSync(path.join(out, 'rejected/year=2001/quarter=1/part-00000.snappy.parquet'), 'rejected q?');
    const third = await exportTo(out);
    expect(third.code, third.stderr).toBe(0);
    expect(third.json).toMatchObject({ transferred: 3, unchanged: 3, removed: 1 });
    const files = tree(out);
    expect(files['features/year=2001/quarter=2/part-00000.snappy.parquet']).toBeUndefined();
    expect(files['features/year=2001/quarter=2/part-00001.snappy.parquet']).toBe('features q2 rewritten');
    expect(files['reports/run_report.json']).toBe('{"rows":{"read":4}}');
    expect(files['rejected/year=2001/quarter=1/part-00000.snappy.parquet']).toBe('rejected q1');
  });

  it('--only exports the parts named, and a bad part is refused naming the valid ones', async () => {
    const out = path.join(work, 'only');
    const only = await exportTo(out, '--only', 'aggregates,delivered');
    expect(only.code, only.stderr).toBe(0);
    expect(Object.keys(tree(out)).sort()).toEqual(['.provisioner-export.json', 'aggregates/route_quarter/csv/part-00000.csv', 'delivered/part-00000.txt']);
    const bad = await stack.cli(['export', '--to', path.join(work, 'bad'), '--only', 'features,models']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no part "models"');
    expect(existsSync(path.join(work, 'bad'))).toBe(false);
  });

  it('refuses a non-empty folder that is not an export of this stack, unless --force', async () => {
    const theirs = path.join(work, 'theirs');
    mkdirSync(theirs);
    writeFileSync(path.join(theirs, 'notes.txt'), 'mine');
    const refused = await stack.cli(['export', '--to', theirs]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`refusing to export into ${theirs}`);
    expect(readdirSync(theirs)).toEqual(['notes.txt']);
    const forced = await stack.cli(['export', '--to', theirs, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path.join(theirs, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('exports into another bucket inside S3, and a second time copies nothing', async () => {
    await stack.aws.s3.send(new CreateBucketCommand({ Bucket: 'ml-quarterly' }));
    stack.log.clear();
    const first = await exportTo('s3://ml-quarterly/flights/2001q2');
    expect(first.code, first.stderr).toBe(0);
    // Copied by S3 itself: no object bytes came through this machine.
    expect(stack.log.requests.filter((r) => r.service === 's3' && r.method === 'GET' && r.path.includes('/processed/'))).toEqual([]);
    expect(stack.log.requests.filter((r) => r.operation === 'CopyObject')).toHaveLength(6);
    const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: 'ml-quarterly', Prefix: 'flights/2001q2/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toContain('flights/2001q2/reports/run_report.json');
    expect(listed.Contents).toHaveLength(7);

    stack.log.clear();
    const again = await exportTo('s3://ml-quarterly/flights/2001q2');
    expect(again.json).toMatchObject({ transferred: 0, unchanged: 6 });
    expect(stack.log.mutating()).toEqual([]);
  });

  it('cycle refuses to start without --yes where nobody can confirm the teardown, creating nothing', async () => {
    stack.log.clear();
    const refused = await stack.cli(['cycle', '--name', 'no-confirm', '--to', path.join(work, 'never'), ...dirs]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect(stack.log.mutating()).toEqual([]);
  });

  it('cycle with a failing job keeps the stack to look into, names the step, and exits 1', async () => {
    const badJob = path.join(work, 'bad-job');
    mkdirSync(badJob);
    writeFileSync(path.join(badJob, 'job.py'), 'raise SystemExit("this job fails on purpose")\n');
    const name = 'failing-cycle';
    const result = await stack.cli(['cycle', '--name', name, '--local', '--python', PYTHON, '--yes', '--to', path.join(work, 'failed'), '--data-dir', dataDir, '--job-dir', badJob]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('cycle step 1/4: up');
    expect(result.stderr).toContain('cycle step 2/4: run');
    expect(result.stderr).toContain('cycle stopped at step run (exit 1)');
    expect(result.stderr).toContain(`provisioner teardown --yes --name ${name}`);
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: `${name}-123456789012-us-east-1` }))).resolves.toBeDefined();
    expect(existsSync(path.join(work, 'failed'))).toBe(false);
    expect((await stack.cli(['teardown', '--yes', '--name', name])).code).toBe(0);
  });

  it('cycle --local: up, the job on local Spark, export, teardown; the results outlive the stack', async () => {
    const name = 'quarter-cycle';
    const out = path.join(work, 'cycle');
    const result = await stack.cli(['cycle', '--name', name, '--local', '--python', PYTHON, '--yes', '--json', '--to', out, ...dirs]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ stack: name, completed: true });
    expect(summary.steps.map((s: { step: string; exitCode: number }) => [s.step, s.exitCode])).toEqual([
      ['up', 0],
      ['run', 0],
      ['export', 0],
      ['teardown', 0],
    ]);
    const files = Object.keys(tree(out));
    expect(files.some((f) => f.startsWith('features/') && f.endsWith('.parquet'))).toBe(true);
    expect(files).toContain('reports/run_report.json');
    const report = JSON.parse(readFileSync(path.join(out, 'reports/run_report.json'), 'utf8'));
    expect(report.rows.read).toBe(report.rows.written + report.rows.rejected);
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: `${name}-123456789012-us-east-1` }))).rejects.toMatchObject({ name: 'NotFound' });
    const status = JSON.parse((await stack.cli(['status', '--json', '--name', name])).stdout);
    expect(status.resources.filter((r: { exists: boolean }) => r.exists)).toEqual([]);

    // The run's manifest came with the results: what it read, byte for byte the files of the data folder.
    const manifestFile = `manifests/runs/${path.basename(report.outputs.run_manifest)}`;
    expect(files.filter((f) => f.startsWith('manifests/runs/'))).toEqual([manifestFile]);
    const manifest = JSON.parse(readFileSync(path.join(out, manifestFile), 'utf8'));
    expect(manifest).toMatchObject({ manifest_version: 2, runtime: { platform: 'local' }, contract_sha256: null, rows: report.rows });
    expect(manifest.run_id).toMatch(/^local-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    const raw = `s3a://${name}-123456789012-us-east-1/raw/`;
    const local = (key: string) => path.join(dataDir, ...key.slice(raw.length).split('/'));
    expect(manifest.inputs.map((i: { key: string }) => i.key)).toEqual([
      `${raw}airports/airports.csv`,
      `${raw}flights/year=2001/month=01/flights-2001-01.csv.gz`,
      `${raw}flights/year=2001/month=04/flights-2001-04.csv.gz`,
    ]);
    for (const input of manifest.inputs) expect(input.sha256, input.key).toBe(sha256(readFileSync(local(input.key))));
    // Every exported result is one the manifest lists, with its checksum.
    const listed = new Map(manifest.outputs.files.map((f: { key: string; sha256: string }) => [f.key, f.sha256]));
    const results = files.filter((f) => !f.startsWith('reports/') && !f.startsWith('manifests/runs/') && f !== '.provisioner-export.json');
    for (const rel of results) expect(listed.get(rel), rel).toBe(sha256(readFileSync(path.join(out, rel))));

    const verified = await stack.cli(['export', '--verify', '--to', out]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout.trim()).toBe(`Verified ${files.length - 1} files in ${out} against run ${manifest.run_id}'s manifest (${manifestFile}) and the export record: none changed, missing or extra`);
    // A changed, a missing and an extra file are each named, and the exit code is 1.
    const [parquet] = results.filter((f) => f.startsWith('features/'));
    const [csv] = results.filter((f) => f.endsWith('.csv'));
    writeFileSync(path.join(out, parquet!), Buffer.concat([readFileSync(path.join(out, parquet!)), Buffer.from('x')]));
    rmSync(path.join(out, csv!));
    writeFileSync(path.join(out, 'features', 'notes.txt'), 'mine');
    const failed = await stack.cli(['export', '--verify', '--to', out, '--json']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(JSON.parse(failed.stdout).problems.map((p: { file: string; problem: string }) => [p.file, p.problem])).toEqual(
      [[parquet, 'changed'], [csv, 'missing'], ['features/notes.txt', 'extra']].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const text = await stack.cli(['export', '--verify', '--to', out]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  missing ${csv}  (named by run ${manifest.run_id}'s manifest)`);

    // status --run shows a past run's manifest from the stack's bucket, the run long gone.
    await put(manifestFile, readFileSync(path.join(out, manifestFile), 'utf8'));
    const shownRun = await stack.cli(['status', '--run', manifest.run_id, '--json']);
    expect(shownRun.code, shownRun.stderr).toBe(0);
    expect(JSON.parse(shownRun.stdout)).toMatchObject({ runId: manifest.run_id, location: `s3://${BUCKET}/processed/${manifestFile}`, manifest });
    const asText = await stack.cli(['status', '--run', manifest.run_id]);
    expect(asText.stdout).toContain(`Run ${manifest.run_id} of ${name}-features`);
    expect(asText.stdout).toContain('  runtime:   local Spark local[');
    const unknown = await stack.cli(['status', '--run', 'jr_0123']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n').pop()).toContain(`invalid --run "jr_0123": there is no run manifest s3://${BUCKET}/processed/manifests/runs/jr_0123.json`);
  }, 600_000);
});
