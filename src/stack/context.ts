import type { Aws } from '../aws/clients.js';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../cli/logger.js';
import type { StackNames } from './names.js';
import type { Progress } from '../cli/progress.js';

/** What resource modules are handed: clients, names and settings, resolved once per command. */
export interface StackContext {
  readonly aws: Aws;
  readonly settings: Settings;
  readonly names: StackNames;
  readonly tags: Readonly<Record<string, string>>;
  /** The Glue service role: the one this stack creates, or --role-arn. */
  readonly roleArn: string;
  readonly logger: Logger;
  readonly progress: Progress;
  readonly signal: AbortSignal;
}

export type GlueResourceType = 'database' | 'crawler' | 'job' | 'workflow' | 'trigger';

export function glueArn(aws: Aws, type: GlueResourceType, name: string): string {
  return `arn:${aws.partition}:glue:${aws.region}:${aws.accountId}:${type}/${name}`;
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
