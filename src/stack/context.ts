import { connect, destroyClients, type Aws } from '../aws/clients.js';
import type { Logger } from '../cli/logger.js';
import type { Progress } from '../cli/progress.js';
import type { Settings } from '../config/settings.js';
import { UsageError } from '../errors.js';
import { roleArn } from '../resources/role.js';
import { stackNames, type StackNames } from './names.js';
import { stackTags } from './ownership.js';

/** What a command hands down besides settings: how to log, show progress, and hear Ctrl-C. */
export interface Runtime {
  readonly logger: Logger;
  readonly progress: Progress;
  readonly signal: AbortSignal;
}

/** What resource modules are handed: clients, names and settings, resolved once per command. */
export interface StackContext extends Runtime {
  readonly aws: Aws;
  readonly settings: Settings;
  readonly names: StackNames;
  readonly tags: Readonly<Record<string, string>>;
  /** The Glue service role: the one this stack creates, or --role-arn. */
  readonly roleArn: string;
}

/** Connects to AWS and resolves every name of the stack; checks what can only be checked online. */
export async function openStack(settings: Settings, runtime: Runtime, connectTo: typeof connect = connect): Promise<StackContext> {
  const aws: Aws = await connectTo({ region: settings.region, endpointUrl: settings.endpointUrl });
  if (settings.roleArn) {
    const roleAccount = settings.roleArn.split(':')[4];
    if (roleAccount !== aws.accountId) {
      destroyClients(aws);
      throw new UsageError(
        `invalid --role-arn "${settings.roleArn}": it belongs to account ${roleAccount}, but these credentials are for account ${aws.accountId}; valid: a role in ${aws.accountId}`,
      );
    }
  }
  const names = stackNames(settings.name, aws.accountId, aws.region, settings.bucket);
  return {
    aws,
    settings,
    names,
    tags: stackTags(settings.name),
    roleArn: settings.roleArn ?? roleArn(aws.partition, aws.accountId, names.role),
    ...runtime,
  };
}

/** The one way a command uses the stack: open it, hand it over, and always close the clients. */
export async function withStack<T>(
  settings: Settings,
  runtime: Runtime,
  use: (ctx: StackContext) => Promise<T>,
  connectTo: typeof connect = connect,
): Promise<T> {
  const ctx = await openStack(settings, runtime, connectTo);
  try {
    return await use(ctx);
  } finally {
    destroyClients(ctx.aws);
  }
}
