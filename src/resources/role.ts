import type { StackContext } from '../core/context.js';
import { PREFIX } from '../core/names.js';
import type { ResourceDefinition } from './resource.js';
import { serviceRoleResource, type RoleKey, type RoleState } from './service-role.js';

export { roleArn, type RoleState } from './service-role.js';

/** Only the Glue service may assume the role. */
export const glueTrustPolicy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The bucket's top-level folders the role lists: what it reads and what it writes. */
const LISTED_PREFIXES = [PREFIX.raw, PREFIX.scripts, PREFIX.processed, PREFIX.temp, PREFIX.sparkLogs];
const WRITTEN_PREFIXES = [PREFIX.processed, PREFIX.temp, PREFIX.sparkLogs];

/**
 * What the crawler and job need and nothing more: this bucket's prefixes, this database's catalog
 * entries, Glue's own log groups and metrics, and the bucket's KMS key when one is set.
 */
export function glueAccessPolicy(ctx: Pick<StackContext, 'aws' | 'names' | 'kmsKeyArn'>): unknown {
  const { partition, region, accountId } = ctx.aws;
  const bucketArn = `arn:${partition}:s3:::${ctx.names.bucket}`;
  const catalog = `arn:${partition}:glue:${region}:${accountId}`;
  const database = ctx.names.database;
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'ListBucket',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      // A folder is listed by its own prefix (`processed/`) and by prefixes below it (the crawler,
      // Spark's directory probes and partition discovery): nothing outside these folders.
      Condition: { StringLike: { 's3:prefix': LISTED_PREFIXES.flatMap((prefix) => [prefix, `${prefix}*`]) } },
    },
    // GetBucketLocation has no s3:prefix: a prefix condition would deny it.
    { Sid: 'BucketLocation', Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
    {
      Sid: 'ReadInputs',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [`${bucketArn}/${PREFIX.raw}*`, `${bucketArn}/${PREFIX.scripts}*`],
    },
    {
      Sid: 'WriteOutputs',
      Effect: 'Allow',
      // Spark writes large files as multipart uploads and aborts them when a task fails.
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: WRITTEN_PREFIXES.map((prefix) => `${bucketArn}/${prefix}*`),
    },
    {
      Sid: 'Catalog',
      Effect: 'Allow',
      Action: [
        'glue:GetDatabase',
        'glue:GetTable',
        'glue:GetTables',
        'glue:CreateTable',
        'glue:UpdateTable',
        'glue:GetPartition',
        'glue:GetPartitions',
        'glue:BatchGetPartition',
        'glue:CreatePartition',
        'glue:BatchCreatePartition',
        'glue:UpdatePartition',
        'glue:BatchUpdatePartition',
      ],
      Resource: [`${catalog}:catalog`, `${catalog}:database/${database}`, `${catalog}:table/${database}/*`],
    },
    {
      // The job asks Glue about its own run (version, workers, arguments) for the run manifest.
      Sid: 'OwnJobRuns',
      Effect: 'Allow',
      Action: 'glue:GetJobRun',
      Resource: `${catalog}:job/${ctx.names.job}`,
    },
    {
      Sid: 'Logs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:/aws-glue/*`,
    },
    {
      Sid: 'Metrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
    },
  ];
  if (ctx.kmsKeyArn) {
    // By its key ARN: IAM does not match a KMS key by an alias, so an alias here would grant nothing.
    statements.push({ Sid: 'BucketKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: ctx.kmsKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The service role the crawler and job run as; not created when --role-arn names one. */
export function roleResource(ctx: StackContext): ResourceDefinition<RoleState, RoleKey> {
  return serviceRoleResource(ctx, {
    roleName: ctx.names.role,
    policyName: ctx.names.rolePolicy,
    service: 'glue.amazonaws.com',
    description: `Glue crawler and job role of stack ${ctx.names.stack}`,
    trustPolicy: glueTrustPolicy,
    accessPolicy: glueAccessPolicy(ctx),
  });
}
