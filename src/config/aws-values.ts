import { partition } from '@aws-sdk/core/client';
import { UsageError } from '../core/errors.js';
import { redactUrl } from './redact.js';

/** Where the stack lives and what of AWS it is handed: region, endpoint, ARNs and keys. */

export function region(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) {
    throw new UsageError(`invalid --region "${value}": expected an AWS region such as us-east-1 or eu-west-2`);
  }
  if (!knownRegion(value)) {
    throw new UsageError(
      `invalid --region "${value}": not a region the AWS SDK knows; list the regions of your account with: aws account list-regions`,
    );
  }
  return value;
}

/**
 * Whether the AWS SDK's partition data (partitions.json, shipped in @aws-sdk/core, the data the
 * clients resolve endpoints from) lists the region. For any other name that merely looks like a
 * region the SDK still builds an endpoint, and the first calls fail only after some resources
 * were made; so do emulators, which serve known regions only (moto, and LocalStack unless told
 * otherwise). A region newer than this SDK needs a newer release of the tool.
 */
function knownRegion(value: string): boolean {
  // partition() merges a listed region's own entry, with its description, into the partition's;
  // a name that only matches a partition's regionRegex gets the partition alone.
  return 'description' in partition(value);
}

export function endpointUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const invalid = () => new UsageError(`invalid --endpoint-url "${redactUrl(value)}": expected an http:// or https:// URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid();
  return value.replace(/\/+$/, '');
}

export function assertRoleArn(value: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(value)) {
    throw new UsageError(`invalid --role-arn "${value}": expected arn:aws:iam::<12-digit account>:role/<name>`);
  }
}

export function assertKmsKey(value: string): void {
  const keyId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const arn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[\w/-]+)$/;
  if (keyId.test(value) || arn.test(value) || /^alias\/[\w/-]+$/.test(value)) return;
  throw new UsageError(`invalid --kms-key "${value}": expected a key id, key ARN, alias/NAME or alias ARN`);
}

export function assertTopicArn(value: string): void {
  const match = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256}(\.fifo)?)$/.exec(value);
  if (!match) {
    throw new UsageError(`invalid --notify-topic-arn "${value}": expected arn:aws:sns:<region>:<12-digit account>:<topic name>`);
  }
  if (match[2]) {
    throw new UsageError(
      `invalid --notify-topic-arn "${value}": a FIFO topic takes only messages with a group id, which alerts do not have; valid: a standard topic`,
    );
  }
}
