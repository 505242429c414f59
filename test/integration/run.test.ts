import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { StartCrawlerCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import type { MotoServer } from './support/moto.js';
import { JOB_DIR, VENV_PYTHON as PYTHON } from './support/paths.js';

const BUCKET = 'flight-delays-123456789012-us-east-1';

async function setTransition(moto: MotoServer, model: string, transition: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${moto.url}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: model, transition }),
  });
  expect(response.ok).toBe(true);
}

describe('provisioner run', () => {
  const stack = useEmulator();
  let rows: number;

  beforeAll(async () => {
    const data = stack.temp.tinyRawData('run-data');
    rows = data.rows;
    const up = await stack.cli(['up', '--data-dir', data.dir, '--job-dir', JOB_DIR]);
    expect(up.code, up.stderr).toBe(0);
  });

  it('starts the workflow, and a second run joins it instead of starting another', async () => {
    stack.log.clear();
    const first = await stack.cli(['run']);
    expect(first.code, first.stderr).toBe(0);
    expect(stack.log.requests.filter((r) => r.operation === 'StartWorkflowRun')).toHaveLength(1);

    stack.log.clear();
    const second = await stack.cli(['run', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).alreadyRunning).toBe(true);
    expect(second.stderr).toContain('already in progress');
    expect(stack.log.requests.filter((r) => r.operation === 'StartWorkflowRun')).toEqual([]);
  });

  it('--wait gives up after --timeout with exit 1 while nothing finishes', async () => {
    const result = await stack.cli(['run', '--wait', '--timeout', '0.02', '--poll-interval', '0.2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('timed out');
    expect(result.stdout).toContain('/aws-glue/jobs/output');
  });

  it('--wait follows the crawl and the job to SUCCEEDED and exits 0', async () => {
    await setTransition(stack.moto, 'glue::crawl', { progression: 'immediate' });
    await setTransition(stack.moto, 'glue::job_run', { progression: 'immediate' });
    // Moto's workflows start nothing, so play Glue's part: the crawl, then the job it triggers.
    await stack.aws.glue.send(new StartCrawlerCommand({ Name: 'flight-delays-raw-crawler' }));
    await stack.aws.glue.send(new StartJobRunCommand({ JobName: 'flight-delays-features' }));

    const result = await stack.cli(['run', '--wait', '--timeout', '1', '--poll-interval', '0.2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/job run \S+ SUCCEEDED/);
    expect(result.stderr).toContain('crawl COMPLETED');
  });

  it('run --local runs the job from the bucket on local Spark and writes processed/', async () => {
    const result = await stack.cli(['run', '--local', '--json', '--python', PYTHON]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.rows.read).toBe(rows);
    expect(report.rows.written + report.rows.rejected).toBe(rows);
    expect(report.rejected_by_reason.duplicate).toBe(2);

    const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'processed/features/' }));
    expect((listed.Contents ?? []).some((o) => o.Key?.endsWith('.parquet'))).toBe(true);
    const stored = await stack.aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'processed/reports/run_report.json' }));
    expect(JSON.parse(await stored.Body!.transformToString()).rows).toEqual(report.rows);
  }, 600_000);

  it('run --local names what to install when pyspark is missing', async () => {
    const result = await stack.cli(['run', '--local', '--python', '/usr/bin/python3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pyspark is not installed .*pip install pyspark==3\.5\.4/);
  });
});
