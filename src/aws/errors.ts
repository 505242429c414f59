/** SDK v3 errors are matched by name: the same check works for real and mocked exceptions. */
export function hasName(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/**
 * Athena answers a request about a workgroup (or named query) that does not exist with the error it
 * gives any bad request, InvalidRequestException, saying so only in its message: "WorkGroup NAME is
 * not found." A create of a workgroup that exists fails the same way, "already created".
 */
function isAthenaSaying(error: unknown, words: RegExp): boolean {
  return hasName(error, 'InvalidRequestException') && words.test((error as Error).message);
}

/** The many ways AWS says "there is no such thing", per service. */
export function isNotFound(error: unknown): boolean {
  return isAthenaSaying(error, /\bnot found\b|does not exist/i) || hasName(
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
    // SNS (GetTopicAttributes, ListTagsForResource) and KMS (an alias or key that does not exist)
    'NotFoundException',
    // EventBridge, CloudWatch Logs and SNS tags
    'ResourceNotFoundException',
    // CloudWatch GetDashboard and DeleteDashboards
    'ResourceNotFound',
    'DashboardNotFoundError',
  );
}

/** The ways AWS says "you may not": IAM denied the call, whatever the service calls it. */
export function isAccessDenied(error: unknown): boolean {
  return hasName(error, 'AccessDenied', 'AccessDeniedException', 'AuthorizationErrorException', 'UnauthorizedOperation');
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

/** Failures that say nothing about the request itself: the same request may well succeed later. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP status: the connection failed, was reset or timed out before an answer came.
  return (
    hasName(error, 'TimeoutError', 'RequestTimeout', 'SlowDown', 'ThrottlingException', 'NetworkingError') ||
    /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`)
  );
}

/**
 * The ways AWS says a create found the thing already there: IAM, Glue, KMS and CloudWatch Logs, S3
 * for a bucket this account owns (a bucket of another account is `BucketAlreadyExists`), and Athena.
 */
export function isAlreadyExists(error: unknown): boolean {
  return isAthenaSaying(error, /already (created|exists)/i) || hasName(
    error,
    'EntityAlreadyExists',
    'EntityAlreadyExistsException',
    'AlreadyExistsException',
    'ResourceAlreadyExistsException',
    'BucketAlreadyOwnedByYou',
  );
}
