import path from 'node:path';
import { GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { StartJobRunCommand } from '@aws-sdk/client-glue';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';
import { JOB_DIR } from './support/paths.js';
import type { LoggedRequest } from './support/request-log.js';
import { loadShapes, requestProblems } from './support/service-shapes.js';

const STACK = 'flight-delays';
const BUCKET = `${STACK}-123456789012-us-east-1`;
const JOB = `${STACK}-features`;
/** Glue's request shapes as botocore publishes them (scripts/glue_shapes.py wrote the fixture). */
const GLUE = loadShapes(path.resolve('test/integration/fixtures/glue-shapes.json'));

/** The body of the one logged Glue request of this operation. */
function glueBody(requests: readonly LoggedRequest[], operation: string): Record<string, unknown> {
  const matching = requests.filter((r) => r.service === 'glue' && r.operation === operation);
  expect(matching, `${operation} requests`).toHaveLength(1);
  return JSON.parse(matching[0]!.body) as Record<string, unknown>;
}

describe('job settings, retention and cost against a local AWS', () => {
  // Moto has no UpdateJob: the proxy logs the request as AWS would get it and answers as Glue does.
  const stack = useEmulator({
    requestLog: { respond: (request) => (request.operation === 'UpdateJob' ? { status: 200, body: JSON.stringify({ JobName: JOB }) } : undefined) },
  });
  let dataDir: string;
  /** Every Glue request of the file, for the check against botocore's shapes at the end. */
  const glueRequests: LoggedRequest[] = [];
  const cli = async (...args: string[]) => {
    stack.log.clear();
    const result = await stack.cli([...args, '--data-dir', dataDir, '--job-dir', JOB_DIR]);
    glueRequests.push(...stack.log.requests.filter((r) => r.service === 'glue'));
    return result;
  };
  const lifecycleRules = async () => (await stack.aws.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules ?? [];

  beforeAll(() => {
    dataDir = stack.temp.tinyRawData('job-settings-data').dir;
  });

  it('the shape check finds what AWS would refuse', () => {
    const body = JSON.stringify({
      JobName: JOB,
      JobUpdate: { Role: 'r', Command: { Name: 'glueetl' }, ExecutionClass: 'flex', JobRunQueuingEnabled: 'yes', GlueVersion: '5.1\n', Bogus: 1 },
    });
    expect(requestProblems(GLUE, 'UpdateJob', body).sort()).toEqual(
      [
        'UpdateJob $.JobUpdate: JobUpdate has no member Bogus',
        'UpdateJob $.JobUpdate.ExecutionClass: "flex" is not one of FLEX, STANDARD',
        'UpdateJob $.JobUpdate.JobRunQueuingEnabled: expected true or false (NullableBoolean), got "yes"',
        'UpdateJob $.JobUpdate.GlueVersion: "5.1\\n" does not match ^((\\w+\\.)+\\w+|auto)$',
      ].sort(),
    );
  });

  it('up creates the job with the default settings, the expiry rules, and prints the cost of a run', async () => {
    const result = await cli('up', '--json', '--expected-minutes', '20');
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { cost: Record<string, unknown> };
    // 2 x G.1X = 2 DPU x 20/60 h = 0.666667 DPU-h x $0.44 = $0.293333; the crawl 2 DPU x 10 min x $0.44 = $0.146667.
    expect(output.cost).toMatchObject({
      estimate: true,
      currency: 'USD',
      region: 'us-east-1',
      job: { dpus: 2, minutes: 20, minutesFrom: 'setting', dpuHours: 0.666667, usdPerDpuHour: 0.44, usd: 0.293333 },
      crawler: { dpuHoursFrom: 'assumed', usd: 0.146667 },
      totalUsd: 0.44,
      complete: true,
    });

    const created = glueBody(stack.log.requests, 'CreateJob');
    expect(created).toMatchObject({ GlueVersion: '5.0', ExecutionClass: 'STANDARD', JobRunQueuingEnabled: false, WorkerType: 'G.1X', NumberOfWorkers: 2 });
    expect(created.DefaultArguments).not.toHaveProperty('--additional-python-modules');

    expect(await lifecycleRules()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ID: 'abort-incomplete-multipart-uploads', Status: 'Enabled' }),
        expect.objectContaining({ ID: 'retention-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 30 } }),
        expect.objectContaining({ ID: 'retention-spark-logs', Status: 'Enabled', Filter: { Prefix: 'spark-logs/' }, Expiration: { Days: 30 } }),
        expect.objectContaining({ ID: 'retention-athena-results', Status: 'Enabled', Filter: { Prefix: 'athena-results/' }, Expiration: { Days: 30 } }),
      ]),
    );
  });

  const NEW_SETTINGS = [
    '--glue-version',
    '5.1',
    '--execution-class',
    'FLEX',
    '--python-modules',
    'pyarrow==17.0.0,rapidfuzz>=3',
    '--job-run-queuing',
    '--retention-days',
    '7',
  ];

  it('plan shows the new settings as what would change, and the Flex price', async () => {
    const result = await cli('plan', '--json', ...NEW_SETTINGS);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { changes: { kind: string; action: string; details: string[] }[]; cost: { job: Record<string, unknown> } };
    const job = output.changes.find((c) => c.kind === 'job');
    expect(job?.action).toBe('update');
    expect(job?.details).toEqual(expect.arrayContaining(['Glue version', 'execution class', 'Python modules', 'job run queuing']));
    expect(output.changes.find((c) => c.kind === 'bucket')).toMatchObject({ action: 'update', details: ['retention of tmp/, spark-logs/ and athena-results/'] });
    // 2 DPU x 0.25 h x $0.29 (Flex in us-east-1).
    expect(output.cost.job).toMatchObject({ executionClass: 'FLEX', minutes: 15, usdPerDpuHour: 0.29, usd: 0.145 });
    expect(stack.log.mutating()).toEqual([]);

    const text = await cli('plan', ...NEW_SETTINGS);
    expect(text.stdout).toMatch(/^~ update +job +flight-delays-features +\(.*Glue version.*\)$/m);
    expect(text.stdout).toContain('Estimated cost of one run (an estimate, USD, us-east-1;');
  });

  it('up sends them in an UpdateJob and changes the expiry to 7 days', async () => {
    const result = await cli('up', ...NEW_SETTINGS);
    expect(result.code, result.stderr).toBe(0);
    const update = glueBody(stack.log.requests, 'UpdateJob') as { JobName: string; JobUpdate: Record<string, unknown> };
    expect(update.JobName).toBe(JOB);
    expect(update.JobUpdate).toMatchObject({
      GlueVersion: '5.1',
      ExecutionClass: 'FLEX',
      JobRunQueuingEnabled: true,
      WorkerType: 'G.1X',
      DefaultArguments: expect.objectContaining({ '--additional-python-modules': 'pyarrow==17.0.0,rapidfuzz>=3' }),
    });
    const rules = await lifecycleRules();
    expect(rules.filter((r) => r.ID?.startsWith('retention-')).map((r) => [r.ID, r.Expiration?.Days])).toEqual([
      ['retention-tmp', 7],
      ['retention-spark-logs', 7],
      ['retention-athena-results', 7],
    ]);
  });

  it('--retention-days 0 removes the expiry and keeps the abort-uploads rule', async () => {
    const result = await cli('up', '--retention-days', '0');
    expect(result.code, result.stderr).toBe(0);
    expect((await lifecycleRules()).map((r) => r.ID)).toEqual(['abort-incomplete-multipart-uploads']);
  });

  it('status lists the last runs with their DPU-seconds and cost, and keeps lastJobRun', async () => {
    await stack.aws.glue.send(new StartJobRunCommand({ JobName: JOB }));
    await stack.aws.glue.send(new StartJobRunCommand({ JobName: JOB }));
    const result = await cli('status', '--json', '--runs', '3');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown> & { jobRuns: Record<string, unknown>[] };
    expect(report).toHaveProperty('lastWorkflowRun');
    expect(report.workflowRuns).toEqual(expect.any(Array));
    expect(report.crawls).toEqual(expect.any(Array));
    expect(report.jobRuns).toHaveLength(2);
    expect(report.jobRuns[0]).toEqual(expect.objectContaining({ id: expect.any(String), state: expect.any(String), dpuSeconds: expect.toSatisfy((v) => v === null || typeof v === 'number'), costUsd: expect.toSatisfy((v) => v === null || typeof v === 'number') }));
    expect(report.lastJobRun).toEqual(report.jobRuns[0]);
    expect(glueBody(stack.log.requests, 'GetJobRuns')).toEqual({ JobName: JOB, MaxResults: 3 });
    expect(glueBody(stack.log.requests, 'ListCrawls')).toMatchObject({ CrawlerName: `${STACK}-raw-crawler` });

    const text = await cli('status', '--runs', '3');
    expect(text.stdout).toMatch(/^ {2}job runs:\n {4}\S+/m);
  });

  it("every job and run request sent fits the shapes botocore publishes for Glue", () => {
    const checked = glueRequests.filter((r) => r.operation in GLUE.operations);
    expect(new Set(checked.map((r) => r.operation))).toEqual(new Set(['CreateJob', 'UpdateJob', 'GetJob', 'GetJobRuns', 'GetWorkflowRuns', 'ListCrawls']));
    expect(checked.flatMap((r) => requestProblems(GLUE, r.operation, r.body))).toEqual([]);
  });
});
