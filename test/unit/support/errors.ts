import { InvalidRequestException as AthenaInvalidRequest } from '@aws-sdk/client-athena';
import { DashboardNotFoundError } from '@aws-sdk/client-cloudwatch';
import { ResourceNotFoundException as LogsNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { ResourceNotFoundException as EventsNotFoundException } from '@aws-sdk/client-eventbridge';
import { EntityNotFoundException, InvalidInputException } from '@aws-sdk/client-glue';
import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { NotFoundException as KmsNotFoundException } from '@aws-sdk/client-kms';
import { NoSuchBucket, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { AuthorizationErrorException, NotFoundException as SnsNotFoundException } from '@aws-sdk/client-sns';

const $metadata = {};

export const glueNotFound = (message = 'Entity not found'): EntityNotFoundException =>
  new EntityNotFoundException({ message, $metadata });

export const glueInvalidInput = (message: string): InvalidInputException => new InvalidInputException({ message, $metadata });

export const rolePropagating = (): InvalidInputException =>
  glueInvalidInput('Service is unable to assume provided role. Please verify role\'s TrustPolicy');

export const iamNoSuchEntity = (message = 'The role cannot be found.'): NoSuchEntityException =>
  new NoSuchEntityException({ message, $metadata });

/** What HeadBucket throws for a missing bucket. */
export const s3NotFound = (): NotFound => new NotFound({ message: 'UnknownError', $metadata: { httpStatusCode: 404 } });

export const s3NoSuchBucket = (): NoSuchBucket => new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata });

/** An S3 error the SDK has no modelled class for, e.g. NoSuchBucketPolicy or a bodiless 403. */
export function s3Error(name: string, httpStatusCode = 400, message = 'UnknownError'): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode } });
}

export const kmsNotFound = (message = 'Alias arn:aws:kms:eu-west-1:123456789012:alias/missing is not found.'): KmsNotFoundException =>
  new KmsNotFoundException({ message, $metadata });

export const snsNotFound = (message = 'Topic does not exist'): SnsNotFoundException => new SnsNotFoundException({ message, $metadata });

export const snsAccessDenied = (message = 'User is not authorized to perform: SNS:GetTopicAttributes'): AuthorizationErrorException =>
  new AuthorizationErrorException({ message, $metadata });

export const eventsNotFound = (message = 'Rule does not exist.'): EventsNotFoundException => new EventsNotFoundException({ message, $metadata });

export const dashboardNotFound = (message = 'Dashboard does not exist'): DashboardNotFoundError => new DashboardNotFoundError({ message, $metadata });

export const logsNotFound = (message = 'The specified log group does not exist.'): LogsNotFoundException => new LogsNotFoundException({ message, $metadata });

/** What Athena answers for a workgroup that does not exist: its error for any bad request, saying so in words. */
export const athenaNotFound = (message = 'WorkGroup flight-delays is not found.'): AthenaInvalidRequest => new AthenaInvalidRequest({ message, $metadata });

export const athenaInvalidRequest = (message: string): AthenaInvalidRequest => new AthenaInvalidRequest({ message, $metadata });
