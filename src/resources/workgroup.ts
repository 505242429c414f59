import {
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  GetWorkGroupCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateWorkGroupCommand,
  type EncryptionConfiguration,
  type ResultConfigurationUpdates,
  type WorkGroup,
  type WorkGroupConfiguration,
  type WorkGroupConfigurationUpdates,
} from '@aws-sdk/client-athena';
import { orUndefined } from '../aws/errors.js';
import { tagList, tagRecord } from '../aws/tags.js';
import { BYTES_PER_MB } from '../core/athena.js';
import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { labelsFrom, type ResourceDefinition, type Tags } from './resource.js';

type WorkgroupKey = 'results' | 'encryption' | 'scanLimit' | 'enforced' | 'metrics' | 'state' | 'description';

/** The workgroup's ARN, by which Athena tags it. */
export function workgroupArn(ctx: Pick<StackContext, 'aws' | 'names'>): string {
  const { partition, region, accountId } = ctx.aws;
  return `arn:${partition}:athena:${region}:${accountId}:workgroup/${ctx.names.workgroup}`;
}

/**
 * Query results encrypted as the bucket is: SSE-S3, or SSE-KMS with --kms-key. Athena takes a key
 * by its ARN or id, not by an alias, so the key is named by the ARN `up` and `plan` resolved it to.
 */
export function resultEncryption(ctx: Pick<StackContext, 'settings' | 'kmsKeyArn'>): EncryptionConfiguration {
  if (!ctx.settings.kmsKey) return { EncryptionOption: 'SSE_S3' };
  return { EncryptionOption: 'SSE_KMS', KmsKey: ctx.kmsKeyArn ?? ctx.settings.kmsKey };
}

/**
 * What `up` wants of the workgroup: results under the stack's bucket, encrypted like it, and only
 * there (the workgroup's settings override a client's, so no query writes its results elsewhere or
 * unencrypted), a limit on the bytes one query may scan, and Athena's query metrics in CloudWatch.
 */
export function workgroupConfiguration(ctx: Pick<StackContext, 'aws' | 'names' | 'settings' | 'kmsKeyArn'>): WorkGroupConfiguration {
  return {
    ResultConfiguration: {
      OutputLocation: s3Uri(ctx.names.bucket, PREFIX.athenaResults),
      EncryptionConfiguration: resultEncryption(ctx),
      // Athena checks that the bucket is still this account's before it writes a result there.
      ExpectedBucketOwner: ctx.aws.accountId,
    },
    EnforceWorkGroupConfiguration: true,
    PublishCloudWatchMetricsEnabled: true,
    BytesScannedCutoffPerQuery: ctx.settings.athenaScanLimitMb * BYTES_PER_MB,
  };
}

/** Pure: which of the wanted settings the workgroup found lacks; what Athena adds itself is ignored. */
export function workgroupDrift(current: WorkGroup, wanted: WorkGroupConfiguration, description: string): WorkgroupKey[] {
  const now = current.Configuration ?? {};
  const results = now.ResultConfiguration ?? {};
  const wantedResults = wanted.ResultConfiguration ?? {};
  const drift: WorkgroupKey[] = [];
  if (results.OutputLocation !== wantedResults.OutputLocation || results.ExpectedBucketOwner !== wantedResults.ExpectedBucketOwner) drift.push('results');
  const encryption = results.EncryptionConfiguration;
  const wantedEncryption = wantedResults.EncryptionConfiguration;
  if (encryption?.EncryptionOption !== wantedEncryption?.EncryptionOption || (encryption?.KmsKey ?? undefined) !== wantedEncryption?.KmsKey) {
    drift.push('encryption');
  }
  if (now.BytesScannedCutoffPerQuery !== wanted.BytesScannedCutoffPerQuery) drift.push('scanLimit');
  if (now.EnforceWorkGroupConfiguration !== true) drift.push('enforced');
  if (now.PublishCloudWatchMetricsEnabled !== true) drift.push('metrics');
  if (current.State !== 'ENABLED') drift.push('state');
  if ((current.Description ?? '') !== description) drift.push('description');
  return drift;
}

/** Pure: the UpdateWorkGroup changes that bring back the drifted settings, and only those. */
export function configurationUpdates(wanted: WorkGroupConfiguration, keys: readonly WorkgroupKey[]): WorkGroupConfigurationUpdates | undefined {
  const results: ResultConfigurationUpdates = {};
  const updates: WorkGroupConfigurationUpdates = {};
  if (keys.includes('results')) {
    results.OutputLocation = wanted.ResultConfiguration?.OutputLocation;
    results.ExpectedBucketOwner = wanted.ResultConfiguration?.ExpectedBucketOwner;
  }
  if (keys.includes('encryption')) results.EncryptionConfiguration = wanted.ResultConfiguration?.EncryptionConfiguration;
  if (Object.keys(results).length > 0) updates.ResultConfigurationUpdates = results;
  if (keys.includes('scanLimit')) updates.BytesScannedCutoffPerQuery = wanted.BytesScannedCutoffPerQuery;
  if (keys.includes('enforced')) updates.EnforceWorkGroupConfiguration = wanted.EnforceWorkGroupConfiguration;
  if (keys.includes('metrics')) updates.PublishCloudWatchMetricsEnabled = wanted.PublishCloudWatchMetricsEnabled;
  return Object.keys(updates).length > 0 ? updates : undefined;
}

/** The workgroup's description, naming the stack and the database its tables are in. */
export function workgroupDescription(names: Pick<StackContext['names'], 'stack' | 'database'>): string {
  return `Queries of the tables of stack ${names.stack} (database ${names.database})`;
}

/**
 * The Athena workgroup `<name>`: where the stack's tables are queried, and where its named queries
 * live (named-queries.ts). Teardown deletes it with everything in it (RecursiveDeleteOption); the
 * results it wrote go with the bucket, and expire before that with --retention-days.
 */
export function workgroupResource(ctx: StackContext): ResourceDefinition<WorkGroup, WorkgroupKey> {
  const { athena } = ctx.aws;
  const WorkGroup = ctx.names.workgroup;
  const ResourceARN = workgroupArn(ctx);
  const Description = workgroupDescription(ctx.names);
  const wanted = workgroupConfiguration(ctx);

  return {
    kind: 'workgroup',
    name: WorkGroup,
    label: labelsFrom<WorkgroupKey>({
      results: 'results location',
      encryption: 'results encryption',
      scanLimit: 'scan limit per query',
      enforced: 'enforced settings',
      metrics: 'CloudWatch metrics',
      state: 'enabled',
      description: 'description',
    }),

    async find() {
      const found = await orUndefined(athena.send(new GetWorkGroupCommand({ WorkGroup })));
      // Moto answers a missing workgroup with none rather than AWS's error.
      if (!found?.WorkGroup?.Name) return undefined;
      return { state: found.WorkGroup, tags: await workgroupTags() };
    },

    drift: (current) => workgroupDrift(current, wanted, Description),

    createDetails() {
      const encryption = resultEncryption(ctx);
      return [
        `results in ${wanted.ResultConfiguration?.OutputLocation} (${encryption.EncryptionOption === 'SSE_KMS' ? `SSE-KMS ${ctx.settings.kmsKey}` : 'SSE-S3'})`,
        `at most ${ctx.settings.athenaScanLimitMb.toLocaleString('en-US')} MB scanned per query`,
      ];
    },

    async create() {
      await athena.send(new CreateWorkGroupCommand({ Name: WorkGroup, Description, Configuration: wanted, Tags: tagList(ctx.tags) }));
    },

    async update(_current, keys) {
      // In place: a workgroup keeps its named queries and its history only as long as it lives.
      const ConfigurationUpdates = configurationUpdates(wanted, keys);
      await athena.send(
        new UpdateWorkGroupCommand({
          WorkGroup,
          ...(keys.includes('description') ? { Description } : {}),
          ...(keys.includes('state') ? { State: 'ENABLED' as const } : {}),
          ...(ConfigurationUpdates ? { ConfigurationUpdates } : {}),
        }),
      );
    },

    async addTags(missing) {
      await athena.send(new TagResourceCommand({ ResourceARN, Tags: tagList(missing) }));
    },

    async destroy() {
      // With its named queries and its query history; the results themselves are objects in the bucket.
      await athena.send(new DeleteWorkGroupCommand({ WorkGroup, RecursiveDeleteOption: true }));
    },

    summarize: (current) => ({ state: current.State }),
  };

  async function workgroupTags(): Promise<Tags> {
    const tags: { Key?: string | undefined; Value?: string | undefined }[] = [];
    let NextToken: string | undefined;
    do {
      // A workgroup without tags: moto answers with an error rather than an empty list.
      const page = await orUndefined(athena.send(new ListTagsForResourceCommand({ ResourceARN, ...(NextToken ? { NextToken } : {}) })));
      tags.push(...(page?.Tags ?? []));
      NextToken = page?.NextToken;
    } while (NextToken);
    return tagRecord(tags);
  }
}
