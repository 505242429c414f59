import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { orUndefined } from '../aws/errors.js';
import type { StackContext } from '../core/context.js';
import { parsePolicyDocument, sameJson } from '../util/json.js';
import { PREFIX } from '../core/names.js';
import { tagList, tagRecord } from '../aws/tags.js';
import { labelsFrom, type ResourceDefinition } from './resource.js';

export interface RoleState {
  readonly trustPolicy: unknown;
  readonly accessPolicy: unknown;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

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

type RoleKey = 'trustPolicy' | 'accessPolicy';

/** The service role the crawler and job run as; not created when --role-arn names one. */
export function roleResource(ctx: StackContext): ResourceDefinition<RoleState, RoleKey> {
  const { iam } = ctx.aws;
  const RoleName = ctx.names.role;
  const PolicyName = ctx.names.rolePolicy;
  const accessPolicy = glueAccessPolicy(ctx);
  const putAccessPolicy = () =>
    iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify(accessPolicy) }));

  return {
    kind: 'role',
    name: RoleName,
    label: labelsFrom<RoleKey>({ trustPolicy: 'trust policy', accessPolicy: 'access policy' }),

    async find() {
      // Both at once: the policy of a role that does not exist is simply not found.
      const [role, policy] = await Promise.all([
        orUndefined(iam.send(new GetRoleCommand({ RoleName }))),
        orUndefined(iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))),
      ]);
      if (!role?.Role) return undefined;
      const tags = tagRecord(role.Role.Tags);
      return {
        state: {
          trustPolicy: parsePolicyDocument(role.Role.AssumeRolePolicyDocument),
          accessPolicy: parsePolicyDocument(policy?.PolicyDocument),
        },
        tags,
      };
    },

    drift(current) {
      const drift: RoleKey[] = [];
      if (!sameJson(current.trustPolicy, glueTrustPolicy)) drift.push('trustPolicy');
      if (!sameJson(current.accessPolicy, accessPolicy)) drift.push('accessPolicy');
      return drift;
    },

    createDetails() {
      return ['trusted by glue.amazonaws.com', `inline policy ${PolicyName}`];
    },

    async create() {
      await iam.send(
        new CreateRoleCommand({
          RoleName,
          AssumeRolePolicyDocument: JSON.stringify(glueTrustPolicy),
          Description: `Glue crawler and job role of stack ${ctx.names.stack}`,
          Tags: tagList(ctx.tags),
        }),
      );
      await putAccessPolicy();
    },

    async update(_current, keys) {
      if (keys.includes('trustPolicy')) {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: JSON.stringify(glueTrustPolicy) }));
      }
      if (keys.includes('accessPolicy')) await putAccessPolicy();
    },

    async addTags(missing) {
      await iam.send(new TagRoleCommand({ RoleName, Tags: tagList(missing) }));
    },

    async destroy() {
      // IAM refuses to delete a role that still has policies. One removed by someone else between
      // the listing and our call is gone all the same.
      for await (const page of paginateListRolePolicies({ client: iam }, { RoleName })) {
        for (const PolicyName of page.PolicyNames ?? []) {
          await ignoreNotFound(iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })));
        }
      }
      for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName })) {
        for (const policy of page.AttachedPolicies ?? []) {
          await ignoreNotFound(iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: policy.PolicyArn })));
        }
      }
      await iam.send(new DeleteRoleCommand({ RoleName }));
    },
  };
}

/** Runs a delete; one that finds nothing to delete has nothing left to do. */
async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  await orUndefined(call);
}
