import type { PublicAccessBlockConfiguration, ServerSideEncryptionRule } from '@aws-sdk/client-s3';

/** What the stack's bucket is hardened with: no public access, default encryption, TLS only. */

export interface PolicyStatement {
  Sid?: string;
  [key: string]: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export const BLOCK_ALL_PUBLIC_ACCESS: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** The Sid of the stack's statement in the bucket policy; statements others added are kept. */
export const DENY_INSECURE_TRANSPORT_SID = 'DenyInsecureTransport';

export function desiredEncryption(kmsKey: string | undefined): ServerSideEncryptionRule {
  return kmsKey
    ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey }, BucketKeyEnabled: true }
    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
}

export function sameEncryption(current: ServerSideEncryptionRule | undefined, desired: ServerSideEncryptionRule): boolean {
  const a = current?.ApplyServerSideEncryptionByDefault;
  const b = desired.ApplyServerSideEncryptionByDefault;
  return (
    a?.SSEAlgorithm === b?.SSEAlgorithm &&
    (a?.KMSMasterKeyID ?? undefined) === (b?.KMSMasterKeyID ?? undefined) &&
    // An S3 Bucket Key cuts KMS requests (and cost) per object: keep it on when SSE-KMS is used.
    (desired.BucketKeyEnabled !== true || current?.BucketKeyEnabled === true)
  );
}

export function denyInsecureTransport(partition: string, bucket: string): PolicyStatement {
  return {
    Sid: DENY_INSECURE_TRANSPORT_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

export function usesTls(endpointUrl: string | undefined): boolean {
  return endpointUrl === undefined || endpointUrl.startsWith('https://');
}
