import path from 'node:path';
import {
  CreateNamedQueryCommand,
  DeleteNamedQueryCommand,
  GetNamedQueryCommand,
  GetWorkGroupCommand,
  ListNamedQueriesCommand,
  ListTagsForResourceCommand,
  type NamedQuery,
} from '@aws-sdk/client-athena';
import { HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_QUERIES } from '../../src/resources/named-queries.js';
import { useEmulator } from './support/harness.js';
import type { LoggedRequest } from './support/request-log.js';
import { loadShapes, requestProblems } from './support/service-shapes.js';

const STACK = 'athena-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = `${STACK}-${ACCOUNT}-${REGION}`;
const DATABASE = 'athena_stack';
/** Athena's request shapes as botocore publishes them (scripts/glue_shapes.py). */
const ATHENA = loadShapes(path.resolve('test/integration/fixtures/athena-shapes.json'));

interface Change {
  kind: string;
  name: string;
  action: string;
  details: string[];
}

/**
 * The Athena workgroup and its named queries against moto. Moto has no UpdateWorkGroup and no
 * DeleteNamedQuery, answers GetWorkGroup of a missing workgroup with nothing, keeps named queries
 * past their workgroup's deletion and a copy per retried create: the file starts moto with the
 * `athena-workgroups` patch (scripts/moto_patches.py), which behaves as AWS documents. Moto runs no
 * query: what the queries answer is tested on the job's own output (glue-job/tests).
 */
describe('the Athena workgroup and its named queries', () => {
  const stack = useEmulator({ region: REGION, motoPatches: ['athena-workgroups'] });
  let dataDir: string;
  let jobDir: string;
  /** Every Athena request the CLI sent in this file, for the check against botocore's shapes. */
  const athenaRequests: LoggedRequest[] = [];

  beforeAll(() => {
    dataDir = stack.temp.tinyRawData('athena-data').dir;
    jobDir = stack.temp.jobCopy('athena-job');
  });

  const cli = async (...args: string[]) => {
    stack.log.clear();
    const result = await stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);
    athenaRequests.push(...stack.log.requests.filter((r) => r.service === 'athena'));
    return result;
  };
  const workgroup = async () => (await stack.aws.athena.send(new GetWorkGroupCommand({ WorkGroup: STACK }))).WorkGroup!;
  const savedQueries = async (): Promise<NamedQuery[]> => {
    const ids = (await stack.aws.athena.send(new ListNamedQueriesCommand({ WorkGroup: STACK }))).NamedQueryIds ?? [];
    return Promise.all(ids.map(async (NamedQueryId) => (await stack.aws.athena.send(new GetNamedQueryCommand({ NamedQueryId }))).NamedQuery!));
  };
  const asWanted = (queries: NamedQuery[]) =>
    queries.map((q) => ({ name: q.Name, description: q.Description, database: q.Database, sql: q.QueryString })).sort((a, b) => a.name!.localeCompare(b.name!));
  const WANTED = STACK_QUERIES.map((q) => ({ name: q.name, description: q.description, database: DATABASE, sql: q.sql }));
  const athenaWrites = () => stack.log.mutating().filter((r) => r.service === 'athena').map((r) => r.operation);

  it('plan lists the workgroup and the named queries as creates', async () => {
    const result = await cli('plan', '--json');
    expect(result.code, result.stderr).toBe(0);
    const changes = (JSON.parse(result.stdout) as { changes: Change[] }).changes.filter((c) => c.kind === 'workgroup' || c.kind === 'queries');
    expect(changes).toEqual([
      { kind: 'workgroup', name: STACK, action: 'create', details: [`results in s3://${BUCKET}/athena-results/ (SSE-S3)`, 'at most 10,240 MB scanned per query'] },
      { kind: 'queries', name: STACK, action: 'create', details: [`2 named queries on database ${DATABASE}: flights-per-quarter, worst-routes`] },
    ]);
    expect(stack.log.mutating()).toEqual([]);
  });

  it('up makes the workgroup: results under the bucket, encrypted, enforced, with a scan limit, metrics and the tags', async () => {
    const result = await cli('up');
    expect(result.code, result.stderr).toBe(0);
    const group = await workgroup();
    expect(group).toMatchObject({
      Name: STACK,
      State: 'ENABLED',
      Configuration: {
        ResultConfiguration: {
          OutputLocation: `s3://${BUCKET}/athena-results/`,
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          ExpectedBucketOwner: ACCOUNT,
        },
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10_240_000_000,
      },
    });
    const tags = await stack.aws.athena.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${STACK}` }));
    expect(Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({ ManagedBy: 'glue-provisioner', Stack: STACK });
    expect(athenaWrites()).toEqual(['CreateWorkGroup', 'CreateNamedQuery', 'CreateNamedQuery']);
  });

  it('saves the named queries in the workgroup, on the stack database', async () => {
    expect(asWanted(await savedQueries())).toEqual(WANTED);
  });

  it('a second up sends no write', async () => {
    const result = await cli('up');
    expect(result.code, result.stderr).toBe(0);
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual([]);
  });

  it('a scan limit below Athena least is refused in one line naming it, before any request', async () => {
    const result = await cli('up', '--athena-scan-limit-mb', '5');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining("invalid --athena-scan-limit-mb 5: expected a whole number from 10 to 1000000000 MB; Athena's least per-query limit is 10 MB"),
    ]);
    expect(stack.log.requests).toEqual([]);
  });

  it('a changed scan limit is planned as the one change, and updated in place', async () => {
    const plan = await cli('plan', '--athena-scan-limit-mb', '20', '--json');
    expect(plan.code, plan.stderr).toBe(0);
    const changed = (JSON.parse(plan.stdout) as { changes: Change[] }).changes.filter((c) => c.action !== 'no-op');
    expect(changed).toEqual([{ kind: 'workgroup', name: STACK, action: 'update', details: ['scan limit per query'] }]);

    const up = await cli('up', '--athena-scan-limit-mb', '20');
    expect(up.code, up.stderr).toBe(0);
    expect(stack.log.mutating().map((r) => `${r.service} ${r.operation}`)).toEqual(['s3 PutObject', 'athena UpdateWorkGroup', 's3 DeleteObject']);
    expect((await workgroup()).Configuration?.BytesScannedCutoffPerQuery).toBe(20_000_000);
    // The queries and the rest of the workgroup are as they were.
    expect((await workgroup()).Configuration?.ResultConfiguration?.OutputLocation).toBe(`s3://${BUCKET}/athena-results/`);
    expect(asWanted(await savedQueries())).toEqual(WANTED);

    const again = await cli('up', '--athena-scan-limit-mb', '20');
    expect(again.code, again.stderr).toBe(0);
    expect(stack.log.mutating()).toEqual([]);
  });

  it('up replaces a query changed outside and deletes one it did not save', async () => {
    const [stale] = (await savedQueries()).filter((q) => q.Name === 'worst-routes');
    await stack.aws.athena.send(new DeleteNamedQueryCommand({ NamedQueryId: stale!.NamedQueryId! }));
    await stack.aws.athena.send(new CreateNamedQueryCommand({ WorkGroup: STACK, Database: DATABASE, Name: 'worst-routes', Description: stale!.Description!, QueryString: 'SELECT 1' }));
    await stack.aws.athena.send(new CreateNamedQueryCommand({ WorkGroup: STACK, Database: DATABASE, Name: 'scratch', QueryString: 'SELECT 2' }));

    const plan = await cli('plan', '--athena-scan-limit-mb', '20', '--json');
    const changed = (JSON.parse(plan.stdout) as { changes: Change[] }).changes.filter((c) => c.action !== 'no-op');
    expect(changed).toEqual([{ kind: 'queries', name: STACK, action: 'update', details: ['replace worst-routes', 'delete scratch'] }]);

    const up = await cli('up', '--athena-scan-limit-mb', '20');
    expect(up.code, up.stderr).toBe(0);
    expect(athenaWrites()).toEqual(['CreateNamedQuery', 'DeleteNamedQuery', 'DeleteNamedQuery']);
    expect(asWanted(await savedQueries())).toEqual(WANTED);
  });

  it('status lists the workgroup', async () => {
    const result = await cli('status', '--json');
    expect(result.code, result.stderr).toBe(0);
    const resources = (JSON.parse(result.stdout) as { resources: { kind: string; name: string; exists: boolean; state?: string }[] }).resources;
    expect(resources.filter((r) => r.kind === 'workgroup')).toEqual([{ kind: 'workgroup', name: STACK, exists: true, state: 'ENABLED' }]);
  });

  it('teardown deletes the workgroup with its queries, and the results with the bucket', async () => {
    // A result as Athena writes one for a query run in the workgroup (moto runs none).
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'athena-results/4f1c.csv', Body: 'year,quarter,flights\n' }));
    expect(await savedQueries()).toHaveLength(2);
    const result = await cli('teardown', '--yes');
    expect(result.code, result.stderr).toBe(0);
    const deletes = stack.log.requests.filter((r) => r.service === 'athena' && r.operation === 'DeleteWorkGroup');
    expect(deletes.map((r) => JSON.parse(r.body) as unknown)).toEqual([{ WorkGroup: STACK, RecursiveDeleteOption: true }]);
    await expect(stack.aws.athena.send(new GetWorkGroupCommand({ WorkGroup: STACK }))).rejects.toThrow(`WorkGroup ${STACK} is not found.`);
    // Moto lists a deleted workgroup's queries under its name still, but for the patch: none are left.
    expect((await stack.aws.athena.send(new ListNamedQueriesCommand({ WorkGroup: STACK }))).NamedQueryIds).toEqual([]);
    await expect(stack.aws.s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it("every Athena request sent fits botocore's shapes", () => {
    const operations = new Set(athenaRequests.map((r) => r.operation));
    for (const operation of ['GetWorkGroup', 'CreateWorkGroup', 'UpdateWorkGroup', 'DeleteWorkGroup', 'ListTagsForResource', 'ListNamedQueries', 'GetNamedQuery', 'CreateNamedQuery', 'DeleteNamedQuery']) {
      expect(operations, operation).toContain(operation);
    }
    expect(athenaRequests.flatMap((r) => requestProblems(ATHENA, r.operation, r.body))).toEqual([]);
  });

  it('the shape check finds what Athena would refuse', () => {
    const body = JSON.stringify({ Name: 'x', Configuration: { BytesScannedCutoffPerQuery: 5_000_000, ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'AES256' } } } });
    expect(requestProblems(ATHENA, 'CreateWorkGroup', body).sort()).toEqual(
      [
        'CreateWorkGroup $.Configuration.BytesScannedCutoffPerQuery: value 5000000 is below the minimum 10000000',
        'CreateWorkGroup $.Configuration.ResultConfiguration.EncryptionConfiguration.EncryptionOption: "AES256" is not one of SSE_S3, SSE_KMS, CSE_KMS',
      ].sort(),
    );
  });
});
