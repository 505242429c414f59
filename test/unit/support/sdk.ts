import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * Every SDK client class the tool builds, mocked for all its instances: for tests of commands and
 * of main(), which build their own clients as they do for the CLI. Nothing leaves the process.
 */
export function mockEveryClient() {
  return {
    sts: mockClient(STSClient),
    s3: mockClient(S3Client),
    glue: mockClient(GlueClient),
    iam: mockClient(IAMClient),
    kms: mockClient(KMSClient),
    sns: mockClient(SNSClient),
    events: mockClient(EventBridgeClient),
    logs: mockClient(CloudWatchLogsClient),
    cloudwatch: mockClient(CloudWatchClient),
    athena: mockClient(AthenaClient),
  };
}

export type EveryClientMock = ReturnType<typeof mockEveryClient>;

/** The class names of the commands sent through any of the mocks. */
export function sentThrough(mocks: EveryClientMock): string[] {
  return Object.values(mocks).flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name));
}
