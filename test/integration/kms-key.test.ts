import { GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from './support/harness.js';

const STACK = 'kms-stack';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = `${STACK}-${ACCOUNT}-${REGION}`;
const ALIAS = 'alias/provisioner-data';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** `up --kms-key` against moto's KMS: the role's policy names the key by its ARN, whatever the user named it by. */
describe('--kms-key', () => {
  const stack = useEmulator({ region: REGION });
  let dataDir: string;
  let jobDir: string;
  let keyId: string;
  let keyArn: string;

  beforeAll(async () => {
    dataDir = stack.temp.tinyRawData('kms-data').dir;
    jobDir = stack.temp.jobCopy('kms-job');

    const key = await stack.aws.kms.send(new CreateKeyCommand({ Description: 'provisioner integration test' }));
    keyId = key.KeyMetadata!.KeyId!;
    keyArn = key.KeyMetadata!.Arn!;
    await stack.aws.kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: keyId }));
  });

  const cli = (...args: string[]) => stack.cli([...args, '--name', STACK, '--data-dir', dataDir, '--job-dir', jobDir]);

  async function rolePolicy(): Promise<Statement[]> {
    const policy = await stack.aws.iam.send(new GetRolePolicyCommand({ RoleName: `${STACK}-glue-role`, PolicyName: `${STACK}-glue-access` }));
    return (JSON.parse(decodeURIComponent(policy.PolicyDocument!)) as { Statement: Statement[] }).Statement;
  }

  it('refuses a key that does not exist before creating anything, in one line naming it (exit 2)', async () => {
    stack.log.clear();
    const result = await cli('up', '--kms-key', 'alias/no-such-key');
    expect(result.code, result.stderr).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('alias/no-such-key');
    expect(stack.log.mutating()).toEqual([]);
    expect(stack.log.requests.map((r) => r.operation)).toContain('DescribeKey');
  });

  it('up --kms-key alias/NAME grants the role KMS use on the key ARN, and encrypts the bucket with the key as given', async () => {
    stack.log.clear();
    const result = await cli('up', '--kms-key', ALIAS);
    expect(result.code, result.stderr).toBe(0);
    // Once for --kms-key; the other DescribeKey looks for the alert key an earlier `up --notify` may have made.
    expect(stack.log.requests.filter((r) => r.operation === 'DescribeKey' && r.body.includes(ALIAS))).toHaveLength(1);

    const kmsStatements = (await rolePolicy()).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toHaveLength(1);
    expect(asList(kmsStatements[0]!.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kmsStatements[0]!.Resource).toBe(keyArn);
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}$`));

    const encryption = await stack.aws.s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toMatchObject({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: ALIAS,
    });
    // Athena's query results with the same key, named by its ARN: Athena takes no alias.
    const group = await stack.aws.athena.send(new GetWorkGroupCommand({ WorkGroup: STACK }));
    expect(group.WorkGroup?.Configuration?.ResultConfiguration?.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_KMS', KmsKey: keyArn });
  });

  it('the policy IAM accepted lists and aborts uploads only under the prefixes the role uses', async () => {
    const statements = await rolePolicy();
    const listing = statements.filter((s) => asList(s.Action).includes('s3:ListBucket'));
    expect(listing).toHaveLength(1);
    expect(listing[0]!.Condition?.StringLike?.['s3:prefix']).toEqual(expect.arrayContaining(['raw/*', 'scripts/*', 'processed/*', 'tmp/*', 'spark-logs/*']));
    const aborts = statements.filter((s) => asList(s.Action).includes('s3:AbortMultipartUpload')).flatMap((s) => asList(s.Resource));
    expect(aborts.sort()).toEqual([`arn:aws:s3:::${BUCKET}/processed/*`, `arn:aws:s3:::${BUCKET}/spark-logs/*`, `arn:aws:s3:::${BUCKET}/tmp/*`]);
  });

  it.each([
    ['the alias ARN', () => `arn:aws:kms:${REGION}:${ACCOUNT}:${ALIAS}`],
    ['the bare key id', () => keyId],
    ['the key ARN', () => keyArn],
  ])('naming the same key by %s leaves the role and the workgroup as they are', async (_how, kmsKey) => {
    stack.log.clear();
    const result = await cli('up', '--kms-key', kmsKey());
    expect(result.code, result.stderr).toBe(0);
    expect(stack.log.mutating().filter((r) => r.service === 'iam' || r.service === 'athena')).toEqual([]);
    const kmsStatements = (await rolePolicy()).filter((s) => asList(s.Action).some((a) => a.startsWith('kms:')));
    expect(kmsStatements.map((s) => s.Resource)).toEqual([keyArn]);
  });
});
