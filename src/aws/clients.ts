import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import type { Aws } from '../core/aws.js';
import { rememberOperation } from './operation.js';
import { PatientRetryStrategy } from './retry.js';

export interface ClientOptions {
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  /** Ctrl-C or SIGTERM: stops waiting to retry (aws/retry.ts). */
  readonly signal?: AbortSignal | undefined;
  /** Hears the SDK's warnings (e.g. that a streamed upload is not retried by the SDK itself). */
  readonly logger?: { debug(message: string): void } | undefined;
}

const USER_AGENT: [string, string] = ['glue-provisioner', '0.1.0'];

/**
 * A connection that takes longer than this to open is retried. An answer may take as long as it
 * takes, but a connection on which nothing moves for SOCKET_IDLE_MS is dropped and the request retried.
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const SOCKET_IDLE_MS = 120_000;

export type Clients = Pick<Aws, 's3' | 'glue' | 'iam' | 'sts' | 'kms' | 'sns' | 'events' | 'logs' | 'cloudwatch' | 'athena'>;

export function createClients(options: ClientOptions): Clients {
  // Each client has its own strategy, so no client's failures take the retries of another.
  const common = () => {
    const retryStrategy = new PatientRetryStrategy({ signal: options.signal });
    return {
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
      retryStrategy,
      maxAttempts: retryStrategy.maxAttempts(),
      requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_MS },
      customUserAgent: [USER_AGENT],
      logger: sdkLogger(options.logger),
    };
  };
  return {
    // Emulators and private endpoints answer on one host name, so address buckets by path there.
    s3: rememberOperation(new S3Client({ ...common(), forcePathStyle: options.endpointUrl !== undefined, expectContinueHeader: false })),
    glue: rememberOperation(new GlueClient(common())),
    iam: rememberOperation(new IAMClient(common())),
    sts: rememberOperation(new STSClient(common())),
    kms: rememberOperation(new KMSClient(common())),
    sns: rememberOperation(new SNSClient(common())),
    events: rememberOperation(new EventBridgeClient(common())),
    logs: rememberOperation(new CloudWatchLogsClient(common())),
    cloudwatch: rememberOperation(new CloudWatchClient(common())),
    athena: rememberOperation(new AthenaClient(common())),
  };
}

type SdkLogger = NonNullable<S3ClientConfig['logger']>;

/**
 * The SDK's warnings go to our debug log, not to stderr as they would without a logger; its debug
 * chatter (which credential source it tried) goes nowhere. It has no info or error methods on
 * purpose: the SDK builds a copy of each request and answer with secrets masked for them, on every
 * request, only when the logger has a method to take it.
 */
function sdkLogger(logger: ClientOptions['logger']): SdkLogger {
  const warn = (...content: unknown[]): void => logger?.debug(`AWS SDK: ${content.map(String).join(' ')}`);
  return { debug: () => undefined, warn } as unknown as SdkLogger;
}

/** Builds the clients and asks STS who we are: the first call, so missing credentials stop us early. */
export async function connect(options: ClientOptions): Promise<Aws> {
  const clients = createClients(options);
  let region: string;
  try {
    region = await clients.s3.config.region();
  } catch {
    region = '';
  }
  if (!region) {
    throw new UsageError('no AWS region: pass --region, or set AWS_REGION or a region in your AWS profile');
  }
  const identity = await callerIdentity(clients.sts);
  return { ...clients, region, ...identity };
}

async function callerIdentity(sts: STSClient): Promise<{ accountId: string; partition: string }> {
  try {
    const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Account) throw new ProvisionerError('STS GetCallerIdentity returned no account id');
    const partition = Arn?.split(':')[1] ?? 'aws';
    return { accountId: Account, partition };
  } catch (error) {
    if (isCredentialsError(error)) {
      throw new UsageError(
        'no usable AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where a role is attached',
      );
    }
    if (error instanceof ProvisionerError) throw error;
    throw new ProvisionerError(`cannot identify the AWS account (STS GetCallerIdentity): ${describeCause(error)}`, 'aws', {
      cause: error,
    });
  }
}

function isCredentialsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'CredentialsProviderError' ||
    error.name === 'InvalidClientTokenId' ||
    error.name === 'ExpiredToken' ||
    error.name === 'SignatureDoesNotMatch' ||
    /Could not load credentials/i.test(error.message)
  );
}

export function destroyClients(aws: Clients): void {
  aws.s3.destroy();
  aws.glue.destroy();
  aws.iam.destroy();
  aws.sts.destroy();
  aws.kms.destroy();
  aws.sns.destroy();
  aws.events.destroy();
  aws.logs.destroy();
  aws.cloudwatch.destroy();
  aws.athena.destroy();
}
