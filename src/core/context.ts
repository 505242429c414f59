import type { Aws } from './aws.js';
import type { Logger } from './logger.js';
import type { Progress } from './progress.js';
import type { StackNames } from './names.js';
import type { Settings } from './settings.js';

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
  /**
   * The --kms-key as its key ARN, however it was given (key id, alias, alias ARN): IAM policies match
   * a KMS key only by its key ARN. Undefined without --kms-key, and unless the command asked for it.
   */
  readonly kmsKeyArn: string | undefined;
}
