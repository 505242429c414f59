import { UsageError } from '../core/errors.js';

/**
 * Stack names become part of the bucket, role, database, crawler, job and trigger names, so they
 * must satisfy the strictest of those rules and leave room for the account and region suffix.
 */
export function stackName(value: string): string {
  if (/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(value) && !value.includes('--')) return value;
  throw new UsageError(
    `invalid --name "${value}": use 2 to 32 lowercase letters, digits and single hyphens, starting with a letter`,
  );
}

export function assertBucketName(value: string): void {
  const problem = bucketNameProblem(value);
  if (problem) {
    throw new UsageError(
      `invalid --bucket "${value}": ${problem}; valid: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit`,
    );
  }
}

/** Why a name breaks S3's bucket naming rules; undefined when it keeps them. */
export function bucketNameProblem(value: string): string | undefined {
  if (value === '') return 'it is empty';
  if (value.length < 3 || value.length > 63) return `it is ${value.length} characters long`;
  if (!/^[a-z0-9.-]+$/.test(value)) return 'it has characters other than a-z, 0-9, "-" and "."';
  if (!/^[a-z0-9]/.test(value) || !/[a-z0-9]$/.test(value)) return 'it must start and end with a letter or digit';
  if (value.includes('..')) return 'it has two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(value)) return 'it looks like an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value)) return 'it starts with a reserved prefix';
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(value)) return 'it ends with a reserved suffix';
  return undefined;
}
