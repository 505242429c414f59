import { InternalServiceException } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { hasName, isAlreadyExists, isNotFound, orUndefined } from '../../../src/aws/errors.js';
import { athenaInvalidRequest, athenaNotFound, glueNotFound, iamNoSuchEntity, s3Error, s3NoSuchBucket, s3NotFound } from '../support/errors.js';

describe('isNotFound', () => {
  it.each([
    ['Glue EntityNotFoundException', glueNotFound()],
    ['IAM NoSuchEntityException', iamNoSuchEntity()],
    ['S3 NotFound', s3NotFound()],
    ['S3 NoSuchBucket', s3NoSuchBucket()],
    ['S3 NoSuchBucketPolicy', s3Error('NoSuchBucketPolicy', 404)],
    ['S3 NoSuchTagSet', s3Error('NoSuchTagSet', 404)],
    ['Athena InvalidRequestException saying the workgroup is not found', athenaNotFound()],
  ])('is true for %s', (_what, error) => {
    expect(isNotFound(error)).toBe(true);
  });

  it.each([
    ['an S3 AccessDenied', s3Error('AccessDenied', 403)],
    ['a Glue internal error', new InternalServiceException({ message: 'x', $metadata: {} })],
    ['a plain object named like a not-found', { name: 'NotFound' }],
    ['a string', 'NotFound'],
    // Athena says every bad request this way: only the words tell a missing workgroup apart.
    ['any other Athena InvalidRequestException', athenaInvalidRequest('BytesScannedCutoffPerQuery is below the minimum')],
    ['Athena saying a workgroup is already created', athenaInvalidRequest('WorkGroup is already created')],
  ])('is false for %s', (_what, error) => {
    expect(isNotFound(error)).toBe(false);
  });
});

describe('isAlreadyExists', () => {
  it("is true for Athena's answer to a create of a workgroup that exists, in AWS's words and moto's", () => {
    expect(isAlreadyExists(athenaInvalidRequest('WorkGroup is already created'))).toBe(true);
    expect(isAlreadyExists(athenaInvalidRequest('WorkGroup already exists'))).toBe(true);
  });

  it('is false for any other bad request to Athena', () => {
    expect(isAlreadyExists(athenaNotFound())).toBe(false);
    expect(isAlreadyExists(athenaInvalidRequest('Invalid S3 location'))).toBe(false);
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
