import type { AthenaClient } from '@aws-sdk/client-athena';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';

/**
 * The AWS port: the SDK clients a command holds, built by aws/clients.ts and handed down in the
 * stack's context (context.ts). Only their types are named here.
 */
/** The SDK clients and the account facts every resource module needs, built once per command. */
export interface Aws {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  /** Resolves --kms-key to the key's ARN; holds the key of the alert topic. */
  readonly kms: KMSClient;
  /** The alert topic and its email subscriptions. */
  readonly sns: SNSClient;
  /** The rules that send failed runs to the alert topic. */
  readonly events: EventBridgeClient;
  /** The job's log streams (`provisioner logs`). */
  readonly logs: CloudWatchLogsClient;
  /** The --dashboard. */
  readonly cloudwatch: CloudWatchClient;
  /** The workgroup the stack's tables are queried in, and its named queries. */
  readonly athena: AthenaClient;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}
