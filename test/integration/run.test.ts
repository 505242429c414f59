import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GlueClient, StartCrawlerCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEnv, runCli } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { startRequestLog, type RequestLog } from './support/request-log.js';
import { writeTinyRawData } from './support/tiny-data.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';
const PYTHON = path.resolve('.venv/bin/python');

async function setTransition(moto: MotoServer, model: string, transition: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${moto.url}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: model, transition }),
  });
  expect(response.ok).toBe(true);
}

describe('provisioner run', () => {
  let moto: MotoServer;
  let log: RequestLog;
  let env: Record<string, string>;
  let glue: GlueClient;
  let s3: S3Client;
  let work: string;
  let rows: number;
  let dirs: string[];

  beforeAll(async () => {
    moto = await startMoto();
    log = await startRequestLog(moto.url);
    env = awsEnv(log.url);
    const config = { region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    glue = new GlueClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    work = mkdtempSync(path.join(tmpdir(), 'provisioner-run-'));
    ({ rows } = writeTinyRawData(path.join(work, 'data')));
    dirs = ['--data-dir', path.join(work, 'data'), '--job-dir', path.resolve('glue-job')];
    const up = await runCli(['up', ...dirs], env);
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    glue?.destroy();
    s3?.destroy();
    await log?.close();
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts the workflow, and a second run joins it instead of starting another', async () => {
    log.clear();
    const first = await runCli(['run'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(log.requests.filter((r) => r.operation === 'StartWorkflowRun')).toHaveLength(1);

    log.clear();
    const second = await runCli(['run', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).alreadyRunning).toBe(true);
    expect(second.stderr).toContain('already in progress');
    expect(log.requests.filter((r) => r.operation === 'StartWorkflowRun')).toEqual([]);
  });

  it('--wait gives up after --timeout with exit 1 while nothing finishes', async () => {
    const result = await runCli(['run', '--wait', '--timeout', '0.02', '--poll-interval', '0.2'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('timed out');
    expect(result.stdout).toContain('/aws-glue/jobs/output');
  });

  it('--wait follows the crawl and the job to SUCCEEDED and exits 0', async () => {
    await setTransition(moto, 'glue::crawl', { progression: 'immediate' });
    await setTransition(moto, 'glue::job_run', { progression: 'immediate' });
    // Moto's workflows start nothing, so play Glue's part: the crawl, then the job it triggers.
    await glue.send(new StartCrawlerCommand({ Name: 'flight-delays-raw-crawler' }));
    await glue.send(new StartJobRunCommand({ JobName: 'flight-delays-features' }));

    const result = await runCli(['run', '--wait', '--timeout', '1', '--poll-interval', '0.2'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/job run \S+ SUCCEEDED/);
    expect(result.stderr).toContain('crawl COMPLETED');
  });

  it('run --local runs the job from the bucket on local Spark and writes processed/', async () => {
    const result = await runCli(['run', '--local', '--json', '--python', PYTHON], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.rows.read).toBe(rows);
    expect(report.rows.written + report.rows.rejected).toBe(rows);
    expect(report.rejected_by_reason.duplicate).toBe(2);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'processed/features/' }));
    expect((listed.Contents ?? []).some((o) => o.Key?.endsWith('.parquet'))).toBe(true);
    const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'processed/reports/run_report.json' }));
    expect(JSON.parse(await stored.Body!.transformToString()).rows).toEqual(report.rows);
  });

  it('run --local names what to install when pyspark is missing', async () => {
    const result = await runCli(['run', '--local', '--python', '/usr/bin/python3'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pyspark is not installed .*pip install pyspark==3\.5\.4/);
  });
});
