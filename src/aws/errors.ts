/** SDK v3 errors are matched by name: the same check works for real and mocked exceptions. */
export function hasName(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** The many ways AWS says "there is no such thing", per service. */
export function isNotFound(error: unknown): boolean {
  return hasName(
    error,
    'NotFound',
    'NoSuchBucket',
    'NoSuchKey',
    'NoSuchEntity',
    'NoSuchEntityException',
    'EntityNotFoundException',
    'NoSuchTagSet',
    'NoSuchBucketPolicy',
    'NoSuchLifecycleConfiguration',
    'NoSuchPublicAccessBlockConfiguration',
    'OwnershipControlsNotFoundError',
    'ServerSideEncryptionConfigurationNotFoundError',
  );
}

/** Runs a describe call and turns "not found" into undefined; anything else propagates. */
export async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
