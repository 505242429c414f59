import { InternalServiceException } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { hasName, isNotFound, orUndefined } from '../../../src/aws/errors.js';
import { glueNotFound, iamNoSuchEntity, s3Error, s3NoSuchBucket, s3NotFound } from '../support/errors.js';

describe('isNotFound', () => {
  it.each([
    ['Glue EntityNotFoundException', glueNotFound()],
    ['IAM NoSuchEntityException', iamNoSuchEntity()],
    ['S3 NotFound', s3NotFound()],
    ['S3 NoSuchBucket', s3NoSuchBucket()],
    ['S3 NoSuchBucketPolicy', s3Error('NoSuchBucketPolicy', 404)],
    ['S3 NoSuchTagSet', s3Error('NoSuchTagSet', 404)],
  ])('is true for %s', (_what, error) => {
    expect(isNotFound(error)).toBe(true);
  });

  it.each([
    ['an S3 AccessDenied', s3Error('AccessDenied', 403)],
    ['a Glue internal error', new InternalServiceException({ message: 'x', $metadata: {} })],
    ['a plain object named like a not-found', { name: 'NotFound' }],
    ['a string', 'NotFound'],
  ])('is false for %s', (_what, error) => {
    expect(isNotFound(error)).toBe(false);
  });
});

describe('hasName', () => {
  it('matches any of the names on an Error', () => {
    expect(hasName(s3Error('OperationAborted'), 'BucketAlreadyExists', 'OperationAborted')).toBe(true);
    expect(hasName(s3Error('OperationAborted'), 'BucketAlreadyExists')).toBe(false);
  });
});

describe('orUndefined', () => {
  it('passes a result through, turns not found into undefined and rethrows the rest', async () => {
    await expect(orUndefined(Promise.resolve(5))).resolves.toBe(5);
    await expect(orUndefined(Promise.reject(glueNotFound()))).resolves.toBeUndefined();
    const other = s3Error('AccessDenied', 403);
    await expect(orUndefined(Promise.reject(other))).rejects.toBe(other);
  });
});
