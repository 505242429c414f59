import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { connect, destroyClients } from '../aws/clients.js';
import { hasName } from '../aws/errors.js';
import type { Aws } from '../core/aws.js';
import type { Runtime, StackContext } from '../core/context.js';
import { ProvisionerError, UsageError, describeCause } from '../core/errors.js';
import { stackNames } from '../core/names.js';
import type { Settings } from '../core/settings.js';
import { stackTags } from '../core/tags.js';
import { roleArn } from '../resources/role.js';
import { checkAlertTarget } from './alert-status.js';

/** What a command needs looked up when the stack is opened, beyond names. */
export interface OpenOptions {
  /**
   * Resolve --kms-key with KMS: what `up` and `plan` need to write and compare the role's policy.
   * Teardown, status and the rest never do, so a key deleted since still lets the stack go. `up` and
   * `plan` also check there that alerts can be delivered (checkAlertTarget).
   */
  readonly resolveKmsKey?: boolean;
}

/** Connects to AWS and resolves every name of the stack; checks what can only be checked online. */
export async function openStack(
  settings: Settings,
  runtime: Runtime,
  connectTo: typeof connect = connect,
  options: OpenOptions = {},
): Promise<StackContext> {
  const aws: Aws = await connectTo({ region: settings.region, endpointUrl: settings.endpointUrl, signal: runtime.signal, logger: runtime.logger });
  try {
    if (settings.roleArn) {
      const roleAccount = settings.roleArn.split(':')[4];
      if (roleAccount !== aws.accountId) {
        throw new UsageError(
          `invalid --role-arn "${settings.roleArn}": it belongs to account ${roleAccount}, but these credentials are for account ${aws.accountId}; valid: a role in ${aws.accountId}`,
        );
      }
    }
    const kmsKeyArn = settings.kmsKey && options.resolveKmsKey ? await resolveKmsKey(aws, settings.kmsKey, runtime) : undefined;
    const names = stackNames(settings.name, aws.accountId, aws.region, settings.bucket);
    if (options.resolveKmsKey) await checkAlertTarget({ aws, settings, kmsKeyArn, logger: runtime.logger });
    return {
      aws,
      settings,
      names,
      tags: stackTags(settings.name),
      roleArn: settings.roleArn ?? roleArn(aws.partition, aws.accountId, names.role),
      kmsKeyArn,
      ...runtime,
    };
  } catch (error) {
    destroyClients(aws);
    throw error;
  }
}

/** The key ARN behind a key id, key ARN, alias/NAME or alias ARN; a key KMS does not know is bad input. */
async function resolveKmsKey(aws: Pick<Aws, 'kms' | 'region'>, kmsKey: string, { logger }: Pick<Runtime, 'logger'>): Promise<string> {
  let metadata;
  try {
    metadata = (await aws.kms.send(new DescribeKeyCommand({ KeyId: kmsKey }))).KeyMetadata;
  } catch (error) {
    if (hasName(error, 'NotFoundException', 'InvalidArnException')) {
      throw new UsageError(
        `invalid --kms-key "${kmsKey}": KMS has no such key in ${aws.region} (${describeCause(error)}); valid: the id, ARN, alias/NAME or alias ARN of an existing key`,
      );
    }
    throw new ProvisionerError(`cannot look up --kms-key "${kmsKey}" (KMS DescribeKey): ${describeCause(error)}`, 'aws', { cause: error });
  }
  if (!metadata?.Arn) throw new ProvisionerError(`KMS DescribeKey returned no key ARN for --kms-key "${kmsKey}"`);
  if (metadata.KeyState && metadata.KeyState !== 'Enabled') {
    logger.warn(`KMS key ${metadata.Arn} (--kms-key "${kmsKey}") is ${metadata.KeyState}: S3 cannot encrypt or decrypt with it until it is enabled`);
  }
  return metadata.Arn;
}

/** The one way a command uses the stack: open it, hand it over, and always close the clients. */
export async function withStack<T>(
  settings: Settings,
  runtime: Runtime,
  use: (ctx: StackContext) => Promise<T>,
  connectTo: typeof connect = connect,
  options: OpenOptions = {},
): Promise<T> {
  const ctx = await openStack(settings, runtime, connectTo, options);
  try {
    return await use(ctx);
  } finally {
    destroyClients(ctx.aws);
  }
}
