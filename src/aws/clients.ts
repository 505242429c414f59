import { GlueClient } from '@aws-sdk/client-glue';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ProvisionerError, UsageError, describeCause } from '../errors.js';

export interface ClientOptions {
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
}

/** The SDK clients and the account facts every resource module needs, built once per command. */
export interface Aws {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly iam: IAMClient;
  readonly sts: STSClient;
  /** Only to resolve --kms-key to the key's ARN. */
  readonly kms: KMSClient;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

const USER_AGENT: [string, string] = ['glue-provisioner', '0.1.0'];

/** Standard retries (throttling, 5xx, timeouts) with a little more patience than the default 3. */
const MAX_ATTEMPTS = 5;

export type Clients = Pick<Aws, 's3' | 'glue' | 'iam' | 'sts' | 'kms'>;

export function createClients(options: ClientOptions): Clients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    maxAttempts: MAX_ATTEMPTS,
    customUserAgent: [USER_AGENT],
  };
  return {
    // Emulators and private endpoints answer on one host name, so address buckets by path there.
    s3: new S3Client({ ...common, forcePathStyle: options.endpointUrl !== undefined }),
    glue: new GlueClient(common),
    iam: new IAMClient(common),
    sts: new STSClient(common),
    kms: new KMSClient(common),
  };
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
}
